"""The tornado workbook: the table, and a bar chart per party, largest swing on top.

Inputs are named in words with their unit (:mod:`finmodel.inputs.labels`), the key path beside
them for ``--set``, and each range with its reason.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment
from openpyxl.worksheet.worksheet import Worksheet

from finmodel.inputs.labels import label, party_name
from finmodel.inputs.loader import digest
from finmodel.reports.cells import (
    BOLD,
    KIND_FORMATS,
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
from finmodel.reports.pages import keep_together, print_titles
from finmodel.reports.sheets.assumptions import wrapped_lines
from finmodel.studies.tornado import TornadoResult

COLUMNS = ["Input", "Key path (for --set)", "Unit", "Low", "High", "NPV at low",
           "NPV at base", "NPV at high", "Low - base", "High - base", "Why this range",
           "Not computed"]  # fmt: skip
_CHANGE = 9  # the first of the two change columns (the chart's data)


def write_tornado_workbook(t: TornadoResult, path: Path) -> None:
    """Write the tornado's workbook to ``path``."""
    wb = Workbook()
    wb.properties.identifier = stamp(t.identity or digest(t.assumptions))
    ws = wb.active
    ws.title = "Tornado"
    title = "Tornado: each key input moved alone to its low and high value"
    put(ws, 1, 1, changed_title(title, t.changes), font=TITLE)
    put(ws, 2, 1, f"Scenario: {t.name}. NPV of each party. {UNITS_NOTE}")
    row = 4
    for party, frame in t.table.groupby("party", sort=False):
        keep_together(ws, row)
        row = _party_block(ws, t, str(party), frame, row)
    widths(ws, {1: NAME_WIDTH, 2: KEY_WIDTH, 3: 12, 4: 10, 5: 10, **{j: 12 for j in range(6, 11)},
                11: 40, 12: 30})  # fmt: skip
    print_titles(ws, columns="A:A")
    save(wb, path)


#: Widths of the name and key path columns: the sheet still fits the page's width
#: (pages.fits_width). A key path's letters are as wide as a unit each, so it wraps at one
#: character a unit.
NAME_WIDTH, KEY_WIDTH = 46, 44
_WRAP = Alignment(wrap_text=True, vertical="top")


def _party_block(ws: Worksheet, t: TornadoResult, party: str, frame, row: int) -> int:
    """A party's table and its chart below it; the next free row."""
    a = t.assumptions
    put(ws, row, 1, f"NPV of {party_name(a, party)}", font=BOLD)
    header(ws, row + 1, 1, COLUMNS)
    first = row + 2
    for i, r in enumerate(frame.itertuples(index=False), start=first):
        lab = label(a, r.key)
        put(ws, i, 1, lab.text).alignment = _WRAP  # a long name or key path wraps in its
        put(ws, i, 2, r.key).alignment = _WRAP  # cell, never cut by the next one
        lines = max(wrapped_lines(lab.text, NAME_WIDTH), wrapped_lines(r.key, KEY_WIDTH))
        ws.row_dimensions[i].height = 15 * lines
        put(ws, i, 3, lab.unit)
        put(ws, i, 4, r.low, KIND_FORMATS.get(lab.kind))
        put(ws, i, 5, r.high, KIND_FORMATS.get(lab.kind))
        for j, v in enumerate((r.npv_low, r.npv_base, r.npv_high), start=6):
            put(ws, i, j, v, USD_BN)
        put(ws, i, _CHANGE, r.npv_low - r.npv_base, USD_BN)
        put(ws, i, _CHANGE + 1, r.npv_high - r.npv_base, USD_BN)
        put(ws, i, 11, r.reason)
        put(ws, i, 12, r.invalid or None)  # an end a single run rejects: why
    last = first + len(frame) - 1
    chart = _chart(ws, party_name(a, party), first, last)
    ws.add_chart(chart, f"A{last + 2}")
    return last + 3 + int(2 * chart.height)


def _chart(ws: Worksheet, name: str, first: int, last: int) -> BarChart:
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.overlap = 100
    chart.gapWidth = 40
    chart.title = f"NPV of {name}: change from the base (USD bn)"
    chart.y_axis.title = "USD bn"
    chart.y_axis.numFmt = "#,##0,,,"
    chart.x_axis.scaling.orientation = "maxMin"  # the largest swing on top
    chart.x_axis.tickLblPos = "low"
    chart.x_axis.delete = False
    chart.x_axis.tickLblSkip = 1  # every bar labelled, not every other one
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.add_data(Reference(ws, min_col=_CHANGE, max_col=_CHANGE + 1, min_row=first - 1,
                             max_row=last), titles_from_data=True)  # fmt: skip
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.height, chart.width = max(6.0, 0.9 * (last - first + 1)), 24  # room for each label
    return chart


def write_tornado(t: TornadoResult, out_dir: str | Path) -> list[Path]:
    """Write NAME.tornado.csv and NAME.tornado.xlsx to ``out_dir``, as one set
    (:func:`~finmodel.reports.files.write_all`)."""
    return write_table_and_workbook(
        out_dir, "tornado", t.name, t.table, lambda p: write_tornado_workbook(t, p)
    )
