"""The cross-field rules about one vehicle: the settings its kind needs and uses, a term that
the deployment and contributions fit in, what a stream's and a loan's waterfall may hold, and
rates that are decimals (:func:`rate_problems`).

Each problem is (key path, message); :func:`finmodel.inputs.checks.problems` runs these with
the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from finmodel.exceptions import listing, shown
from finmodel.inputs.models.base import Problem
from finmodel.inputs.models.vehicle import Contribution, Vehicle
from finmodel.kinds import Basis, VehicleKind

if TYPE_CHECKING:  # the model that runs these checks when it is validated
    from finmodel.inputs.models.scenario import Assumptions



def contributions(v: Vehicle) -> Sequence[Contribution]:
    """A vehicle's contributions from parties (none when its capital comes from the pool)."""
    return (v.capital.contributions or ()) if v.capital is not None else ()



def capital_from(v: Vehicle) -> str | None:
    return v.capital.from_ if v.capital is not None else None



def vehicle_problems(a: Assumptions) -> list[Problem]:
    found: list[Problem] = []
    lenders = [k for k, o in a.vehicles.items() if o.kind is not VehicleKind.loan]
    for vid, v in a.vehicles.items():
        path = ("vehicles", vid)
        term = v.term_years
        if v.kind is VehicleKind.fund and term is None:
            found.append(((*path, "term_years"), "a fund needs a term (years until liquidation)"))
        if term is not None and v.deployment.span_years > term:
            found.append(
                (
                    (*path, "deployment"),
                    f"deploys over {v.deployment.span_years} years, past the term of {term}",
                )
            )
        if v.return_.path is not None and len(v.return_.path) > a.timeline.years:
            found.append(
                (
                    (*path, "return", "path"),
                    f"has {len(v.return_.path)} years, the timeline {a.timeline.years}",
                )
            )
        found += _contribution_problems(path, v, a.timeline.years)
        found += _restart_problems(path, v, a.timeline.years)
        found += _kind_problems(path, v)
        found += _stream_problems(path, v)
        found += _loan_problems(lenders, path, v)
        if v.waterfall is None:
            continue
        if v.kind is not VehicleKind.fund and v.waterfall.basis is not Basis.capital_first:
            found.append(
                (
                    (*path, "waterfall", "basis"),
                    f"a {v.kind.value} passes capital on to capital_to: use capital_first",
                )
            )
        if v.waterfall.hurdle is not None and v.waterfall.basis is not Basis.capital_first:
            found.append(((*path, "waterfall", "hurdle"), "a hurdle needs basis capital_first"))
        for i, r in enumerate(v.readings):
            if r not in a.readings:
                found.append(((*path, "readings", i), f"reading {shown(r)} is not in 'readings'"))
    return found



def _contribution_problems(path: tuple[str | int, ...], v: Vehicle, years: int) -> list[Problem]:
    """Money lent before the start by anything but a loan, and contributions paid until the
    term or past the ``years`` of the timeline."""
    found: list[Problem] = []
    term = v.term_years
    for i, c in enumerate(contributions(v)):
        if c.before_start and v.kind is not VehicleKind.loan:
            found.append(
                (
                    (*path, "capital", "contributions", i, "before_start"),
                    "only a loan has money lent before the start",
                )
            )
        end = c.start_year + c.years
        if term is not None and end >= term:
            found.append(
                (
                    (*path, "capital", "contributions", i, "years"),
                    f"paid until year {end}, not before the term of {term} years",
                )
            )
        if end > years:
            found.append(
                (
                    (*path, "capital", "contributions", i, "years"),
                    f"paid until year {end}, past the {years}-year timeline",
                )
            )
    return found


def _restart_problems(path: tuple[str | int, ...], v: Vehicle, years: int) -> list[Problem]:
    """A plant's restart capital spent past the timeline (its tranches there would be
    dropped: the plant would earn without having paid for its restart)."""
    e = v.stream.energy if v.stream is not None else None
    r = e.restart_capital if e is not None else None
    if r is None or r.amount_bn == 0:
        return []
    end = r.start_year + r.years
    if end <= years:
        return []
    where = (*path, "stream", "energy", "restart_capital", "years")
    return [(where, f"spent until year {end}, past the {years}-year timeline")]


#: Settings each kind of vehicle uses; any other set in a file would be silently ignored.
_USES = {
    VehicleKind.fund: {
        "capital",
        "deployment",
        "cash_rate",
        "return_",
        "payout",
        "term_years",
        "fee",
        "waterfall",
    },
    VehicleKind.grant: {"capital", "waterfall"},
    VehicleKind.release: {"capital", "release", "cash_rate", "waterfall"},
    VehicleKind.stream: {"stream", "waterfall"},
    VehicleKind.loan: {"capital", "loan"},
}



#: Settings each kind cannot do without.
_NEEDS = {
    VehicleKind.fund: ("capital", "waterfall"),
    VehicleKind.grant: ("capital", "waterfall"),
    VehicleKind.release: ("capital", "waterfall"),
    VehicleKind.stream: ("stream", "waterfall"),
    VehicleKind.loan: ("capital", "loan"),
}



