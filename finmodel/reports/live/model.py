"""The live model: Excel formulas from the Inputs sheet to every party's totals, NPV and IRR.

Sheets, in the order of the logic (FAST: inputs, calculations, outputs, checks):

- ``Inputs``: every number the formulas use (:mod:`finmodel.reports.live.inputs`);
- ``Timeline``: periods, dates, flags and discount factors;
- ``Calc pool``: the frozen pool's carve-outs (:mod:`finmodel.reports.live.pool`);
- ``Calc <vehicle>``: one per vehicle (:mod:`finmodel.reports.live.vehicle`, schedules over years
from
  :mod:`finmodel.reports.live.phasing`);
- ``Parties (live)``: each party's net flow per period, cumulative receipts, totals and NPV;
- ``Checks (live)``: identities of the live model, and the live model against finmodel's own run,
  each row an error and a flag; the Summary's master check reads "OK" when every flag is 0.

The static sheets beside it keep finmodel's numbers as values, for readers that do not
recalculate; the workbook is set to recalculate fully when it is opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from openpyxl.workbook import Workbook

from finmodel.reports.cells import (
    BOLD,
    ENGINE_FONT,
    MOIC,
    PCT,
    USD_BN,
    USD_CENTS,
    header,
    put,
    widths,
)
from finmodel.reports.live.grid import SIGN_NOTE, Grid, Refs
from finmodel.reports.live.inputs import inputs_sheet, timeline_sheet
from finmodel.reports.live.pool import pool_sheet
from finmodel.reports.live.vehicle import vehicle_sheet

if TYPE_CHECKING:
    from finmodel.studies.run import Result

CHECKS = "Checks (live)"
#: How a check row against finmodel's run ends (the others are identities).
AGAINST_RUN = ", live vs finmodel run"
PARTIES = "Parties (live)"
#: Columns of the Checks (live) sheet.
_CHECK_HEADER = [
    "Check",
    "Live model",
    "finmodel run / expected",
    "Difference",
    "Tolerance",
    "Fails (1)",
]


@dataclass(frozen=True)
class LiveModel:
    """The live sheets written: the master check's formula, and where the totals are."""

    master: str
    parties: Grid
    calcs: dict[str, Grid]
    #: the Inputs cell holding one billion (amounts shown in bn in text)
    bn: str


def write_live(wb: Workbook, result: Result, titles: dict[str, str]) -> LiveModel:
    """Add the live sheets to ``wb``, each vehicle's Calc sheet titled ``titles[vehicle id]``;
    return the master check formula and the output grids."""
    inputs = inputs_sheet(wb, result)
    timeline = timeline_sheet(wb, result, inputs)
    pool = pool_sheet(wb, result, inputs)
    vehicles = result.outcome.batch.vehicles
    built: dict[str, Grid] = {}
    # a loan serviced from another vehicle reads that vehicle's sheet: build it first
    for v in sorted(vehicles, key=lambda v: v.serviced_from is not None):
        source = built.get(v.serviced_from) if v.serviced_from is not None else None
        refs = Refs(inputs, timeline, pool, v.id)
        built[v.id] = vehicle_sheet(wb, result, v, refs, titles[v.id], source)
    calcs = {v.id: built[v.id] for v in vehicles}
    _sheet_order(wb, [g.ws for g in calcs.values()])
    parties = parties_sheet(wb, result, calcs, timeline)
    identities, runs = checks_sheet(wb, result, inputs, calcs, parties, pool)
    wb.calculation.fullCalcOnLoad = True
    return LiveModel(master_formula(identities, runs), parties, calcs, inputs.const("bn", True))


#: The master check's three answers: the model adds up and equals the run; the model adds up
#: but an input was edited (so it differs from the run, on purpose); an identity is broken.
MASTER_OK = "OK: every live check row is zero"
MASTER_CHANGED = (
    "CHANGED: an input was edited, so the live numbers differ from finmodel's run (the model "
    "still adds up). The live totals lead (below); the run's tables do not move."
)
MASTER_BROKEN = f"NOT OK: money in = money out is broken in the live model: see {CHECKS}"


