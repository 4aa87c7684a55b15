"""Checks that span fields of a scenario: each problem is (key path, message), and the loader
adds the file and line where it was set.

:func:`problems` runs every check of :data:`CHECKS` when an :class:`Assumptions` is validated:
shares that sum to 1, parties that are declared, currencies that have a rate, a pool whose
carve-outs fit, a correlation matrix that is one, keys of ``sources`` and ``tornado`` that lead
to numbers, rates that are decimals, and sizes within :mod:`finmodel.limits`. The rules about
one vehicle are in :mod:`finmodel.inputs.vehicle_checks`. :mod:`finmodel.inputs.reads` says
what each rule reads (a sweep groups the keys that one rule reads together).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from finmodel import limits
from finmodel.engine.pool import split
from finmodel.engine.tolerance import tolerance
from finmodel.exceptions import listing, shown
from finmodel.inputs.compile import carves, holdings_usd
from finmodel.inputs.fx import fx_at_start
from finmodel.inputs.models.base import Problem
from finmodel.inputs.models.pool import STAYS_FROZEN
from finmodel.inputs.vehicle_checks import (
    capital_from,
    contributions,
    rate_problems,
    vehicle_problems,
)
from finmodel.kinds import VehicleKind

if TYPE_CHECKING:  # the model that runs these checks when it is validated
    from finmodel.inputs.models.scenario import Assumptions
    from finmodel.inputs.models.vehicle import RestartCapital, Vehicle



def problems(a: Assumptions) -> list[Problem]:
    """Every cross-field problem in ``a``, in file order; an empty list means valid.

    The checks of :data:`CHECKS` run in order; the pool's arithmetic
    (:func:`allocation_problems`) only once the others pass, since it needs every currency,
    party and vehicle in place.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> problems(load("base"))
    []
    """
    found: list[Problem] = []
    for name, check in CHECKS.items():
        if name != "allocation_problems" or not found:
            found += check(a)
    return found


def size_problems(a: Assumptions) -> list[Problem]:
    """Each vehicle's schedule has a column per period (in the engine and in the workbook),
    and the engine's arrays a number per vehicle, party and period: bounded counts.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> size_problems(load("base"))
    []
    """
    periods = a.timeline.years * a.timeline.frequency.periods_per_year + 1
    n, p = len(a.vehicles), len(a.parties)
    found: list[Problem] = []
    if n * periods > limits.MAX_VEHICLE_PERIODS:
        found.append(
            (
                ("vehicles",),
                f"{n:,} vehicles x {periods:,} periods make {n * periods:,} columns of "
                f"schedules, past the limit of {limits.MAX_VEHICLE_PERIODS:,}",
            )
        )
    if n * p * periods > limits.MAX_CELLS:
        found.append(
            (
                ("vehicles",),
                f"{n:,} vehicles x {p:,} parties x {periods:,} periods make "
                f"{n * p * periods:,} numbers per array, past the limit of {limits.MAX_CELLS:,}",
            )
        )
    return found



def _party_refs(a: Assumptions) -> list[tuple[tuple[str | int, ...], str]]:
    refs: list[tuple[tuple[str | int, ...], str]] = [(("pool", "owner"), a.pool.owner)]
    for vid, v in a.vehicles.items():
        w = ("vehicles", vid, "waterfall")
        if v.waterfall is not None:
            refs += [((*w, "profit_split", p), p) for p in v.waterfall.profit_split]
            cap = v.waterfall.capital_to
            if isinstance(cap, str):
                refs.append(((*w, "capital_to"), cap))
            elif isinstance(cap, dict):
                refs += [((*w, "capital_to", p), p) for p in cap]
            if v.waterfall.hurdle:
                refs.append(((*w, "hurdle", "to"), v.waterfall.hurdle.to))
        if v.fee:
            refs.append((("vehicles", vid, "fee", "to"), v.fee.to))
        for i, c in enumerate(contributions(v)):
            refs.append((("vehicles", vid, "capital", "contributions", i, "party"), c.party))
        if v.stream is not None and v.stream.payer is not None:
            refs.append((("vehicles", vid, "stream", "payer"), v.stream.payer))
        if v.stream is not None and v.stream.energy is not None:
            prices = v.stream.energy.price_per_mwh_by_party or {}
            e = ("vehicles", vid, "stream", "energy", "price_per_mwh_by_party")
            refs += [((*e, p), p) for p in prices]
        restart = _restart(v)
        if restart is not None and restart.paid_by is not None:
            rc = ("vehicles", vid, "stream", "energy", "restart_capital", "paid_by")
            refs += [((*rc, p), p) for p in restart.paid_by]
        if v.return_.paid_by is not None:
            refs.append((("vehicles", vid, "return", "paid_by"), v.return_.paid_by))
        if v.loan is not None:
            refs.append((("vehicles", vid, "loan", "borrower"), v.loan.borrower))
    return refs


def _restart(v: Vehicle) -> RestartCapital | None:
    e = v.stream.energy if v.stream is not None else None
    return e.restart_capital if e is not None else None



def nearest_of(name: str, names: list[str]) -> str:
    """'; nearest: ...' with the declared names closest to ``name``, or ''.

    >>> nearest_of("ukrain", ["us", "ukraine"]), nearest_of("zz", ["us"])
    ("; nearest: 'ukraine'", '')
    """
    import difflib

    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    return "; nearest: " + ", ".join(f"'{c}'" for c in close) if close else ""


def party_problems(a: Assumptions) -> list[Problem]:
    declared = listing(a.parties)
    found: list[Problem] = [
        (path, f"party {shown(p)} is not declared in 'parties' (declared: {declared})"
               + nearest_of(p, list(a.parties)))
        for path, p in _party_refs(a)
        if p not in a.parties
    ]
    for vid, v in a.vehicles.items():
        w = ("vehicles", vid, "waterfall")
        if v.waterfall is None:
            continue
        found += _shares_problem((*w, "profit_split"), v.waterfall.profit_split)
        if isinstance(v.waterfall.capital_to, dict):
            found += _shares_problem((*w, "capital_to"), v.waterfall.capital_to)
    for vid, v in a.vehicles.items():
        restart = _restart(v)
        if restart is not None and restart.paid_by is not None:
            rc = ("vehicles", vid, "stream", "energy", "restart_capital", "paid_by")
            found += _shares_problem(rc, restart.paid_by)
    return found



def _shares_problem(path: tuple[str | int, ...], shares: dict[str, float]) -> list[Problem]:
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-9:
        return [(path, f"shares must sum to 1 (they sum to {total:.10g})")]
    return []



def currency_problems(a: Assumptions) -> list[Problem]:
    uses: list[tuple[tuple[str | int, ...], str]] = []
    uses += [
        (("pool", "holdings", i, "currency"), h.currency) for i, h in enumerate(a.pool.holdings)
    ]
    uses += [
        (("pool", "allocation", i, "currency"), c.currency) for i, c in enumerate(a.pool.allocation)
    ]
    uses += [(("needs", i, "currency"), n.currency) for i, n in enumerate(a.needs)]
    for vid, v in a.vehicles.items():
        for i, c in enumerate(contributions(v)):
            uses.append((("vehicles", vid, "capital", "contributions", i, "currency"), c.currency))
        if v.stream is not None:
            e = v.stream.energy
            at: tuple[str, ...] = ("stream", "currency")
            cur = v.stream.currency
            if e is not None:
                at, cur = ("stream", "energy", "currency"), e.currency
            uses.append((("vehicles", vid, *at), cur))
    rated = listing(["USD", *a.fx])
    found: list[Problem] = [
        (path, f"currency '{cur}' has no rate in 'fx' (rates for: {rated})")
        for path, cur in uses
        if cur != "USD" and cur not in a.fx
    ]
    for cur, fx in a.fx.items():
        if fx.path is not None and len(fx.path) > a.timeline.years:
            found.append(
                (("fx", cur, "path"), f"has {len(fx.path)} years, the timeline {a.timeline.years}")
            )
    return found



def pool_problems(a: Assumptions) -> list[Problem]:
    found: list[Problem] = []
    ids: set[str] = set()
    for i, h in enumerate(a.pool.holdings):
        if h.id in ids:
            found.append((("pool", "holdings", i, "id"), f"holding id '{h.id}' is used twice"))
        ids.add(h.id)
    selectable = {"europe", "other", *ids}
    funded = {c.vehicle for c in a.pool.allocation}
    for i, c in enumerate(a.pool.allocation):
        path = ("pool", "allocation", i)
        if c.vehicle != STAYS_FROZEN and c.vehicle not in a.vehicles:
            found.append(
                (
                    (*path, "vehicle"),
                    f"{shown(c.vehicle)} is not a vehicle (vehicles: {listing(a.vehicles)}; "
                    f"or '{STAYS_FROZEN}')",
                )
            )
        elif c.vehicle in a.vehicles and capital_from(a.vehicles[c.vehicle]) != "pool":
            found.append(((*path, "vehicle"), f"vehicle '{c.vehicle}' does not take pool capital"))
        for j, s in enumerate(c.from_):
            if s not in selectable:
                found.append(
                    (
                        (*path, "from", j),
                        f"{shown(s)} is neither a region (europe, other) nor a holding id",
                    )
                )
    for vid, v in a.vehicles.items():
        if capital_from(v) == "pool" and vid not in funded:
            found.append(
                (
                    ("vehicles", vid, "capital", "from"),
                    "takes pool capital but no carve-out names it",
                )
            )
    return found



def correlation_problems(a: Assumptions) -> list[Problem]:
    if a.correlation is None:
        return []
    funds = funds_with_returns(a)
    n = len(funds)
    path: tuple[str | int, ...] = ("correlation",)
    if len(a.correlation) != n or any(len(row) != n for row in a.correlation):
        return [
            (
                path,
                f"must be a {n}x{n} matrix, one row per fund in file order ({listing(funds)})",
            )
        ]
    c = np.asarray(a.correlation, dtype=float)
    if not np.allclose(c, c.T, atol=1e-12):
        return [(path, "must be symmetric")]
    if not np.allclose(np.diag(c), 1.0, atol=1e-12):
        return [(path, "must have 1 on the diagonal")]
    if np.any(np.abs(c) > 1.0):
        return [(path, "entries must lie in [-1, 1]")]
    low = float(np.linalg.eigvalsh(c).min())
    if low < -1e-10:
        return [(path, f"must be positive semi-definite (smallest eigenvalue {low:.3g})")]
    return []



def funds_with_returns(a: Assumptions) -> list[str]:
    """The vehicles that earn a return (kind ``fund``), in file order: ``correlation``'s rows.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> funds_with_returns(load("base"))
    ['us_led_fund', 'us_russia_instrument']
    """
    return [vid for vid, v in a.vehicles.items() if v.kind is VehicleKind.fund]



def source_problems(a: Assumptions) -> list[Problem]:
    data = a.model_dump(by_alias=True)
    found: list[Problem] = []
    keyed = [("sources", k) for k in a.sources] + [("tornado", k) for k in a.tornado or {}]
    for table, key in keyed:
        if not number_at(data, key):
            found.append(((table, key), "is not the key path of a number in this file"))
    return found



def number_at(data: object, dotted: str) -> bool:
    """Whether the dotted key path leads to a number in ``data`` (dicts and lists).

    Examples
    --------
    >>> number_at({"a": [{"b": 1.5}]}, "a.0.b"), number_at({"a": {"b": "x"}}, "a.b")
    (True, False)
    """
    node = data
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif (
            isinstance(node, (list, tuple)) and re.fullmatch(r"\d+", part) and int(part) < len(node)
        ):
            node = node[int(part)]
        else:
            return False
    return isinstance(node, (int, float)) and not isinstance(node, bool)


def allocation_problems(a: Assumptions) -> list[Problem]:
    """Carve-outs that ask for more than is left, and money no carve-out takes.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> allocation_problems(load("base"))
    []
    """
    fx = fx_at_start(a)
    held = holdings_usd(a, fx)
    s = split(held, carves(a, fx))
    tol = float(tolerance(np.abs(held).sum()))  # a cent, or a few rounding steps of the pool
    found: list[Problem] = []
    for c, carve in enumerate(a.pool.allocation):
        if s.shortfall[0, c] > tol:
            have = (s.taken[0, c].sum()) / 1e9
            found.append(
                (
                    ("pool", "allocation", c, "amount_bn"),
                    f"asks for {(have + s.shortfall[0, c] / 1e9):,.3f} bn USD but only "
                    f"{have:,.3f} bn USD is left in its selection ({', '.join(carve.from_)})",
                )
            )
    if s.left[0].sum() > tol:
        names = [h.id for h, x in zip(a.pool.holdings, s.left[0]) if x > tol]
        found.append(
            (
                ("pool", "allocation"),
                f"{s.left[0].sum() / 1e9:,.3f} bn USD of the pool is not allocated "
                f"(from {', '.join(names)}): add a 'remainder' carve-out, to a vehicle or "
                f"'stays_frozen'",
            )
        )
    return found


#: Every cross-field check, by name, in the order :func:`problems` runs them (the last only
#: when the others pass). :mod:`finmodel.inputs.reads` describes what each reads, by the same
#: names: a sweep runs only the checks its keys meet.
def need_problems(a: Assumptions) -> list[Problem]:
    """A need's first year cannot need more than its whole amount.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> need_problems(load("base"))
    []
    """
    return [
        (("needs", i, "first_year_bn"), f"at most amount_bn ({n.amount_bn:g}), the whole need")
        for i, n in enumerate(a.needs)
        if n.first_year_bn is not None and n.first_year_bn > n.amount_bn
    ]


CHECKS: dict[str, Callable[[Assumptions], list[Problem]]] = {
    "size_problems": size_problems,
    "party_problems": party_problems,
    "currency_problems": currency_problems,
    "pool_problems": pool_problems,
    "vehicle_problems": vehicle_problems,
    "correlation_problems": correlation_problems,
    "source_problems": source_problems,
    "rate_problems": rate_problems,
    "need_problems": need_problems,
    "allocation_problems": allocation_problems,
}
