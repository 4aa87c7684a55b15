"""One live calculation sheet per vehicle: its schedule, waterfall, payments by party and metrics.

Each vehicle kind is one function that writes the schedule rows (:data:`SCHEDULES`); the rows
reproduce :mod:`finmodel.engine.schedule` formula by formula. The waterfall (:mod:`finmodel.engine.waterfall`),
the payments by party and the metrics are the same for every kind. A kind with no function here
(a kind added to the engine later) gets the engine's own numbers (:mod:`finmodel.reports.live.static`),
so the workbook never breaks.

Row keys every sheet has: ``contribution`` (and ``contribution:<party>`` per contributor),
``distribution``, ``value`` (value at the end of the period), ``return``, ``fee`` (rows a kind
does not have are absent), ``receipts:<party>`` and ``payments:<party>`` (contributors only),
``net_flow``; metrics (column D) ``contributed``,
``distributed``, ``terminal_value``, ``profit``, ``moic``, ``irr``, ``npv``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from openpyxl.workbook import Workbook

from finmodel.engine.batch import VehicleInputs
from finmodel.kinds import Basis, FeeBasis, VehicleKind
from finmodel.reports.cells import USD_BN
from finmodel.reports.live.grid import PERIOD_ROW, Grid
from finmodel.reports.live.phasing import deploy_target, live_money, new_money, release_share
from finmodel.reports.live.pool import from_pool
from finmodel.reports.live.static import METRICS, engine_rows
from finmodel.reports.live.streams import has_live_flows, loan_sheet, stream_sheet

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions
    from finmodel.studies.run import Result

K = f"{{c}}${PERIOD_ROW}"  # the period number, in the current column
RATE = "0.0000%"


class Refs:
    """The other sheets a calculation sheet refers to, and its vehicle's input keys."""

    def __init__(self, inputs: Grid, timeline: Grid, pool: Grid, vid: str) -> None:
        self.inputs, self.timeline, self.pool, self.vid = inputs, timeline, pool, vid

    def scalar(self, key: str) -> str:
        """The vehicle's scalar input ``key`` (absolute, on Inputs)."""
        return self.inputs.const(f"{self.vid}:{key}", sheet=True)

    def row(self, key: str) -> str:
        """The vehicle's timing input row ``key`` in the current period."""
        return self.inputs.cur(f"{self.vid}:{key}", sheet=True)

    def has(self, key: str) -> bool:
        return f"{self.vid}:{key}" in self.inputs.rows

    @property
    def m(self) -> str:
        return self.inputs.const("m", sheet=True)

    def per_period(self, annual: str) -> str:
        """Formula text of the per-period rate of an annual rate: (1 + r)^(1/m) - 1."""
        return f"(1+{annual})^(1/{self.m})-1"


def is_live(a: Assumptions, vid: str) -> bool:
    """Whether vehicle ``vid`` gets live formulas (else the engine's numbers, as values)."""
    kind = a.vehicles[vid].kind
    return kind in SCHEDULES or (kind in FLOW_KINDS and has_live_flows(a, vid))


def vehicle_sheet(
    wb: Workbook,
    result: Result,
    v: VehicleInputs,
    refs: Refs,
    title: str,
    source: Grid | None = None,
) -> Grid:
    """Write the calculation sheet of vehicle ``v``, titled ``title``; return its grid (row
    keys above).

    ``source``: the sheet of the vehicle that services a loan (built before it).
    """
    b = result.outcome.batch
    spec = result.assumptions.vehicles[v.id]
    g = Grid(wb.create_sheet(title), b.timeline.columns)
    g.title(f"{spec.name}: live schedule, waterfall and payments ({v.kind.value})", result.name)
    g.section("Schedule (the vehicle's books)")
    if not is_live(result.assumptions, v.id):
        engine_rows(g, result, v)
        g.flush()
        return g
    if v.kind is VehicleKind.stream:
        stream_sheet(g, refs, result, v)
    elif v.kind is VehicleKind.loan:
        loan_sheet(g, refs, result, v, source)
    if v.kind in FLOW_KINDS:
        metrics(g, refs)
        g.flush()
        return g
    build = SCHEDULES[v.kind]
    names = {p: result.assumptions.parties[p].name for p in b.parties}
    contributors = _contributions(g, refs, result, b.parties)
    terms = [g.cur(f"contribution:{p}") for p in contributors] or ["0"]
    g.series("contribution", "Contribution", "USD bn", "=" + "+".join(terms))
    _constants(g, refs)
    build(g, refs, spec.fee.basis if spec.fee else FeeBasis.committed)
    _waterfall(g, refs, v)
    _payments(g, refs, names, contributors, v)
    metrics(g, refs)
    g.flush()
    return g


