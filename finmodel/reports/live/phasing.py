"""Schedules over years, live: deployment, release and new money, from their ``years`` inputs.

:meth:`finmodel.engine.timeline.Timeline.phasing` as a formula. With ``years`` Y from
``start_year`` S
and m periods a year, period k receives 1 / (Y m) for S m < k <= (S + Y) m, or everything at
k = S m when Y = 0; tranches past the horizon fall off the timeline. A schedule given as
``fractions`` per year stays a timing row on the Inputs sheet (the engine's numbers), as does
new money in a currency whose exchange rate follows a path.

Inputs keys: ``<vid>:deploy_years``, ``<vid>:release_years``, and per contribution i
``<vid>:money:<i>`` (amount, bn of its currency), ``<vid>:money_years:<i>``,
``<vid>:money_start:<i>``; ``fx:<currency>`` (constant rates).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from finmodel.kinds import VehicleKind
from finmodel.reports.live.grid import Grid, K, Refs

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions
    from finmodel.inputs.models.vehicle import Vehicle



def live_money(a: Assumptions, vid: str) -> bool:
    """Whether vehicle ``vid``'s new money is live: contributions in USD or a constant rate."""
    capital = a.vehicles[vid].capital
    money = (capital.contributions if capital is not None else None) or ()
    return bool(money) and all(c.currency == "USD" or a.fx[c.currency].path is None for c in money)


def live_years(spec: Vehicle, kind: VehicleKind) -> str | None:
    """``deployment`` or ``release`` when that schedule is ``years`` (live), else None."""
    name = {VehicleKind.fund: "deployment", VehicleKind.release: "release"}.get(kind)
    if name is None or getattr(spec, name).fractions is not None:
        return None
    return name


def phasing_inputs(a: Assumptions, vid: str, kind: VehicleKind, scalar) -> None:
    """A vehicle's schedule inputs, written with ``scalar(key, label, units, value, fmt)``."""
    spec, path = a.vehicles[vid], f"vehicles.{vid}"
    name = live_years(spec, kind)
    if name is not None:
        key = "deploy_years" if name == "deployment" else "release_years"
        scalar(f"{vid}:{key}", f"{path}.{name}.years", "years", getattr(spec, name).years, "0")
    if not live_money(a, vid):
        return
    assert spec.capital is not None and spec.capital.contributions is not None  # live money
    for i, c in enumerate(spec.capital.contributions):
        head = f"{path}.capital.contributions.{i}"
        who = a.parties[c.party].name
        scalar(
            f"{vid}:money:{i}",
            f"{head}.amount_bn ({who}, {c.currency})",
            f"{c.currency} bn",
            c.amount_bn,
            "#,##0.00",
        )
        if c.before_start:  # a loan's opening balance: no timing
            continue
        scalar(f"{vid}:money_years:{i}", f"{head}.years", "years", c.years, "0")
        scalar(f"{vid}:money_start:{i}", f"{head}.start_year", "years", c.start_year, "0")


def tranches(g: Grid, refs: Refs, key: str, label: str, years: str, start: str = "0") -> str:
    """A row of the fraction falling in each period; returns its current-period reference."""
    m = refs.m
    first, last = f"{start}*{m}", f"({start}+{years})*{m}"
    g.series(
        key,
        label,
        "share",
        f"=IF({years}=0,IF({K}={first},1,0),IF(AND({K}>{first},{K}<={last}),1/({years}*{m}),0))",
        total=False,
        fmt="0.00%",
    )
    return g.cur(key)


def deploy_target(g: Grid, refs: Refs) -> None:
    """Row ``target``: the cumulative fraction of committed capital to deploy by each period."""
    if not refs.has("deploy_years"):
        g.series(
            "target",
            "Cumulative fraction to deploy",
            "share",
            f"={refs.row('deploy_target')}",
            total=False,
            fmt="0.00%",
        )
        return
    tranche = tranches(
        g, refs, "tranche", "Fraction to deploy in the period", refs.scalar("deploy_years")
    )
    g.series(
        "target",
        "Cumulative fraction to deploy",
        "share",
        f"={g.prev('target')}+{tranche}",
        total=False,
        fmt="0.00%",
    )


def release_share(g: Grid, refs: Refs) -> None:
    """Row ``share``: the fraction of what is left released in each period.

    f_k / (1 - F_{k-1}); the tranche that completes the schedule releases all that is left.
    """
    if not refs.has("release_years"):
        g.series(
            "share",
            "Share of the balance released",
            "share",
            f"={refs.row('release_share')}",
            total=False,
            fmt="0.00%",
        )
        return
    f = tranches(
        g,
        refs,
        "tranche",
        "Fraction of the whole released in the period",
        refs.scalar("release_years"),
    )
    g.series(
        "released",
        "Fraction released so far",
        "share",
        f"={g.prev('released')}+{f}",
        total=False,
        fmt="0.00%",
    )
    tol = refs.inputs.const("deployed_tolerance", True)
    left = f"(1-{g.prev('released')})"
    g.series(
        "share",
        "Share of the balance released",
        "share",
        f"=IF(AND({f}>0,{g.cur('released')}>=1-{tol}),1,IF({left}>{tol},MIN({f}/{left},1),0))",
        total=False,
        fmt="0.00%",
    )


def new_money(g: Grid, refs: Refs, a: Assumptions, party: str) -> str | None:
    """Formula text of ``party``'s new money in the current period (None: it pays nothing)."""
    spec = a.vehicles[refs.vid]
    bn = refs.inputs.const("bn", True)
    terms = []
    money = (spec.capital.contributions if spec.capital is not None else None) or ()
    for i, c in enumerate(money):
        if c.party != party or c.before_start:
            continue
        fx = "" if c.currency == "USD" else f"*{refs.inputs.const(f'fx:{c.currency}', True)}"
        years, start = refs.scalar(f"money_years:{i}"), refs.scalar(f"money_start:{i}")
        label = f"Contribution {i}: fraction in the period"
        share = tranches(g, refs, f"money_phase:{i}", label, years, start)
        terms.append(f"{refs.scalar(f'money:{i}')}*{bn}{fx}*{share}")
    return "+".join(terms) or None
