"""The simulation workbook: statistics, a histogram of each party's NPV, fan charts over time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from finmodel.inputs.labels import party_name, vehicle_name
from finmodel.inputs.loader import digest
from finmodel.reports.cells import (
    BOLD,
    MOIC,
    PCT,
    TITLE,
    UNITS_NOTE,
    USD_BN,
    changed_title,
    header,
    put,
    save,
    widths,
)
from finmodel.reports.files import write_table_and_workbook
from finmodel.reports.fingerprint import stamp
from finmodel.reports.pages import keep_together
from finmodel.studies.simulation import SimulationResult

_STAT_COLUMNS = ("mean", "std", "p5", "p25", "p50", "p75", "p95", "sem")


def write_simulation_workbook(r: SimulationResult, path: Path) -> None:
    """Write the simulation's workbook to ``path``."""
    wb = Workbook()
    wb.properties.identifier = stamp(r.identity or digest(r.assumptions))
    ws = wb.active
    ws.title = "Statistics"
    _statistics(ws, r)
    _histograms(wb.create_sheet("Histograms"), r)
    _fans(wb.create_sheet("Fan charts"), r)
    save(wb, path)


def _metric_format(metric: str) -> str:
    return {"irr": PCT, "moic": MOIC}.get(metric, USD_BN)


