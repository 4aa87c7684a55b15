"""The sheets with a column per period: each vehicle's schedule, payments by party and metrics;
the parties' flows and cumulative receipts; and the Flows table of every payment."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from finmodel.kinds import Flow
from finmodel.reports import charts
from finmodel.reports.cells import (
    BOLD,
    HEAD_FILL,
    MOIC,
    PCT,
    USD_BN,
    header,
    put,
    sheet_title,
    widths,
)

if TYPE_CHECKING:
    from finmodel.studies.run import Result



def timeline_header(ws: Worksheet, row: int, result: Result, label: str) -> int:
    tl = result.outcome.batch.timeline
    header(ws, row, 1, [label, "Units", "Total"])
    header(ws, row + 1, 1, ["Date", "", ""])
    for k, d in enumerate(tl.dates()):
        put(ws, row, 4 + k, k, font=BOLD).fill = HEAD_FILL
        put(ws, row + 1, 4 + k, d, "yyyy-mm-dd", font=BOLD).fill = HEAD_FILL
    widths(ws, {1: 40, 2: 9, 3: 12, **{4 + k: 11 for k in range(tl.columns)}})
    ws.freeze_panes = ws.cell(row=row + 2, column=4)
    return row + 2



def series(ws: Worksheet, row: int, label: str, values: np.ndarray, total: bool = True) -> None:
    put(ws, row, 1, label)
    put(ws, row, 2, "USD bn")
    if total:
        put(ws, row, 3, float(values.sum()), USD_BN, font=BOLD)
    for k, x in enumerate(values):
        put(ws, row, 4 + k, float(x), USD_BN)



def vehicle_sheet(ws: Worksheet, result: Result, vid: str) -> None:
    v = result.assumptions.vehicles[vid]
    s = result.outcome.schedules[vid]
    title = f"{v.name} (plan point {v.plan_point or '-'}): schedule and waterfall"
    row = sheet_title(ws, title, result)
    row = timeline_header(ws, row, result, "Schedule (the vehicle's books)")
    lines = [
        ("Contribution", s.contribution),
        ("Deployed into projects", s.deployed),
        ("Return", s.return_),
        ("Fee", s.fee),
        ("Distribution", s.distribution),
    ]
    for label, arr in lines:
        series(ws, row, label, arr[0])
        row += 1
    series(ws, row, "Value at end of period", s.value_end[0], total=False)
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
                series(ws, row, f"{flow_label(a.flow)}: {names[pid].name}", by_party[j])
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
            put(ws, row + 1 + i, 4, m["irr_note"])



def flow_label(flow: Flow) -> str:
    return flow.value.replace("_", " ").capitalize()



def parties_sheet(ws: Worksheet, result: Result) -> None:
    row = sheet_title(ws, "Receipts by party over time (all vehicles)", result)
    row = timeline_header(ws, row, result, "Net flow by party")
    dates_row = row - 1
    flows = result.outcome.party_flows()[0]
    names = result.assumptions.parties
    for j, pid in enumerate(result.outcome.batch.parties):
        series(ws, row, names[pid].name, flows[j])
        row += 1
    row += 1
    put(ws, row, 1, "Cumulative", font=BOLD)
    row += 1
    parties = result.outcome.batch.parties
    for j, pid in enumerate(parties):
        series(ws, row + j, names[pid].name, np.cumsum(flows[j]), total=False)
    rows = list(range(row, row + len(parties)))
    cols = (4, 3 + result.outcome.batch.timeline.columns)
    chart = charts.cumulative_receipts(ws, rows, [names[p].name for p in parties], dates_row, cols)
    row += len(parties) + 1
    put(ws, row, 1, "Reconstruction", font=BOLD)
    funding = result.reconstruction_funding
    series(ws, row + 1, "Put to work in reconstruction", funding)
    series(ws, row + 2, "To date", np.cumsum(funding), total=False)
    ws.add_chart(chart, f"A{row + 4}")



def flows_sheet(ws: Worksheet, result: Result) -> None:
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
