"""The tornado workbook: the table, and a bar chart per party, largest swing on top."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from finmodel.reports.cells import BOLD, TITLE, UNITS_NOTE, USD_BN, header, put, save, widths
from finmodel.reports.files import write_table_and_workbook
from finmodel.studies.tornado import TornadoResult


def write_tornado_workbook(t: TornadoResult, path: Path) -> None:
    """Write the tornado's workbook to ``path``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Tornado"
    put(ws, 1, 1, "Tornado: each key input moved alone to its low and high value", font=TITLE)
    put(ws, 2, 1, f"Scenario: {t.name}. NPV of each party. {UNITS_NOTE}")
    row = 4
    cols = ["key", "low", "high", "npv_low", "npv_base", "npv_high", "low - base", "high - base",
            "invalid"]  # fmt: skip
    for party, frame in t.table.groupby("party", sort=False):
        put(ws, row, 1, f"NPV of {party}", font=BOLD)
        header(ws, row + 1, 1, cols)
        first = row + 2
        for i, r in enumerate(frame.itertuples(index=False), start=first):
            put(ws, i, 1, r.key)
            put(ws, i, 2, r.low)
            put(ws, i, 3, r.high)
            for j, v in enumerate((r.npv_low, r.npv_base, r.npv_high), start=4):
                put(ws, i, j, v, USD_BN)
            put(ws, i, 7, r.npv_low - r.npv_base, USD_BN)
            put(ws, i, 8, r.npv_high - r.npv_base, USD_BN)
            put(ws, i, 9, r.invalid or None)  # an end a single run rejects: why
        last = first + len(frame) - 1
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "clustered"
        chart.overlap = 100
        chart.gapWidth = 40
        chart.title = f"NPV of {party}: change from the base (USD bn)"
        chart.y_axis.title = "USD bn"
        chart.y_axis.numFmt = "#,##0,,,"
        chart.x_axis.scaling.orientation = "maxMin"  # the largest swing on top
        chart.x_axis.tickLblPos = "low"
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        chart.legend.position = "b"
        chart.add_data(Reference(ws, min_col=7, max_col=8, min_row=first - 1, max_row=last),
                       titles_from_data=True)  # fmt: skip
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
        chart.height, chart.width = max(6, 0.8 * len(frame)), 20
        ws.add_chart(chart, f"K{row}")
        row = max(last + 3, row + int(2 * chart.height) + 2)
    widths(ws, {1: 44, 2: 10, 3: 10, 4: 14, 5: 14, 6: 14, 7: 14, 8: 14, 9: 40})
    save(wb, path)


def write_tornado(t: TornadoResult, out_dir: str | Path) -> list[Path]:
    """Write NAME.tornado.csv and NAME.tornado.xlsx to ``out_dir``, as one set
    (:func:`~finmodel.reports.files.write_all`)."""
    return write_table_and_workbook(
        out_dir, "tornado", t.name, t.table, lambda p: write_tornado_workbook(t, p)
    )