def _constants(g: Grid, refs: Refs) -> None:
    """Committed capital and the term, in periods."""
    g.constant(
        "committed",
        "Committed capital (all contributions)",
        "USD bn",
        f"={g.total('contribution')}",
        USD_BN,
    )
    g.constant(
        "term",
        "Term (the liquidation period)",
        "period",
        f"=ROUND({refs.scalar('term_years')}*{refs.m},0)",
        "0",
    )


# --- schedules, one function per kind -------------------------------------------------------


def _fund(g: Grid, refs: Refs, fee_basis: FeeBasis) -> None:
    """The fund's schedule: :func:`finmodel.engine.schedule._fund`, row by row."""
    g.series(
        "alive",
        "Before or at the term (1, else 0)",
        "flag",
        f"=IF({K}<={g.const('term')},1,0)",
        total=False,
        fmt="0",
    )
    deploy_target(g, refs)
    r = g.series(
        "moves",
        "Period in which the schedule moves (else 0)",
        "period",
        f"=IF(OR({g.cur('target')}<>{g.prev('target')},{g.cur('contribution')}<>0),{K},0)",
        total=False,
        fmt="0",
    )
    g.formula(r, 2, f"=MAX({g.span('moves')})", "0")
    g.rows["deploy_until"] = r  # its constant: the last period in which anything deploys
    if refs.has("return_path"):
        g.series(
            "rate",
            "Return on projects, per period",
            "% a period",
            f"={refs.per_period(refs.row('return_path'))}",
            total=False,
            fmt=RATE,
        )
        rate = g.cur("rate")
    else:
        g.constant(
            "rate",
            "Return on projects, per period",
            "% a period",
            f"={refs.per_period(refs.scalar('return_rate'))}",
            RATE,
        )
        rate = g.const("rate")
    fee = f"Fee rate (on {fee_basis.value}, at most the value)"
    for key, label in (("cash_rate", "Return on cash"), ("fee_rate", fee)):
        g.constant(
            key, f"{label}, per period", "% a period", f"={refs.per_period(refs.scalar(key))}", RATE
        )
    g.series("grow", "Return on projects", "USD bn", f"={g.prev('projects')}*{rate}")
    g.series("earn", "Return on cash", "USD bn", f"={g.prev('cash')}*{g.const('cash_rate')}")
    g.series("return", "Return", "USD bn", f"={g.cur('grow')}+{g.cur('earn')}")
    g.series(
        "cash_in",
        "Cash before deployment",
        "USD bn",
        f"={g.prev('cash')}+{g.cur('earn')}+{g.cur('contribution')}",
        total=False,
    )
    done = f"{g.cur('target')}>=1-{refs.inputs.const('deployed_tolerance', True)}"
    tranche = (
        f"MIN(MAX({g.cur('target')}*{g.const('committed')}-{g.prev('deployed_sum')},0),"
        f"{g.cur('cash_in')})"
    )
    g.series(
        "deployed",
        "Deployed into projects",
        "USD bn",
        f"=IF({K}<={g.const('deploy_until')},IF({done},{g.cur('cash_in')},{tranche}),0)"
        f"*{g.cur('alive')}",
    )
    g.series(
        "deployed_sum",
        "Deployed so far",
        "USD bn",
        f"={g.prev('deployed_sum')}+{g.cur('deployed')}",
        total=False,
    )
    g.series(
        "projects_in",
        "Projects before payments",
        "USD bn",
        f"={g.prev('projects')}+{g.cur('grow')}+{g.cur('deployed')}",
        total=False,
    )
    g.series(
        "cash_left",
        "Cash before payments",
        "USD bn",
        f"={g.cur('cash_in')}-{g.cur('deployed')}",
        total=False,
    )
    gross = f"({g.cur('projects_in')}+{g.cur('cash_left')})"
    basis = g.const("committed") if fee_basis is FeeBasis.committed else g.prev("value")
    g.series(
        "fee",
        "Fee",
        "USD bn",
        f"=IF({K}>0,MIN({g.const('fee_rate')}*{basis},{gross}),0)*{g.cur('alive')}",
    )
    left = f"{gross}-{g.cur('fee')}"
    income = f"MIN(MAX({g.cur('return')}-{g.cur('fee')},0)*{refs.scalar('payout')},{left})"
    g.series(
        "distribution",
        "Distribution",
        "USD bn",
        f"=IF({K}={g.const('term')},{left},{income})*{g.cur('alive')}",
    )
    g.series(
        "from_projects",
        "Paid from projects (first, then cash)",
        "USD bn",
        f"=MIN({g.cur('fee')}+{g.cur('distribution')},{g.cur('projects_in')})",
    )
    ended = f"{K}>={g.const('term')}"
    g.series(
        "projects",
        "Projects at the end of the period",
        "USD bn",
        f"=IF({ended},0,{g.cur('projects_in')}-{g.cur('from_projects')})",
        total=False,
    )
    paid_from_cash = f"{g.cur('fee')}+{g.cur('distribution')}-{g.cur('from_projects')}"
    g.series(
        "cash",
        "Cash at the end of the period",
        "USD bn",
        f"=IF({ended},0,MAX({g.cur('cash_left')}-({paid_from_cash}),0))",
        total=False,
    )
    g.series(
        "value",
        "Value at the end of the period",
        "USD bn",
        f"={g.cur('projects')}+{g.cur('cash')}",
        total=False,
    )


