"""The Excel report: the numbers of a run laid out for people who audit them in Excel.

Sheets: Summary, Assumptions, Sources & Uses, Reconstruction, one sheet per vehicle, Parties,
Flows, Checks.
Amounts are held in the cells in USD and displayed in USD bn (number format), so a reader sees
bn and a formula sees dollars. Text from assumption files is always written as text: a value
that starts with ``=``, ``+``, ``-`` or ``@`` cannot become a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from finmodel.reports.cells import (
    BOLD,
    MOIC,
    PCT,
    TITLE,
    UNITS_NOTE,
    USD_BN,
    header,
    put,
    save,
    unique_titles,
    widths,
)
from finmodel.reports.fingerprint import stamp
from finmodel.reports.live.model import CHECKS, PARTIES, LiveModel, write_live
from finmodel.reports.live.pool import POOL
from finmodel.reports.sheets.assumptions import assumptions_sheet
from finmodel.reports.sheets.pool import sources_uses_sheet
from finmodel.reports.sheets.reconstruction import reconstruction_sheet
from finmodel.reports.sheets.summary import checks_sheet, summary_sheet
from finmodel.reports.sheets.timelines import flows_sheet, parties_sheet, vehicle_sheet

if TYPE_CHECKING:
    from finmodel.studies.run import Result


def write_workbook(result: Result, path: Path, live: bool = True) -> None:
    """Write the report of ``result`` to ``path`` (an .xlsx file).

    ``live=False`` leaves out the live model (its sheets and the master check): the static
    report alone, which the benchmark measures the live model against.
    """
    sheets = vehicle_sheets(list(result.outcome.schedules))
    wb = Workbook()
    wb.properties.identifier = stamp(result.identity or result.sha256)
    summary = wb.active
    summary.title = "Summary"
    free_row = summary_sheet(summary, result)
    if live:
        model = write_live(wb, result, {vid: s.calc for vid, s in sheets.items()})
        _master_check(summary, model.master)
        _live_lead(summary, result, model, free_row + 3)
        _live_totals(summary, result, model, free_row)
    assumptions_sheet(wb.create_sheet("Assumptions"), result)
    sources_uses_sheet(wb.create_sheet("Sources & Uses"), result)
    reconstruction_sheet(wb.create_sheet("Reconstruction"), result)
    for vid, s in sheets.items():
        vehicle_sheet(wb.create_sheet(s.static), result, vid)
    parties_sheet(wb.create_sheet("Parties"), result)
    flows_sheet(wb.create_sheet("Flows"), result)
    checks_sheet(wb.create_sheet("Checks"), result)
    _contents(wb, result, sheets)
    save(wb, path)


#: The report's own sheets (its live model's among them): they keep these titles whatever the
#: vehicles are called; a vehicle's sheet gives way.
OWN_SHEETS = (
    "Contents",
    "Summary",
    "Inputs",
    "Timeline",
    POOL,
    PARTIES,
    CHECKS,
    "Assumptions",
    "Sources & Uses",
    "Reconstruction",
    "Parties",
    "Flows",
    "Checks",
)


class VehicleSheets(NamedTuple):
    """A vehicle's two sheets: its static sheet of values, and its live Calc sheet."""

    static: str
    calc: str


def vehicle_sheets(vids: Sequence[str]) -> dict[str, VehicleSheets]:
    """The titles of each vehicle's sheets: its id, and ``Calc <id>``, made unique and at most
    31 characters by :func:`~finmodel.reports.cells.unique_titles`, never one of :data:`OWN_SHEETS`.

    Examples
    --------
    >>> vehicle_sheets(["us_led_fund", "parties"])["parties"]
    VehicleSheets(static='parties (2)', calc='Calc parties')
    """
    titles = unique_titles([*vids, *(f"Calc {v}" for v in vids)], taken=OWN_SHEETS)
    return {v: VehicleSheets(titles[i], titles[len(vids) + i]) for i, v in enumerate(vids)}


_SHEET_PURPOSE = {
    "Summary": "who receives what: parties, vehicles, and a chart; the master check",
    "Inputs": "live model: every number its formulas use (blue on yellow: change them here)",
    "Timeline": "live model: periods, dates, flags and discount factors",
    POOL: "live model: the frozen pool's holdings in USD and its carve-outs, applied in order",
    PARTIES: "live model: each party's flows over time, totals and NPV (formulas)",
    CHECKS: "live model: identities, and live model vs finmodel's run, each a check row",
    "Assumptions": "every input with its unit and source; the readings; files and sha256",
    "Sources & Uses": "the frozen-asset pool and its carve-outs, with a check row",
    "Reconstruction": "needs by year against the funding put to work, the gap, and a chart",
    "Parties": "each party's net flows and cumulative receipts over time",
    "Flows": "every payment between a party and a vehicle (a table with filters)",
    "Checks": "the identities that must hold, each as an error in USD",
}