def master_formula(identities: str, runs: str) -> str:
    """The Summary's master check: an identity broken says NOT OK (the model is broken); the
    live numbers differing from the run says CHANGED (an input was edited); else OK.

    Examples
    --------
    >>> master_formula("C!F1:F2", "C!F3:F4")[:40]
    '=IF(SUM(C!F1:F2)>0,"NOT OK: money in = m'
    """
    return (f'=IF(SUM({identities})>0,"{MASTER_BROKEN}",'
            f'IF(SUM({runs})>0,"{MASTER_CHANGED}","{MASTER_OK}"))')  # fmt: skip


def _sheet_order(wb: Workbook, sheets: list) -> None:
    """Put the Calc sheets back in the order of the vehicles (they were built sources first)."""
    at = sorted(wb.worksheets.index(ws) for ws in sheets)
    for i, ws in zip(at, sheets):
        wb._sheets[i] = ws


def parties_sheet(wb: Workbook, result: Result, calcs: dict[str, Grid], timeline: Grid) -> Grid:
    """Each party's net flow over time (all vehicles), cumulative receipts, totals and NPV.

    Row keys ``net:<party>``, ``cumulative:<party>``; metrics ``received:<party>``,
    ``paid:<party>``, ``net_total:<party>``, ``npv:<party>``.
    """
    b = result.outcome.batch
    names = result.assumptions.parties
    g = Grid(wb.create_sheet(PARTIES), b.timeline.columns)
    g.title("Parties (live): who receives what, over time and in total", result.name)
    g.section("Net flow by party, all vehicles")
    for p in b.parties:
        terms = [
            g_.cur(f"{kind}:{p}", sheet=True)
            for g_ in calcs.values()
            for kind in ("receipts", "payments")
            if f"{kind}:{p}" in g_.rows
        ]
        net = "=" + ("+".join(terms) or "0")
        g.series(f"net:{p}", f"Net flow: {names[p].name}", "USD bn", net)
    g.section("Cumulative net receipts")
    for p in b.parties:
        g.series(
            f"cumulative:{p}",
            f"Cumulative: {names[p].name}",
            "USD bn",
            f"={g.prev(f'cumulative:{p}')}+{g.cur(f'net:{p}')}",
            total=False,
        )
    g.section(
        "Totals (received, paid as a positive amount, net, NPV at the discount rate or the "
        "party's own; the NPV with claims valued is not computed live: see Summary)"
    )
    own = result.assumptions.party_discount_rates
    for p in b.parties:
        got = [
            g_.total(f"receipts:{p}", True) for g_ in calcs.values() if f"receipts:{p}" in g_.rows
        ]
        paid = [
            g_.total(f"payments:{p}", True) for g_ in calcs.values() if f"payments:{p}" in g_.rows
        ]
        r = g.metric(
            f"received:{p}", f"Received: {names[p].name}", "USD bn", "=" + ("+".join(got) or "0")
        )
        s = g.metric(
            f"paid:{p}",
            f"Paid: {names[p].name}",
            "USD bn",
            "=" + ("-" + "-".join(paid) if paid else "0"),
        )
        g.metric(f"net_total:{p}", f"Net: {names[p].name}", "USD bn", f"=D{r}-D{s}")
        g.metric(
            f"npv:{p}",
            f"NPV: {names[p].name}",
            "USD bn",
            f"=SUMPRODUCT({g.span(f'net:{p}')},"
            f"{timeline.span(f'discount:{p}' if p in own else 'discount', True)})",
        )
    g.flush()
    return g


