"""Live formulas for a power plant's stream: its net value per MWh, its units' restart years
and the restart capital spent before output (:mod:`finmodel.inputs.streams`).

Each party's value per MWh is its share x (its price - the running cost per MWh); the money
splits in proportion to those values. Without ``unit_start_years`` the plant ramps from the
stream's ``start_year``; with them each equal unit has its own ramp row and the output is
their mean. The restart capital falls in equal tranches (:func:`~finmodel.reports.live.phasing.
tranches`) and each party pays its share of it: the stream's ``profit_split``, or ``paid_by``.

Inputs keys (per vehicle): ``cost_per_mwh``, ``unit:<i>`` (each unit's first year),
``restart_bn``, ``restart_start``, ``restart_years`` and ``restart_by:<party>``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from finmodel.reports.live.grid import SHARE, Grid, K, Refs
from finmodel.reports.live.phasing import tranches

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions
    from finmodel.inputs.models.vehicle import Energy


def plant_inputs(a: Assumptions, vid: str, scalar) -> None:
    """An energy stream's running cost, unit schedule and restart capital, labelled by key."""
    st = a.vehicles[vid].stream
    assert st is not None and st.energy is not None  # an energy stream's
    e, head = st.energy, f"vehicles.{vid}.stream.energy"
    scalar(f"{vid}:cost_per_mwh", f"{head}.cost_per_mwh ({e.currency})", f"{e.currency}/MWh",
           e.cost_per_mwh, "#,##0.00")  # fmt: skip
    for i, year in enumerate(e.unit_start_years or ()):
        scalar(f"{vid}:unit:{i}", f"{head}.unit_start_years.{i} (unit {i + 1}'s first year)",
               "years", year, "0.00")  # fmt: skip
    r = e.restart_capital
    if r is None:
        return
    rc = f"{head}.restart_capital"
    scalar(f"{vid}:restart_bn", f"{rc}.amount_bn ({e.currency})", f"{e.currency} bn",
           r.amount_bn, "#,##0.00")  # fmt: skip
    scalar(f"{vid}:restart_start", f"{rc}.start_year", "years", r.start_year, "0")
    scalar(f"{vid}:restart_years", f"{rc}.years", "years", r.years, "0")
    for p, share in (r.paid_by or {}).items():
        scalar(f"{vid}:restart_by:{p}", f"{rc}.paid_by: {a.parties[p].name}", "share", share,
               SHARE)  # fmt: skip


def energy_rows(
    g: Grid, refs: Refs, e: Energy, parties: list[str], names: dict
) -> tuple[str, dict]:
    """The full rate of an energy stream (bn a year, net of the running cost) and each party's
    share of the money."""
    listed = (e.price_per_mwh_by_party or {}) if e.split_as == "energy" else {}
    cost = refs.scalar("cost_per_mwh")
    value = {}
    for p in parties:
        price = refs.scalar(f"price:{p}") if p in listed else refs.scalar("price_per_mwh")
        g.constant(f"value:{p}", f"Net value per MWh of output to {names[p]} "
                   "(share x (price - cost))", f"{e.currency}/MWh",
                   f"={refs.scalar(f'profit:{p}')}*({price}-{cost})", "#,##0.0000")  # fmt: skip
        value[p] = g.const(f"value:{p}")
    g.constant("per_mwh", "Net value per MWh of output", f"{e.currency}/MWh",
               f"={'+'.join(value.values())}", "#,##0.0000")  # fmt: skip
    per_mwh = g.const("per_mwh")
    shares = {}
    for p in parties:
        g.constant(f"share:{p}", f"Share of the money: {names[p]}", "share",
                   f"=IF({per_mwh}<>0,{value[p]}/{per_mwh},{refs.scalar(f'profit:{p}')})",
                   "0.0000%")  # fmt: skip
        shares[p] = g.const(f"share:{p}")
    hours, mw = refs.inputs.const("hours_a_year", True), refs.inputs.const("mw_per_gw", True)
    mwh = f"{refs.scalar('capacity_gw')}*{mw}*{hours}*{refs.scalar('capacity_factor')}"
    g.constant("mwh", "Output (MWh a year at full rate)", "MWh", f"={mwh}", "#,##0")
    return f"{g.const('mwh')}*{per_mwh}/{refs.inputs.const('bn', True)}", shares


