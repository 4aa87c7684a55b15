"""The rows every live calculation sheet shares, whatever its kind: contributions (new money,
or the pool's carve-outs), the waterfall's tiers (:mod:`finmodel.engine.waterfall`), the
payments by party, and the metrics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from finmodel.engine.batch import VehicleInputs
from finmodel.kinds import Basis
from finmodel.reports.live.grid import RATE, Grid, K, Refs
from finmodel.reports.live.phasing import live_money, new_money
from finmodel.reports.live.pool import from_pool
from finmodel.reports.live.static import METRICS

if TYPE_CHECKING:
    from finmodel.studies.run import Result

def waterfall_rows(g: Grid, refs: Refs, v: VehicleInputs) -> None:
    """Tiers of each distribution: capital, hurdle, profit (:mod:`finmodel.engine.tiers`)."""
    g.section(f"Waterfall ({v.basis.value})")
    if v.basis is Basis.income_split:
        _income_split(g, refs)
    else:
        _capital_first(g, refs)


def _income_split(g: Grid, refs: Refs) -> None:
    """Each period's income is profit as it is paid; at the term, the liquidation repays
    capital first."""
    dist = g.cur("distribution")
    # the term's own income is income, as in every period; the rest is the liquidation
    g.series(
        "income_now",
        "Income at the payout rule (at the term, before the liquidation)",
        "USD bn",
        f"=MIN(MAX({g.cur('return')}-{g.cur('fee')},0)*{refs.scalar('payout')},{dist})",
    )
    g.series(
        "capital_tier",
        "Capital repaid",
        "USD bn",
        f"=IF({K}={g.const('term')},MIN({dist}-{g.cur('income_now')},"
        f"{g.const('committed')}),0)",
    )
    g.series(
        "profit_tier", "Income and profit paid", "USD bn", f"={dist}-{g.cur('capital_tier')}"
    )


def _capital_first(g: Grid, refs: Refs) -> None:
    """Capital owed first, then the preferred return (compounding at the hurdle rate on what is
    owed), then profit."""
    dist = g.cur("distribution")
    g.constant(
        "hurdle_rate",
        "Hurdle, per period",
        "% a period",
        f"={refs.per_period(refs.scalar('hurdle_rate'))}",
        RATE,
    )
    g.series(
        "owed_capital_in",
        "Capital owed before the distribution",
        "USD bn",
        f"={g.prev('owed_capital')}+{g.cur('contribution')}",
        total=False,
    )
    owed = f"({g.prev('owed_capital')}+{g.prev('owed_pref')})"
    g.series(
        "owed_pref_in",
        "Preferred return owed before the distribution",
        "USD bn",
        f"={g.prev('owed_pref')}+{g.const('hurdle_rate')}*{owed}",
        total=False,
    )
    g.series("capital_tier", "Capital repaid", "USD bn", f"=MIN({dist},{g.cur('owed_capital_in')})")
    g.series(
        "hurdle_tier",
        "Preferred return paid",
        "USD bn",
        f"=MIN({dist}-{g.cur('capital_tier')},{g.cur('owed_pref_in')})",
    )
    g.series(
        "profit_tier",
        "Profit paid",
        "USD bn",
        f"={dist}-{g.cur('capital_tier')}-{g.cur('hurdle_tier')}",
    )
    g.series(
        "owed_capital",
        "Capital owed after the distribution",
        "USD bn",
        f"={g.cur('owed_capital_in')}-{g.cur('capital_tier')}",
        total=False,
    )
    g.series(
        "owed_pref",
        "Preferred return owed after the distribution",
        "USD bn",
        f"={g.cur('owed_pref_in')}-{g.cur('hurdle_tier')}",
        total=False,
    )



def contribution_rows(g: Grid, refs: Refs, result: Result, parties: list[str]) -> list[str]:
    """A row per contributor: new money from Inputs, or the pool's carve-outs at period 0."""
    out = []
    owner = parties[result.outcome.batch.owner]
    for p in parties:
        name = result.assumptions.parties[p].name
        a = result.assumptions
        money = new_money(g, refs, a, p) if live_money(a, refs.vid) else None
        if money is not None:
            g.series(f"contribution:{p}", f"Contribution: {name}", "USD bn", f"={money}")
        elif refs.has(f"contribution:{p}"):
            g.series(
                f"contribution:{p}",
                f"Contribution: {name}",
                "USD bn",
                f"={refs.row(f'contribution:{p}')}",
            )
        elif p == owner and from_pool(result, refs.vid):
            use = refs.pool.const(f"vehicle:{refs.vid}", sheet=True)
            g.series(
                f"contribution:{p}",
                f"Contribution: {name} (from the pool)",
                "USD bn",
                f"=IF({K}=0,{use},0)",
            )
        else:
            continue
        out.append(p)
    return out