def _grant(g: Grid, refs: Refs, fee_basis: FeeBasis) -> None:
    """A grant passes each contribution straight on."""
    g.series(
        "distribution",
        "Distribution",
        "USD bn",
        f"={g.cur('contribution')}",
    )
    g.series(
        "value",
        "Value at the end of the period",
        "USD bn",
        f"={g.prev('value')}+{g.cur('contribution')}-{g.cur('distribution')}",
        total=False,
    )


def _release(g: Grid, refs: Refs, fee_basis: FeeBasis) -> None:
    """A release keeps its balance as cash and pays out the scheduled share of what is left."""
    g.constant(
        "cash_rate",
        "Return on cash, per period",
        "% a period",
        f"={refs.per_period(refs.scalar('cash_rate'))}",
        RATE,
    )
    release_share(g, refs)
    g.series(
        "return",
        "Return",
        "USD bn",
        f"={g.prev('value')}*{g.const('cash_rate')}",
    )
    g.series(
        "balance_in",
        "Balance before the release",
        "USD bn",
        f"={g.prev('value')}+{g.cur('return')}+{g.cur('contribution')}",
        total=False,
    )
    g.series(
        "distribution",
        "Distribution",
        "USD bn",
        f"={g.cur('balance_in')}*{g.cur('share')}",
    )
    g.series(
        "value",
        "Value at the end of the period",
        "USD bn",
        f"={g.cur('balance_in')}-{g.cur('distribution')}",
        total=False,
    )


SCHEDULES: dict[VehicleKind, Callable[[Grid, Refs, FeeBasis], None]] = {
    VehicleKind.fund: _fund,
    VehicleKind.grant: _grant,
    VehicleKind.release: _release,
}
#: Kinds that pass money on at once and write their own payments (:mod:`finmodel.reports.live.streams`).
FLOW_KINDS = (VehicleKind.stream, VehicleKind.loan)


# --- waterfall, payments and metrics: every kind -------------------------------------------


def _waterfall(g: Grid, refs: Refs, v: VehicleInputs) -> None:
    """Tiers of each distribution: capital, hurdle, profit (:mod:`finmodel.engine.waterfall`)."""
    g.section(f"Waterfall ({v.basis.value})")
    dist = g.cur("distribution")
    if v.basis is Basis.income_split:
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
        return
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


def _contributions(g: Grid, refs: Refs, result: Result, parties: list[str]) -> list[str]:
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


def _payments(
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
    for p in contributors:
        g.series(
            f"payments:{p}", f"Payments: {names[p]}", "USD bn", f"=-{g.cur(f'contribution:{p}')}"
        )


def metrics(g: Grid, refs: Refs) -> None:
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
        "irr": f'=IFERROR((1+IRR({g.span("net_flow")},{guess}))^{refs.m}-1,"n/a")',
        "npv": f"=SUMPRODUCT({g.span('net_flow')},{tl.span('discount', True)})",
    }
    for key, (label, units, fmt) in METRICS.items():
        g.metric(key, label, units, formulas[key], fmt)