def _contents(wb: Workbook, result: Result, sheets: dict[str, VehicleSheets]) -> None:
    """A first sheet with a link to every other sheet and what it holds."""
    ws = wb.create_sheet("Contents", 0)
    put(ws, 1, 1, "finmodel report: contents", font=TITLE)
    put(ws, 2, 1, f"Scenario: {result.name}")
    put(ws, 3, 1, UNITS_NOTE)
    header(ws, 5, 1, ["Sheet", "What it holds"])
    names = {s.static: result.assumptions.vehicles[v] for v, s in sheets.items()}
    calcs = {s.calc: result.assumptions.vehicles[v] for v, s in sheets.items()}
    for i, sheet in enumerate(wb.sheetnames[1:], start=6):
        c = put(ws, i, 1, sheet)
        c.hyperlink = Hyperlink(ref=c.coordinate, location=f"'{sheet}'!A1", display=sheet)
        c.font = Font(color="0563C1", underline="single")
        put(ws, i, 2, _purpose(sheet, names, calcs))
    widths(ws, {1: 30, 2: 90})


def _purpose(sheet: str, static: dict, live: dict) -> str:
    """What a sheet holds, for the Contents sheet (vehicles' sheets: static, and live)."""
    if sheet in _SHEET_PURPOSE:
        return _SHEET_PURPOSE[sheet]
    if sheet in live:
        return f"live model: {live[sheet].name}: schedule, waterfall, payments, metrics (formulas)"
    v = static.get(sheet)
    if v is None:
        return ""
    point = f" (plan point {v.plan_point})" if v.plan_point else ""  # not "plan point -"
    return f"{v.name}{point}: schedule, payments by party, metrics"


_MASTER_ROW = 7  # under the engine's checks on the Summary sheet


def _master_check(ws: Worksheet, formula: str) -> None:
    """The live model's master check, under the engine's own checks on the Summary sheet."""
    put(ws, _MASTER_ROW, 1, "Live model check")
    c = ws.cell(row=_MASTER_ROW, column=2, value=formula)
    c.font = Font(bold=True, color="006100")
    red = FormulaRule(
        formula=[f'ISNUMBER(SEARCH("NOT OK",B{_MASTER_ROW}))'], font=Font(bold=True, color="9C0006")
    )
    ws.conditional_formatting.add(f"B{_MASTER_ROW}", red)
    amber = FormulaRule(formula=[f'ISNUMBER(SEARCH("CHANGED",B{_MASTER_ROW}))'],
                        font=Font(bold=True, color="9C5700"))  # fmt: skip
    ws.conditional_formatting.add(f"B{_MASTER_ROW}", amber)


def _live_lead(ws: Worksheet, result: Result, live: LiveModel, names: int) -> None:
    """Under the master check: once an input is edited, each party's live NPV, in words, so
    that the live numbers lead (the run's tables below keep the run's). The parties' names are
    read from the live totals' table (column A from row ``names``), never put in a formula."""
    parts = [
        f'A{names + i}&" "&TEXT({live.parties.total(f"npv:{p}", sheet=True)}/{live.bn},"0.00")'
        for i, p in enumerate(result.outcome.batch.parties)
    ]
    put(ws, _MASTER_ROW + 1, 1, "Live NPV now, USD bn")
    text = '&"; "&'.join(parts)
    changed = f'ISNUMBER(SEARCH("CHANGED",B{_MASTER_ROW}))'
    ws.cell(row=_MASTER_ROW + 1, column=2, value=f'=IF({changed},{text},"the same as the run")')


# --- cells ------------------------------------------------------------------------------------




# --- sheets -----------------------------------------------------------------------------------


RIGHT = Alignment(horizontal="right")






def _live_totals(ws: Worksheet, result: Result, live: LiveModel, row: int) -> None:
    """The Summary's totals again, as formulas on the live sheets: they move with the Inputs."""
    put(ws, row, 1, "Live model: the same totals as formulas on the Inputs sheet", font=BOLD)
    put(ws, row + 1, 1, "Change an input (blue on yellow) and these recompute; the tables above "
        "keep finmodel's run.")  # fmt: skip
    keys = [("Received", "received", USD_BN), ("Paid", "paid", USD_BN),
            ("Net", "net_total", USD_BN), ("NPV", "npv", USD_BN)]  # fmt: skip
    header(ws, row + 2, 1, ["Party (live)", *(k[0] for k in keys)])
    parties = result.outcome.batch.parties
    for i, p in enumerate(parties):
        put(ws, row + 3 + i, 1, result.assumptions.parties[p].name)
        for j, (_, key, fmt) in enumerate(keys):
            ref = live.parties.total(f"{key}:{p}", sheet=True)
            ws.cell(row=row + 3 + i, column=2 + j, value=f"={ref}").number_format = fmt
    row += 4 + len(parties)
    keys = [("Contributed", "contributed", USD_BN), ("Distributed", "distributed", USD_BN),
            ("Terminal value", "terminal_value", USD_BN), ("Profit", "profit", USD_BN),
            ("IRR", "irr", PCT), ("MOIC", "moic", MOIC), ("NPV", "npv", USD_BN)]  # fmt: skip
    header(ws, row, 1, ["Vehicle (live)", *(k[0] for k in keys)])
    for i, (vid, g) in enumerate(live.calcs.items()):
        put(ws, row + 1 + i, 1, result.assumptions.vehicles[vid].name)
        for j, (_, key, fmt) in enumerate(keys):
            cell = ws.cell(row=row + 1 + i, column=2 + j, value=f"={g.total(key, sheet=True)}")
            cell.number_format = fmt
            cell.alignment = RIGHT  # "n/a" lines up with the numbers