_KIND_SETTINGS = set().union(*_USES.values())



def _kind_problems(path: tuple[str | int, ...], v: Vehicle) -> list[Problem]:
    """Settings a vehicle's kind needs but lacks, or does not use (an error, not a no-op)."""
    fields = Vehicle.model_fields
    found: list[Problem] = [
        ((*path, fields[f].alias or f), f"a {v.kind.value} needs this setting")
        for f in _NEEDS[v.kind]
        if getattr(v, f) is None
    ]
    unused = (v.model_fields_set & _KIND_SETTINGS) - _USES[v.kind]
    found += [
        ((*path, fields[f].alias or f), f"a {v.kind.value} does not use this setting")
        for f in sorted(unused)
        if getattr(v, f) is not None
    ]
    return found



def _stream_problems(path: tuple[str | int, ...], v: Vehicle) -> list[Problem]:
    """A stream's waterfall only splits; its energy prices by party need the energy split."""
    if v.kind is not VehicleKind.stream or v.stream is None or v.waterfall is None:
        return []
    w, found = v.waterfall, []
    for name in ("capital_to", "hurdle"):
        if getattr(w, name) is not None:
            found.append(
                ((*path, "waterfall", name), "a stream passes every payment to profit_split")
            )
    e = v.stream.energy
    if e is not None and e.price_per_mwh_by_party and e.split_as != "energy":
        found.append(
            (
                (*path, "stream", "energy", "price_per_mwh_by_party"),
                "prices by party value shares of the energy: set split_as: energy",
            )
        )
    return found



def _loan_problems(lenders: list[str], path: tuple[str | int, ...], v: Vehicle) -> list[Problem]:
    """A loan is lent by parties (not the pool) and serviced from another, existing vehicle
    (``lenders``: the vehicles that are not loans, which a loan may be serviced from)."""
    if v.kind is not VehicleKind.loan or v.loan is None or v.capital is None:
        return []
    found: list[Problem] = []
    if v.capital.contributions is None:
        found.append(((*path, "capital"), "a loan is lent by parties: give contributions"))
    src = v.loan.serviced_from
    if src is not None and src not in lenders:
        found.append(
            (
                (*path, "loan", "serviced_from"),
                f"{shown(src)} is not a vehicle to service the loan from "
                f"(any other vehicle but a loan: {listing(lenders) or 'none'})",
            )
        )
    return found



#: The largest rate a file may give without ``allow_high_rates: true``: 100% a year.
MAX_RATE = 1.0



def rates(a: Assumptions) -> list[tuple[tuple[str | int, ...], float]]:
    """Every annual rate in ``a`` with its key path: the discount rate, and each vehicle's
    return (rate or path), cash rate, fee, hurdle and loan rates, as far as its kind uses them.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> [".".join(map(str, p)) for p, _ in rates(load("base"))][:4]
    ['discount_rate', 'vehicles.us_led_fund.return.rate', 'vehicles.us_led_fund.cash_rate', \
'vehicles.unfrozen_european_assets.cash_rate']
    """
    out: list[tuple[tuple[str | int, ...], float]] = [(("discount_rate",), a.discount_rate)]
    for vid, v in a.vehicles.items():
        at, uses = ("vehicles", vid), _USES[v.kind]  # a kind's own rates, not unused defaults
        if "return_" in uses and v.return_.rate is not None:
            out.append(((*at, "return", "rate"), v.return_.rate))
        if "return_" in uses:
            out += [((*at, "return", "path", i), x) for i, x in enumerate(v.return_.path or [])]
        if "cash_rate" in uses:
            out.append(((*at, "cash_rate"), v.cash_rate))
        if v.fee is not None:
            out.append(((*at, "fee", "rate"), v.fee.rate))
        if v.waterfall is not None and v.waterfall.hurdle is not None:
            out.append(((*at, "waterfall", "hurdle", "rate"), v.waterfall.hurdle.rate))
        if v.loan is not None:
            out.append(((*at, "loan", "rate"), v.loan.rate))
    return out



def rate_problems(a: Assumptions) -> list[Problem]:
    """Rates above 1 (100% a year): most likely a percentage typed for a decimal (5 for 0.05).
    A file that means them says ``allow_high_rates: true``.

    Examples
    --------
    >>> from pydantic import BaseModel
    >>> from finmodel.inputs.loader import load
    >>> a = load("base", {"discount_rate": 5.0, "allow_high_rates": True})
    >>> rate_problems(a), rate_problems(BaseModel.model_copy(a, update={"allow_high_rates": False}))
    ([], [(('discount_rate',), 'is 5, a rate above 1 (500% a year); rates are decimals: did you \
mean 0.05? (if 500% is meant, set allow_high_rates: true)')])
    """
    if a.allow_high_rates:
        return []
    return [
        (
            path,
            f"is {x:g}, a rate above 1 ({x:.0%} a year); rates are decimals: did you mean "
            f"{x / 100:g}? (if {x:.0%} is meant, set allow_high_rates: true)",
        )
        for path, x in rates(a)
        if x > MAX_RATE
    ]
