"""The sweep workbook: the grid table, line charts against the first key, matrices for two keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
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
    widths,
)
from finmodel.reports.files import write_table_and_workbook
from finmodel.studies.sweep import SweepResult

#: The most cells a sheet here holds (a table, a chart's data, the matrices): Excel takes far
#: more, but openpyxl writes about 100,000 a second, and a colleague scrolls through far fewer.
#: A larger grid's points are all in NAME.sweep.csv, which Excel opens as well.
MAX_SHEET_CELLS = 2_000_000
#: Excel's limit on columns.
MAX_SHEET_COLUMNS = 16_384


def _fmt(column: str) -> str | None:
    metric = column.rsplit(".", 1)[-1]
    return {"irr": PCT, "moic": MOIC}.get(
        metric,
        USD_BN if metric in ("received", "net", "npv", "profit", "terminal_claim") else None,
    )


def write_sweep_workbook(s: SweepResult, path: Path) -> None:
    """Write the sweep's workbook to ``path``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sweep"
    _table(ws, s)
    _charts(wb.create_sheet("Charts"), s)
    if len(s.values) >= 2:
        _matrices(wb.create_sheet("Matrix"), s)
    save(wb, path)


def _too_big(ws: Worksheet, s: SweepResult, what: str, rows: int, columns: int) -> bool:
    """Whether ``what`` needs more cells or columns than a sheet holds; if so, say so on it."""
    if rows * columns <= MAX_SHEET_CELLS and columns <= MAX_SHEET_COLUMNS:
        return False
    put(ws, 1, 1, f"{what}: {rows:,} rows x {columns:,} columns", font=TITLE)
    note = (
        f"More than a sheet of this workbook holds ({MAX_SHEET_CELLS:,} cells, at most "
        f"{MAX_SHEET_COLUMNS:,} columns). Every grid point is in {s.name}.sweep.csv "
        f"({len(s.table):,} rows), which Excel opens too."
    )
    put(ws, 2, 1, note)
    return True


def _table(ws: Worksheet, s: SweepResult) -> None:
    df = s.table
    if _too_big(ws, s, "The grid", len(df), len(df.columns)):
        return
    cols = list(df.columns)
    header(ws, 1, 1, cols)
    fmts = [_fmt(c) if c not in s.values else None for c in cols]
    for i, row in enumerate(df.itertuples(index=False), start=2):
        for j, value in enumerate(row, start=1):
            put(ws, i, j, value, fmts[j - 1])
    ref = f"A1:{get_column_letter(len(cols))}{len(df) + 1}"
    table = Table(displayName="Sweep", ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    widths(ws, {j: max(14, min(40, len(c) + 2)) for j, c in enumerate(cols, start=1)})
    ws.freeze_panes = ws.cell(row=2, column=len(s.values) + 1)


def _parties(s: SweepResult) -> list[str]:
    """The parties of the table, in its order (one ``PARTY.npv`` column each)."""
    return [c[: -len(".npv")] for c in s.table.columns if c.endswith(".npv")]


def _at_first_of_others(s: SweepResult) -> np.ndarray:
    """Rows where every key but the first sits at its first value (the first key's line)."""
    keys = list(s.values)
    mask = np.ones(len(s.table), dtype=bool)
    for k in keys[1:]:
        mask &= s.table[k].to_numpy() == s.values[k][0]
    return mask


def _charts(ws: Worksheet, s: SweepResult) -> None:
    keys = list(s.values)
    first = keys[0]
    rows = s.table[_at_first_of_others(s)]
    parties = _parties(s)
    if _too_big(ws, s, f"Each party against {first}", 2 * len(rows), 1 + len(parties)):
        return
    put(ws, 1, 1, f"Each party against {first}", font=TITLE)
    held = ", ".join(f"{k} = {s.values[k][0]}" for k in keys[1:])
    put(ws, 2, 1, (f"Other keys held at: {held}. " if held else "") + UNITS_NOTE)
    anchor_row = 4
    for metric, label in (("npv", "NPV"), ("received", "Total receipts")):
        header(ws, anchor_row, 1, [first, *parties])
        for i, (_, r) in enumerate(rows.iterrows(), start=anchor_row + 1):
            put(ws, i, 1, r[first])
            for j, p in enumerate(parties, start=2):
                put(ws, i, j, r[f"{p}.{metric}"], USD_BN)
        last = anchor_row + len(rows)
        chart = LineChart()
        chart.title = f"{label} by party (USD bn) against {first}"
        chart.y_axis.title = "USD bn"
        chart.y_axis.numFmt = "#,##0,,,"
        chart.x_axis.title = first
        chart.x_axis.delete = False
        chart.x_axis.tickLblPos = "low"  # labels below the plot, not across y = 0
        chart.y_axis.delete = False
        chart.legend.position = "b"
        data = Reference(ws, min_col=2, max_col=1 + len(parties), min_row=anchor_row, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=anchor_row + 1, max_row=last))
        chart.height, chart.width = 9, 20
        ws.add_chart(chart, f"{get_column_letter(len(parties) + 3)}{anchor_row}")
        anchor_row = max(last + 3, anchor_row + 20)
    widths(ws, {1: 30, **{j: 16 for j in range(2, len(parties) + 2)}})


def _matrices(ws: Worksheet, s: SweepResult) -> None:
    keys = list(s.values)
    k1, k2 = keys[0], keys[1]
    parties = _parties(s)
    rows = (len(s.values[k1]) + 5) * len(parties)
    if _too_big(ws, s, f"NPV by party: {k1} (down) x {k2} (across)", rows, len(s.values[k2]) + 1):
        return
    put(ws, 1, 1, f"NPV by party: {k1} (down) x {k2} (across)", font=TITLE)
    held = ", ".join(f"{k} = {s.values[k][0]}" for k in keys[2:])
    put(ws, 2, 1, (f"Other keys held at: {held}. " if held else "") + UNITS_NOTE)
    df = s.table
    if len(keys) > 2:
        df = df[df[keys[2]].to_numpy() == s.values[keys[2]][0]]
    row = 4
    for p in parties:
        put(ws, row, 1, f"NPV of {p}", font=BOLD)
        m = df.pivot_table(index=k1, columns=k2, values=f"{p}.npv", aggfunc="first", sort=False)
        header(
            ws,
            row + 2,
            1,
            [f"{k1.rsplit('.', 1)[-1]} \\ {k2.rsplit('.', 1)[-1]}", *[str(c) for c in m.columns]],
        )
        for i, (idx, vals) in enumerate(m.iterrows(), start=row + 3):
            put(ws, i, 1, idx)
            for j, v in enumerate(vals, start=2):
                put(ws, i, j, v, USD_BN)
        row += len(m) + 5
    widths(ws, {1: 30, **{j: 14 for j in range(2, len(s.values[k2]) + 2)}})


def write_sweep(s: SweepResult, out_dir: str | Path) -> list[Path]:
    """Write NAME.sweep.csv and NAME.sweep.xlsx to ``out_dir``, as one set
    (:func:`~finmodel.reports.files.write_all`)."""
    return write_table_and_workbook(
        out_dir, "sweep", s.name, s.table, lambda p: write_sweep_workbook(s, p)
    )