def checks_sheet(
    wb: Workbook, result: Result, inputs: Grid, calcs: dict[str, Grid], parties: Grid, pool: Grid
) -> tuple[str, str]:
    """Write the live check rows; return the ranges of their flags (for the master check): the
    identities' (the pool and each vehicle add up), and the rows against finmodel's run."""
    ws = wb.create_sheet(CHECKS)
    put(
        ws,
        1,
        1,
        "Checks (live): each row an error; the master check on Summary sums the flags",
        font=BOLD,
    )
    put(ws, 2, 1, f"Scenario: {result.name}")
    put(ws, 3, 1, SIGN_NOTE)
    put(
        ws,
        4,
        1,
        "A change to an input makes the rows 'live vs finmodel run' differ on purpose: "
        "the static sheets keep the run's numbers; rerun finmodel with --set to match.",
    )
    header(ws, 5, 1, _CHECK_HEADER)
    usd, rate = inputs.const("tolerance_usd", True), inputs.const("tolerance_rate", True)
    ulps = inputs.const("tolerance_ulps", True)
    every = (_pool_rows(result, pool) + _identity_rows(result, inputs, calcs)
             + _run_rows(result, calcs, parties))  # fmt: skip
    identities = [r for r in every if not r[0].endswith(AGAINST_RUN)]
    rows = identities + [r for r in every if r[0].endswith(AGAINST_RUN)]
    first = row = 6
    for label, live, expected, fmt, scale in rows:
        put(ws, row, 1, label)
        ws.cell(row=row, column=2, value=live).number_format = fmt
        c = ws.cell(row=row, column=3, value=expected)
        c.number_format = fmt
        if not isinstance(expected, str):
            c.font = ENGINE_FONT
        ws.cell(
            row=row,
            column=4,
            value=(
                f"=IF(AND(ISNUMBER(B{row}),ISNUMBER(C{row})),ABS(B{row}-C{row}),"
                f"IF(ISNUMBER(B{row})=ISNUMBER(C{row}),0,1))"
            ),
        ).number_format = "0.0E+00"
        # money: a cent, or a few ulps of the money the row involves; rates and shares: absolute
        tol = f"={rate}" if scale is None else f"=MAX({usd},{ulps}*ABS({scale}))"
        ws.cell(row=row, column=5, value=tol).number_format = "0.0E+00"
        ws.cell(row=row, column=6, value=f"=IF(D{row}<=E{row},0,1)")
        row += 1
    put(ws, row + 1, 1, "Rows that fail", font=BOLD)
    ws.cell(row=row + 1, column=6, value=f"=SUM(F{first}:F{row - 1})").font = BOLD
    widths(ws, {1: 62, 2: 18, 3: 22, 4: 12, 5: 11, 6: 10})
    ws.freeze_panes = "B6"
    split = first + len(identities)
    return (f"'{CHECKS}'!$F${first}:$F${split - 1}", f"'{CHECKS}'!$F${split}:$F${row - 1}")


#: A check row: label, live formula, expected value, number format, and the money it involves
#: (a formula whose few ulps may exceed the cent of tolerance), or None for a rate or share.
Row = tuple[str, str, "float | str | None", str, "str | None"]


def _pool_rows(result: Result, pool: Grid) -> list[Row]:
    """Every dollar of the pool goes to exactly one carve-out, none asks for more than is left;
    the pool's total against finmodel's run."""
    c = {k: pool.const(k, True) for k in ("sources", "uses", "left")}
    scale = c["sources"]
    out: list[Row] = [
        (
            "pool: sources - uses - left",
            f"={c['sources']}-{c['uses']}-{c['left']}",
            0.0,
            USD_CENTS,
            scale,
        ),
        ("pool: left to no carve-out", f"={c['left']}", 0.0, USD_CENTS, scale),
    ]
    for i, carve in enumerate(result.assumptions.pool.allocation):
        if carve.amount_bn is not None:
            out.append(
                (
                    f"pool: carve-out {i} ({carve.vehicle}) asks beyond what is left",
                    f"={pool.const(f'short:{i}', True)}",
                    0.0,
                    USD_CENTS,
                    scale,
                )
            )
    out.append(
        (
            "pool: sources, live vs finmodel run",
            f"={c['sources']}",
            result.summary["pool"]["total"],
            USD_BN,
            scale,
        )
    )
    return out


