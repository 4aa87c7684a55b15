"""The Excel report: the numbers of a run laid out for people who audit them in Excel.

Sheets: Summary, Assumptions, Sources & Uses, one sheet per vehicle, Parties, Flows, Checks.
Amounts are held in the cells in USD and displayed in USD bn (number format), so a reader sees
bn and a formula sees dollars. Text from assumption files is always written as text: a value
that starts with ``=``, ``+``, ``-`` or ``@`` cannot become a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from finmodel.kinds import Flow
from finmodel.reports import charts
from finmodel.reports.cells import (
    BOLD,
    HEAD_FILL,
    MOIC,
    PCT,
    TITLE,
    TOTAL_BORDER,
    UNITS_NOTE,
    USD_BN,
    USD_CENTS,
    header,
    put,
    save,
    unique_titles,
    widths,
)
from finmodel.reports.live.model import CHECKS, PARTIES, LiveModel, write_live
from finmodel.reports.live.pool import POOL

if TYPE_CHECKING:
    from finmodel.studies.run import Result


def write_workbook(result: Result, path: Path, live: bool = True) -> None:
    """Write the report of ``result`` to ``path`` (an .xlsx file).

    ``live=False`` leaves out the live model (its sheets and the master check): the static
    report alone, which the benchmark measures the live model against.
    """
    sheets = vehicle_sheets(list(result.outcome.schedules))
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    free_row = _summary(summary, result)
    if live:
        model = write_live(wb, result, {vid: s.calc for vid, s in sheets.items()})
        _master_check(summary, model.master)
        _live_totals(summary, result, model, free_row)
    assumptions_sheet(wb.create_sheet("Assumptions"), result)
    _sources_uses(wb.create_sheet("Sources & Uses"), result)
    for vid, s in sheets.items():
        _vehicle(wb.create_sheet(s.static), result, vid)
    _parties(wb.create_sheet("Parties"), result)
    _flows(wb.create_sheet("Flows"), result)
    _checks(wb.create_sheet("Checks"), result)
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
    return (
        f"{v.name} (plan point {v.plan_point or '-'}): schedule, payments by party, metrics"
        if v
        else ""
    )


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


# --- cells ------------------------------------------------------------------------------------


def _title(ws: Worksheet, title: str, result: Result) -> int:
    put(ws, 1, 1, title, font=TITLE)
    put(ws, 2, 1, f"Scenario: {result.name}")
    put(ws, 3, 1, UNITS_NOTE)
    return 5


# --- sheets -----------------------------------------------------------------------------------


RIGHT = Alignment(horizontal="right")


def _summary(ws: Worksheet, result: Result) -> int:
    """The static Summary sheet; returns the first free row under its chart."""
    s = result.summary
    row = _title(ws, "finmodel: who receives what", result)
    a = result.assumptions
    put(ws, row, 1, "Description").alignment = Alignment(vertical="top")
    put(ws, row, 2, a.description or "").alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=9)
    ws.row_dimensions[row].height = 15 * (1 + len(a.description or "") // 170)
    put(ws, row + 1, 1, "Checks")
    status = (
        "OK: every identity holds (to the cent, or 8 ulps of the money it involves)"
        if s["checks_ok"]
        else "FAILED: see Checks"
    )
    put(
        ws, row + 1, 2, status, font=Font(bold=True, color="006100" if s["checks_ok"] else "9C0006")
    )
    row += 4  # the next row is the live model's master check (_MASTER_ROW)

    put(ws, row, 1, "Parties", font=BOLD)
    header(
        ws, row + 1, 1,
        ["Party", "Received", "Paid", "Net", f"NPV @ {a.discount_rate:.2%}",
         "Terminal claim"],
    )  # fmt: skip
    first = row + 2
    for i, (pid, p) in enumerate(s["parties"].items()):
        r = first + i
        put(ws, r, 1, a.parties[pid].name)
        for j, k in enumerate(("received", "paid", "net", "npv", "terminal_claim")):
            put(ws, r, 2 + j, p[k], USD_BN)
    row = first + len(s["parties"]) + 1

    put(ws, row, 1, "Vehicles", font=BOLD)
    header(
        ws,
        row + 1,
        1,
        [
            "Vehicle",
            "Contributed",
            "Distributed",
            "Terminal value",
            "Profit",
            "IRR",
            "MOIC",
            "NPV",
            "Note",
        ],
    )
    first = row + 2
    for i, (vid, v) in enumerate(s["vehicles"].items()):
        r = first + i
        put(ws, r, 1, a.vehicles[vid].name)
        for j, k in enumerate(("contributed", "distributed", "terminal_value", "profit")):
            put(ws, r, 2 + j, v[k], USD_BN)
        put(ws, r, 6, v["irr"], PCT)
        put(ws, r, 7, v["moic"], MOIC)
        put(ws, r, 8, v["npv"], USD_BN)
        put(ws, r, 9, f"IRR undefined: {v['irr_note']}" if v["irr"] is None else "")
    row = first + len(s["vehicles"]) + 1
    row = _needs(ws, row, result)

    parties = list(s["parties"])
    tables = {}
    for key, label in (("received", "Received"), ("paid", "Paid")):
        put(ws, row, 1, f"{label} by each party, from / into each vehicle", font=BOLD)
        header(ws, row + 1, 1, ["Vehicle", *[a.parties[p].name for p in parties]])
        first = row + 2
        for i, vid in enumerate(s["vehicles"]):
            put(ws, first + i, 1, a.vehicles[vid].name)
            for j, pid in enumerate(parties):
                put(ws, first + i, 2 + j, s["parties"][pid]["by_vehicle"][vid][key], USD_BN)
        tables[key] = (first, first + len(s["vehicles"]) - 1)
        row = first + len(s["vehicles"]) + 1
    first, last = tables["received"]
    ws.row_breaks.append(Break(id=row))  # printed, the chart starts a page of its own
    ws.add_chart(charts.who_receives(ws, first, last, len(parties)), f"A{row + 1}")
    widths(ws, {1: 44, 2: 16, 3: 16, 4: 16, 5: 16, 6: 12, 7: 10, 8: 14, 9: 40})
    ws.freeze_panes = "A5"
    return row + 21


def _needs(ws: Worksheet, row: int, result: Result) -> int:
    """The share of each estimate of reconstruction needs this reading funds within its years;
    the Parties sheet shows the funding year by year. Returns the next free row."""
    rec = result.summary["reconstruction"]
    if not rec["needs"]:
        return row
    marked = [v.name for v in result.assumptions.vehicles.values() if v.funds_reconstruction]
    put(ws, row, 1, "Reconstruction needs funded", font=BOLD)
    put(ws, row, 2, f"by: {', '.join(marked) or 'no vehicle'}")
    header(ws, row + 1, 1, ["Estimate", "Needs", "Years", "Funded in them", "Share funded"])
    for i, n in enumerate(rec["needs"].values(), start=row + 2):
        put(ws, i, 1, n["name"])
        put(ws, i, 2, n["needs"], USD_BN)
        put(ws, i, 3, n["years"])
        put(ws, i, 4, n["funded"], USD_BN)
        put(ws, i, 5, n["share"], PCT)
    return row + 3 + len(rec["needs"])


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


def _leaves(data: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    if isinstance(data, dict):
        return [x for k, v in data.items() for x in _leaves(v, (*path, k))]
    if isinstance(data, list) and data and isinstance(data[0], (dict, list)):
        return [x for i, v in enumerate(data) for x in _leaves(v, (*path, i))]
    return [(path, data)]


def _unit(path: tuple, a) -> str:
    key = path[-1]
    if key == "amount_bn":
        parent = _get(a.model_dump(by_alias=True), path[:-1])
        return f"{parent.get('currency', 'USD')} bn"
    if key in ("rate", "discount_rate", "cash_rate", "vol") or path[-2:] == ("fx", key):
        return "USD per unit" if path[0] == "fx" else "% a year"
    if key in ("years", "term_years", "start_year"):
        return "years"
    if key == "payout" or (len(path) > 1 and path[-2] in ("profit_split", "capital_to")):
        return "share"
    if key == "path":
        return "% a year, per year"
    if key == "fractions":
        return "share per year"
    return ""


def _get(data: Any, path: tuple) -> Any:
    for p in path:
        data = data[p]
    return data


def _source_of(path: tuple, data: dict, sources: dict) -> dict | None:
    dotted = ".".join(str(p) for p in path)
    if dotted in sources:
        return sources[dotted]
    for n in range(len(path) - 1, 0, -1):
        parent = _get(data, path[:n])
        if isinstance(parent, dict) and isinstance(parent.get("source"), dict):
            return parent["source"]
    return None


def assumptions_sheet(ws: Worksheet, result: Result) -> None:
    a = result.assumptions
    row = _title(ws, "Assumptions: every input, its unit and its source", result)
    put(ws, row, 1, "Scenario")
    put(ws, row, 2, a.name)
    put(ws, row + 1, 1, "Assumptions sha256")
    put(ws, row + 1, 2, result.sha256)
    row += 2
    for path, digest in result.files:
        put(ws, row, 1, "File")
        put(ws, row, 2, path)
        put(ws, row, 3, f"sha256 {digest}")
        row += 1
    for o in result.overrides:
        put(ws, row, 1, "Override")
        put(ws, row, 2, o)
        row += 1
    row += 1
    put(ws, row, 1, "Readings of the plan", font=BOLD)
    header(ws, row + 1, 1, ["Reading", "Statement", "Reason"])
    ws.merge_cells(start_row=row + 1, start_column=3, end_row=row + 1, end_column=6)
    row += 2
    for rid, r in a.readings.items():
        put(ws, row, 1, rid)
        put(ws, row, 2, r.statement).alignment = Alignment(wrap_text=True, vertical="top")
        put(ws, row, 3, r.reason).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=6)
        longest = max(len(r.statement) / 40, len(r.reason) / 95)
        ws.row_dimensions[row].height = 15 * (1 + int(longest))
        row += 1
    row += 1
    put(ws, row, 1, "Inputs", font=BOLD)
    header(
        ws, row + 1, 1, ["Key path", "Value", "Unit", "Source", "Publisher", "Date", "Link", "Note"]
    )
    head = row + 1
    row += 2
    data = a.model_dump(mode="json", by_alias=True, exclude={"sources", "readings"})
    sources = {k: v.model_dump(mode="json") for k, v in a.sources.items()}
    for path, value in _leaves(data):
        if "source" in path or value is None or path[-1] in ("name", "description"):
            continue
        put(ws, row, 1, ".".join(str(p) for p in path))
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        c = put(ws, row, 2, value)
        unit = _unit(path, a)
        put(ws, row, 3, unit)
        if unit == "% a year" and isinstance(value, float):
            c.number_format = "0.00%"
        src = _source_of(path, data, sources)
        if src:
            for j, k in enumerate(("title", "publisher", "date", "url", "note")):
                put(ws, row, 4 + j, src.get(k) or "")
            if src.get("url"):
                ws.cell(row=row, column=7).hyperlink = src["url"]
                ws.cell(row=row, column=7).font = Font(color="0563C1", underline="single")
        row += 1
    ws.auto_filter.ref = f"A{head}:H{row - 1}"
    widths(ws, {1: 52, 2: 40, 3: 14, 4: 48, 5: 30, 6: 12, 7: 40, 8: 60})
    ws.freeze_panes = "B5"


def _sources_uses(ws: Worksheet, result: Result) -> None:
    a = result.assumptions
    b = result.outcome.batch
    row = _title(ws, "The frozen-asset pool: sources and uses", result)
    put(ws, row, 1, "Sources: holdings", font=BOLD)
    header(
        ws,
        row + 1,
        1,
        ["Holding", "Region", "Amount (bn, own currency)", "Currency", "USD per unit", "USD"],
    )
    first = row + 2
    fx = {c: f.rate if f.rate is not None else f.path[0] for c, f in a.fx.items()}
    for i, h in enumerate(a.pool.holdings):
        r = first + i
        put(ws, r, 1, h.name or h.id)
        put(ws, r, 2, h.region)
        put(ws, r, 3, h.amount_bn, "#,##0.00")
        put(ws, r, 4, h.currency)
        put(ws, r, 5, fx.get(h.currency, 1.0), "0.0000")
        put(ws, r, 6, result.summary["pool"]["sources"][h.id], USD_BN)
    total_src = first + len(a.pool.holdings)
    put(ws, total_src, 1, "Total sources", font=BOLD)
    c = put(ws, total_src, 6, result.summary["pool"]["total"], USD_BN, font=BOLD)
    c.border = TOTAL_BORDER

    row = total_src + 2
    holdings = [h.id for h in a.pool.holdings]
    put(ws, row, 1, "Uses: carve-outs, in order", font=BOLD)
    header(ws, row + 1, 1, ["Use", "From", "Method", *holdings, "USD"])
    first = row + 2
    for i, (c_, use) in enumerate(zip(a.pool.allocation, result.summary["pool"]["uses"])):
        r = first + i
        put(ws, r, 1, use["use"])
        put(ws, r, 2, ", ".join(c_.from_))
        put(ws, r, 3, "remainder" if c_.amount == "remainder" else c_.method.value)
        for j, _ in enumerate(holdings):
            put(ws, r, 4 + j, float(b.pool.taken[0, i, j]), USD_BN)
        put(ws, r, 4 + len(holdings), use["amount"], USD_BN)
    total_use = first + len(a.pool.allocation)
    put(ws, total_use, 1, "Total uses", font=BOLD)
    c = put(ws, total_use, 4 + len(holdings), float(b.pool.taken[0].sum()), USD_BN, font=BOLD)
    c.border = TOTAL_BORDER
    put(ws, total_use + 2, 1, "Check: sources - uses (USD)", font=BOLD)
    put(
        ws,
        total_use + 2,
        4 + len(holdings),
        result.summary["pool"]["total"] - float(b.pool.taken[0].sum()),
        USD_CENTS,
    )
    widths(ws, {1: 44, 2: 16, 3: 14, **{4 + j: 14 for j in range(len(holdings) + 1)}})
    ws.freeze_panes = "B5"
    chart = charts.pool_uses(ws, first, total_use - 1, (4, 3 + len(holdings)))
    ws.add_chart(chart, f"A{total_use + 4}")


def _timelineheader(ws: Worksheet, row: int, result: Result, label: str) -> int:
    tl = result.outcome.batch.timeline
    header(ws, row, 1, [label, "Units", "Total"])
    header(ws, row + 1, 1, ["Date", "", ""])
    for k, d in enumerate(tl.dates()):
        put(ws, row, 4 + k, k, font=BOLD).fill = HEAD_FILL
        put(ws, row + 1, 4 + k, d, "yyyy-mm-dd", font=BOLD).fill = HEAD_FILL
    widths(ws, {1: 40, 2: 9, 3: 12, **{4 + k: 11 for k in range(tl.columns)}})
    ws.freeze_panes = ws.cell(row=row + 2, column=4)
    return row + 2


def _series(ws: Worksheet, row: int, label: str, values: np.ndarray, total: bool = True) -> None:
    put(ws, row, 1, label)
    put(ws, row, 2, "USD bn")
    if total:
        put(ws, row, 3, float(values.sum()), USD_BN, font=BOLD)
    for k, x in enumerate(values):
        put(ws, row, 4 + k, float(x), USD_BN)


def _vehicle(ws: Worksheet, result: Result, vid: str) -> None:
    v = result.assumptions.vehicles[vid]
    s = result.outcome.schedules[vid]
    row = _title(ws, f"{v.name} (plan point {v.plan_point or '-'}): schedule and waterfall", result)
    row = _timelineheader(ws, row, result, "Schedule (the vehicle's books)")
    lines = [
        ("Contribution", s.contribution),
        ("Deployed into projects", s.deployed),
        ("Return", s.return_),
        ("Fee", s.fee),
        ("Distribution", s.distribution),
    ]
    for label, arr in lines:
        _series(ws, row, label, arr[0])
        row += 1
    _series(ws, row, "Value at end of period", s.value_end[0], total=False)
    row += 2
    put(ws, row, 1, "Payments by party (party view: + received, - paid)", font=BOLD)
    row += 1
    parties = result.outcome.batch.parties
    names = result.assumptions.parties
    for a in result.outcome.allocations:
        if a.vehicle != vid:
            continue
        by_party = a.by_party()[0]
        for j, pid in enumerate(parties):
            if np.any(by_party[j]):
                _series(ws, row, f"{_flow_label(a.flow)}: {names[pid].name}", by_party[j])
                row += 1
    m = result.summary["vehicles"][vid]
    row += 1
    put(ws, row, 1, "Metrics", font=BOLD)
    for i, (label, key, fmt) in enumerate(
        [
            ("Contributed", "contributed", USD_BN),
            ("Distributed", "distributed", USD_BN),
            ("Terminal value at the horizon", "terminal_value", USD_BN),
            ("Profit", "profit", USD_BN),
            ("MOIC", "moic", MOIC),
            ("IRR (annualised)", "irr", PCT),
            ("NPV", "npv", USD_BN),
        ]
    ):
        put(ws, row + 1 + i, 1, label)
        put(ws, row + 1 + i, 3, m[key], fmt)
        if key == "irr" and m["irr"] is None:
            put(ws, row + 1 + i, 4, f"undefined: {m['irr_note']}")


def _flow_label(flow: Flow) -> str:
    return flow.value.replace("_", " ").capitalize()


def _parties(ws: Worksheet, result: Result) -> None:
    row = _title(ws, "Receipts by party over time (all vehicles)", result)
    row = _timelineheader(ws, row, result, "Net flow by party")
    dates_row = row - 1
    flows = result.outcome.party_flows()[0]
    names = result.assumptions.parties
    for j, pid in enumerate(result.outcome.batch.parties):
        _series(ws, row, names[pid].name, flows[j])
        row += 1
    row += 1
    put(ws, row, 1, "Cumulative", font=BOLD)
    row += 1
    parties = result.outcome.batch.parties
    for j, pid in enumerate(parties):
        _series(ws, row + j, names[pid].name, np.cumsum(flows[j]), total=False)
    rows = list(range(row, row + len(parties)))
    cols = (4, 3 + result.outcome.batch.timeline.columns)
    chart = charts.cumulative_receipts(ws, rows, [names[p].name for p in parties], dates_row, cols)
    row += len(parties) + 1
    put(ws, row, 1, "Reconstruction", font=BOLD)
    funding = result.reconstruction_funding
    _series(ws, row + 1, "Put to work in reconstruction", funding)
    _series(ws, row + 2, "To date", np.cumsum(funding), total=False)
    ws.add_chart(chart, f"A{row + 4}")


def _flows(ws: Worksheet, result: Result) -> None:
    df = result.flows
    cols = list(df.columns)
    header(ws, 1, 1, cols)
    for i, rec in enumerate(df.itertuples(index=False), start=2):
        for j, (col, value) in enumerate(zip(cols, rec), start=1):
            if col == "date":
                put(ws, i, j, value.date(), "yyyy-mm-dd")
            elif col == "amount_usd":
                put(ws, i, j, value, USD_BN)
            else:
                put(ws, i, j, value)
    last = len(df) + 1
    table = Table(displayName="Flows", ref=f"A1:{get_column_letter(len(cols))}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    widths(ws, {1: 14, 2: 9, 3: 12, 4: 28, 5: 16, 6: 12, 7: 16})
    ws.freeze_panes = "A2"


def _checks(ws: Worksheet, result: Result) -> None:
    row = _title(ws, "Checks: identities that must hold (MODEL.md)", result)
    header(ws, row, 1, ["Check", "Error (USD)", "Tolerance (USD)", "Status"])
    tolerances = result.summary["checks_tolerance_usd"]
    for i, (name, err) in enumerate(result.summary["checks"].items(), start=row + 1):
        tol = tolerances[name]
        put(ws, i, 1, name)
        put(ws, i, 2, err, "0.000000")
        put(ws, i, 3, tol, "0.00")
        ok = err <= tol
        put(
            ws,
            i,
            4,
            "OK" if ok else "FAILED",
            font=Font(bold=True, color="006100" if ok else "9C0006"),
        )
    widths(ws, {1: 52, 2: 16, 3: 16, 4: 10})
    ws.freeze_panes = ws.cell(row=row + 1, column=1)