def _capital_parts(g: Grid, names: dict[str, str], contributors: list[str]) -> None:
    """Capital back to its contributors (capital_to not named), each in proportion to what it
    has paid in and not yet been repaid (:func:`finmodel.engine.tiers.capital_by_party`)."""
    g.section("Capital back to each contributor, pro rata to what it is still owed")
    for p in contributors:
        g.series(f"owed_in:{p}", f"Capital owed before the distribution: {names[p]}", "USD bn",
                 f"={g.prev(f'owed:{p}')}+{g.cur(f'contribution:{p}')}", total=False)  # fmt: skip
    g.series("owed_in_all", "Capital owed before the distribution: all contributors", "USD bn",
             "=" + "+".join(g.cur(f"owed_in:{p}") for p in contributors), total=False)  # fmt: skip
    owed = g.cur("owed_in_all")
    for p in contributors:
        g.series(f"capital_part:{p}", f"Capital repaid: {names[p]}", "USD bn",
                 f"=IF({owed}>0,{g.cur('capital_tier')}*{g.cur(f'owed_in:{p}')}"
                 f"/{owed},0)")  # fmt: skip
        g.series(f"owed:{p}", f"Capital owed after the distribution: {names[p]}", "USD bn",
                 f"=MAX({g.cur(f'owed_in:{p}')}-{g.cur(f'capital_part:{p}')},0)",
                 total=False)  # fmt: skip



def payment_rows(
    g: Grid, refs: Refs, names: dict[str, str], contributors: list[str], v: VehicleInputs
) -> None:
    """What each party (``names``: id -> name) receives from each tier and pays in."""
    to_contributors = not any(refs.has(f"capital:{p}") for p in names)
    if to_contributors and contributors:
        _capital_parts(g, names, contributors)
    g.section("Payments by party (party view: + received, - paid)")
    for p, name in names.items():
        if refs.has(f"capital:{p}"):
            terms = [f"{g.cur('capital_tier')}*{refs.scalar(f'capital:{p}')}"]
        elif to_contributors and p in contributors:
            terms = [g.cur(f"capital_part:{p}")]
        else:
            terms = []
        for row, key in (("hurdle_tier", "hurdle"), ("profit_tier", "profit"), ("fee", "fee")):
            if row in g.rows:
                terms.append(f"{g.cur(row)}*{refs.scalar(f'{key}:{p}')}")
        g.series(f"receipts:{p}", f"Receipts: {name}", "USD bn", "=" + ("+".join(terms) or "0"))
    payer = return_payer(v, list(names))
    for p in contributors:
        if p != payer:
            g.series(f"payments:{p}", f"Payments: {names[p]}", "USD bn",
                     f"=-{g.cur(f'contribution:{p}')}")  # fmt: skip
    if payer is not None:
        g.series("return_paid", f"Return paid in by {names[payer]} (the projects' return, when "
                 "positive)", "USD bn", f"=MAX({g.cur('grow')},0)")  # fmt: skip
        own = f"-{g.cur(f'contribution:{payer}')}" if payer in contributors else ""
        g.series(f"payments:{payer}", f"Payments: {names[payer]}", "USD bn",
                 f"={own}-{g.cur('return_paid')}")  # fmt: skip


def return_payer(v: VehicleInputs, parties: list[str]) -> str | None:
    """The party that pays fund ``v``'s projects' return (``return.paid_by``), or None."""
    if v.return_paid_by is None:
        return None
    return parties[int(v.return_paid_by[0].argmax())]



def metric_rows(g: Grid, refs: Refs) -> None:
    """Contributed, distributed, terminal value, profit, MOIC, IRR (annualised) and NPV."""
    tl = refs.timeline
    g.section("Metrics (investors' view: - contributions, + distributions and V_N at the horizon)")
    lent = f"-IF({K}=0,{g.const('opening')},0)" if "opening" in g.rows else ""
    g.series(
        "net_flow",
        "Net flow (with V_N at the horizon" + (", the opening balance lent at 0)" if lent else ")"),
        "USD bn",
        f"={g.cur('distribution')}-{g.cur('contribution')}{lent}"
        f"+{g.cur('value')}*{tl.cur('last', True)}",
    )
    lines = [k for k in ("contribution", "disbursed", "return", "fee", "distribution", "value")
             if k in g.rows]  # fmt: skip
    opening = f"+IF({K}=0,ABS({g.const('opening')}),0)" if "opening" in g.rows else ""
    g.series("gross", "Gross: every line's absolute amount (the checks' scale)", "USD bn",
             "=" + "+".join(f"ABS({g.cur(k)})" for k in lines) + opening)  # fmt: skip
    d = {k: f"$D${g.next_row + i}" for i, k in enumerate(METRICS)}  # where each metric goes
    back = f"({d['distributed']}+{d['terminal_value']})"
    guess = tl.const("periodic_discount", True)
    formulas = {
        "contributed": f"={g.total('contribution')}" + (f"+{g.const('opening')}" if lent else ""),
        "distributed": f"={g.total('distribution')}",
        "terminal_value": f"=SUMPRODUCT({g.span('value')},{tl.span('last', True)})",
        "profit": f"={back}-{d['contributed']}",
        "moic": f'=IF({d["contributed"]}>0,{back}/{d["contributed"]},"n/a")',
        # as the engine: money paid in and nothing back (no positive flow) is a total loss, -100%
        "irr": f'=IF(AND(COUNTIF({g.span("net_flow")},">0")=0,'
               f'COUNTIF({g.span("net_flow")},"<0")>0),-1,'
               f'IFERROR((1+IRR({g.span("net_flow")},{guess}))^{refs.m}-1,"n/a"))',
        "npv": f"=SUMPRODUCT({g.span('net_flow')},{tl.span('discount', True)})",
    }
    for key, (label, units, fmt) in METRICS.items():
        g.metric(key, label, units, formulas[key], fmt)