def _statistics(ws: Worksheet, r: SimulationResult) -> None:
    title = f"Monte Carlo: {r.n:,} scenarios, seed {r.seed}, sampling {r.method}"
    put(ws, 1, 1, changed_title(title, r.changes), font=TITLE)
    put(ws, 2, 1, f"Scenario: {r.name}. {UNITS_NOTE}")
    put(ws, 3, 1, "prob_loss: share of scenarios below 0. sem: standard error of the mean.")
    cols = list(r.stats.columns)
    header(ws, 5, 1, cols)
    for i, row in enumerate(r.stats.itertuples(index=False), start=6):
        fmt = _metric_format(row.metric)
        for j, (c, v) in enumerate(zip(cols, row), start=1):
            f = fmt if c in _STAT_COLUMNS else ("0.0%" if c == "prob_loss" else None)
            put(ws, i, j, _name(r, row.entity, v) if c == "id" else v, f)
    last = 5 + len(r.stats)
    table = Table(displayName="Statistics", ref=f"A5:{get_column_letter(len(cols))}{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    widths(ws, {1: 10, 2: 26, 3: 13, 4: 10, **{j: 13 for j in range(5, len(cols) + 1)}})
    ws.freeze_panes = "D6"


def _name(r: SimulationResult, entity: str, id_: str) -> str:
    """A party's or a vehicle's name, from the assumptions."""
    a = r.assumptions
    return party_name(a, id_) if entity == "party" else vehicle_name(a, id_)


def constant_parties(r: SimulationResult) -> list[str]:
    """The parties whose NPV is the same in every scenario: a histogram or fan of them would
    be one bar or one line, so none is drawn (the sheet says so). The bins span the NPVs from
    the lowest to the highest (a constant, or NPVs a few rounding steps apart, widened to
    +-0.5: :func:`~finmodel.studies.statistics.histogram`): a span of at most
    :data:`SAME_WITHIN` USD, give or take the rounding of the edges themselves (at 6e10 USD a
    step is 7.6e-6), is one number."""
    out = []
    for p, (edges, _) in r.histograms.items():
        rounding = 4 * float(np.spacing(np.abs(edges).max()))
        if edges[-1] - edges[0] <= SAME_WITHIN + rounding:
            out.append(p)
    return out


#: NPVs that differ by at most this (USD) across the scenarios are the same number.
SAME_WITHIN = 1.0


def _skipped_note(ws: Worksheet, r: SimulationResult, row: int, what: str) -> int:
    """Say which parties have no chart and why; the next free row."""
    same = constant_parties(r)
    if not same:
        return row
    names = ", ".join(party_name(r.assumptions, p) for p in same)
    why = "the NPV is the same in every scenario (nothing it receives or pays depends on the"
    put(ws, row, 1, f"No {what} for {names}: {why} uncertain returns).")
    return row + 2


def _histograms(ws: Worksheet, r: SimulationResult) -> None:
    put(ws, 1, 1, "Each party's NPV across the scenarios", font=TITLE)
    put(ws, 2, 1, UNITS_NOTE)
    row = top = _skipped_note(ws, r, 4, "histogram")
    skip = set(constant_parties(r))
    for party, (edges, counts) in r.histograms.items():
        if party in skip:
            continue
        if row > top:  # the first block follows the title on the first page
            keep_together(ws, row)
        put(ws, row, 1, party_name(r.assumptions, party), font=BOLD)
        header(ws, row + 1, 1, ["NPV from", "NPV to", "Scenarios"])
        for i, (lo, hi, c) in enumerate(zip(edges[:-1], edges[1:], counts), start=row + 2):
            put(ws, i, 1, lo, USD_BN)
            put(ws, i, 2, hi, USD_BN)
            put(ws, i, 3, int(c))
        last = row + 1 + len(counts)
        chart = BarChart()
        chart.type = "col"
        chart.gapWidth = 10
        chart.title = f"NPV of {party_name(r.assumptions, party)}: scenarios per bin (USD bn)"
        chart.y_axis.title = "scenarios"
        chart.x_axis.title = "NPV from (USD bn)"
        chart.x_axis.number_format = "#,##0,,,"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend = None
        chart.add_data(
            Reference(ws, min_col=3, min_row=row + 1, max_row=last), titles_from_data=True
        )
        chart.set_categories(Reference(ws, min_col=1, min_row=row + 2, max_row=last))
        chart.height, chart.width = 8, 18
        ws.add_chart(chart, f"E{row}")
        row = max(last + 3, row + 18)
    widths(ws, {1: 14, 2: 14, 3: 12})


def _fans(ws: Worksheet, r: SimulationResult) -> None:
    put(ws, 1, 1, "Cumulative receipts by party over time: P5 to P95", font=TITLE)
    put(ws, 2, 1, UNITS_NOTE)
    row = top = _skipped_note(ws, r, 4, "fan chart")
    skip = set(constant_parties(r))
    cols = ["year", "p5", "p25", "p50", "p75", "p95"]
    for party, frame in r.fan.groupby("party", sort=False):
        if party in skip:
            continue
        if row > top:
            keep_together(ws, row)
        put(ws, row, 1, party_name(r.assumptions, str(party)), font=BOLD)
        header(ws, row + 1, 1, cols)
        for i, rec in enumerate(frame[cols].itertuples(index=False), start=row + 2):
            put(ws, i, 1, int(rec.year))
            for j, v in enumerate(rec[1:], start=2):
                put(ws, i, j, v, USD_BN)
        last = row + 1 + len(frame)
        chart = LineChart()
        name = party_name(r.assumptions, str(party))
        chart.title = f"{name}: cumulative receipts, P5-P95 (USD bn)"
        chart.y_axis.title = "USD bn"
        chart.y_axis.numFmt = "#,##0,,,"
        chart.x_axis.title = "year"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend.position = "b"
        data = Reference(ws, min_col=2, max_col=6, min_row=row + 1, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=row + 2, max_row=last))
        for s, dash in zip(chart.series, ("dash", "sysDash", "solid", "sysDash", "dash")):
            s.graphicalProperties.line.dashStyle = dash
            s.smooth = False
        chart.height, chart.width = 8, 18
        ws.add_chart(chart, f"H{row}")
        row = max(last + 3, row + 18)
    widths(ws, {1: 10, **{j: 13 for j in range(2, 7)}})


def write_simulation(r: SimulationResult, out_dir: str | Path) -> list[Path]:
    """Write NAME.simulation.csv and NAME.simulation.xlsx to ``out_dir``, as one set
    (:func:`~finmodel.reports.files.write_all`)."""
    return write_table_and_workbook(
        out_dir, "simulate", r.name, r.stats, lambda p: write_simulation_workbook(r, p)
    )