def _identity_rows(result: Result, inputs: Grid, calcs: dict[str, Grid]) -> list[Row]:
    """Identities that hold whatever the inputs: money in = money out, shares sum to 1."""
    out: list[Row] = []
    for vid, g in calcs.items():
        if "committed" not in g.rows:  # a kind without live formulas: the engine's own numbers
            continue
        sheet = f"'{g.name}'!"
        gross = g.total("gross", True)
        flows = [f"+{g.total(k, True)}" for k in ("return",) if k in g.rows]
        flows += [f"-{g.total(k, True)}" for k in ("fee",) if k in g.rows]
        out.append(
            (
                f"{vid}: contributed + return - fee - distributed - terminal value",
                f"={sheet}$D${g.rows['contributed']}{''.join(flows)}-{sheet}$D${g.rows['distributed']}"
                f"-{sheet}$D${g.rows['terminal_value']}",
                0.0,
                USD_CENTS,
                gross,
            )
        )
        got = [g.total(k, True) for k in g.rows if k.startswith("receipts:")]
        fee = f"-{g.total('fee', True)}" if "fee" in g.rows else ""
        # a loan passes its disbursements on to the borrower, who pays the debt service
        loan = "disbursed" in g.rows
        fee += f"-{g.total('disbursed', True)}" if loan else ""
        serviced = f"+{g.total('distribution', True)}" if loan else ""
        out.append(
            (
                f"{vid}: parties' receipts - distributions - fees"
                + (" - disbursements" if loan else ""),
                f"={'+'.join(got)}-{g.total('distribution', True)}{fee}",
                0.0,
                USD_CENTS,
                gross,
            )
        )
        paid = [g.total(k, True) for k in g.rows if k.startswith("payments:")]
        if "return_paid" in g.rows:  # a fund whose return a party pays in
            serviced += f"+{g.total('return_paid', True)}"
        out.append(
            (
                f"{vid}: parties' payments + contributions" + (" + debt service" if loan else "")
                + (" + return paid in" if "return_paid" in g.rows else ""),
                f"={'+'.join(paid) or '0'}+{g.total('contribution', True)}{serviced}",
                0.0,
                USD_CENTS,
                gross,
            )
        )
        for tier in ("profit", "capital"):
            shares = [inputs.const(k, True) for k in inputs.rows if k.startswith(f"{vid}:{tier}:")]
            if shares:
                out.append(
                    (
                        f"{vid}: {tier} shares sum to 1",
                        f"=SUM({','.join(shares)})",
                        1.0,
                        "0.000000",
                        None,
                    )
                )
    return out


def _run_rows(result: Result, calcs: dict[str, Grid], parties: Grid) -> list[Row]:
    """The live model's totals against finmodel's own run (the static sheets' numbers)."""
    s = result.summary
    out: list[Row] = []
    metrics = [
        ("contributed", USD_BN),
        ("distributed", USD_BN),
        ("terminal_value", USD_BN),
        ("profit", USD_BN),
        ("moic", MOIC),
        ("irr", PCT),
        ("npv", USD_BN),
    ]
    for vid, g in calcs.items():
        for key, fmt in metrics:
            out.append(
                (
                    f"{vid}: {key}, live vs finmodel run",
                    f"={g.total(key, True)}",
                    s["vehicles"][vid][key],
                    fmt,
                    g.total("gross", True) if fmt == USD_BN else None,
                )
            )
    everything = "(" + "+".join(g.total("gross", True) for g in calcs.values()) + ")"
    for p, m in s["parties"].items():
        for key, row in (
            ("received", "received"),
            ("paid", "paid"),
            ("net", "net_total"),
            ("npv", "npv"),
        ):
            out.append(
                (
                    f"{p}: {key}, live vs finmodel run",
                    f"={parties.total(f'{row}:{p}', True)}",
                    m[key],
                    USD_BN,
                    everything,
                )
            )
    return out