def output_rows(g: Grid, refs: Refs, e: Energy | None, start: str, ramp: str, m: str) -> None:
    """Row ``ramp``: the share of full output in each period: the plant's ramp from the
    stream's start, or the mean of its units' ramps, each from its own first year."""
    units = e.unit_start_years if e is not None else None
    if not units:
        ramp_rows(g, start, ramp, m, "")
        return
    for i in range(len(units)):
        ramp_rows(g, refs.scalar(f"unit:{i}"), ramp, m, f":{i}", f" (unit {i + 1})")
    each = ",".join(g.cur(f"ramp:{i}") for i in range(len(units)))
    g.series("ramp", "Share of full output: the units' mean", "share",
             f"=AVERAGE({each})", total=False, fmt="0.00%")  # fmt: skip


def ramp_rows(g: Grid, start: str, ramp: str, m: str, key: str, label: str = "") -> None:
    """Row ``ramp<key>``: each period's average of a linear ramp over L = ramp_years x m
    periods from ``start``.

    area(x) = x^2 / (2L) for 0 <= x <= L, x - L/2 beyond (0 before); the period's average is
    area(t) - area(t - 1), t the periods since the start year's end; L = 0: area(x) = x, so a
    start within a period gives it its share.
    """
    if "ramp_periods" not in g.rows:
        g.constant("ramp_periods", "Ramp length L", "periods", f"={ramp}*{m}", "0.00")
        length = g.const("ramp_periods")
        g.constant("ramp_twice", "2L", "periods", f"={length}+{length}", "0.00")
    length, twice = g.const("ramp_periods"), g.const("ramp_twice")
    g.series(f"since{key}", f"Periods since the start year's end (t){label}", "periods",
             f"={K}-{start}*{m}", total=False, fmt="0.00")  # fmt: skip
    t = g.cur(f"since{key}")
    g.series(
        f"area{key}",
        f"Ramp's area up to t{label}",
        "periods",
        f"=IF({t}<=0,0,IF({length}=0,{t},IF({t}<={length},{t}*{t},{t}*{twice}-{length}*{length})"
        f"/{twice}))",
        total=False,
        fmt="0.0000",
    )
    g.series(f"ramp{key}", f"Ramp: the period's average (area(t) - area(t - 1)){label}", "share",
             f"={g.cur(f'area{key}')}-{g.prev(f'area{key}')}", total=False,
             fmt="0.00%")  # fmt: skip


def restart_rows(g: Grid, refs: Refs, e: Energy, parties: list[str], names: dict,
                 usd: str) -> dict[str, str]:
    """Rows ``restart`` (USD bn spent a period) and ``restart:<party>`` (what each pays);
    returns each paying party's current-period reference. ``usd``: '*bn*fx', bn of the
    energy's currency to USD bn."""
    r = e.restart_capital
    if r is None:
        return {}
    tranches(g, refs, "restart_phase", "Restart capital: the period's tranche",
             refs.scalar("restart_years"), refs.scalar("restart_start"))
    g.series("restart", "Restart capital spent (outside the parties)", "USD bn",
             f"={refs.scalar('restart_bn')}{usd}*{g.cur('restart_phase')}")  # fmt: skip
    out = {}
    for p in parties:
        if r.paid_by is not None:
            if p not in r.paid_by:
                continue
            share = refs.scalar(f"restart_by:{p}")
        else:
            share = refs.scalar(f"profit:{p}")
        g.series(f"restart:{p}", f"Restart capital paid: {names[p]}", "USD bn",
                 f"={g.cur('restart')}*{share}")  # fmt: skip
        out[p] = g.cur(f"restart:{p}")
    return out
