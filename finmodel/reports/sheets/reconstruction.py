"""The run report's Reconstruction sheet: each estimate of the needs year by year against what
the reading puts into reconstruction, the gap and the cumulative gap, each with a chart.

The numbers are the summary's ``reconstruction`` block
(:func:`finmodel.studies.reconstruction.need_table`); a table and its chart print on one page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.worksheet.worksheet import Worksheet

from finmodel.reports.cells import BOLD, USD_BN, header, put, sheet_title, widths
from finmodel.reports.charts import BN_AXIS
from finmodel.reports.pages import keep_together

if TYPE_CHECKING:
    from finmodel.studies.run import Result

COLUMNS = ("needs", "funding", "gap", "cumulative_gap")
LABELS = ("Year", "Needs", "Funding", "Gap (needs - funding)", "Cumulative gap")
#: rows a chart takes below its table
CHART_ROWS = 22


def reconstruction_sheet(ws: Worksheet, result: Result) -> None:
    """A block per estimate of the needs: its year-by-year table, then its chart."""
    row = sheet_title(ws, "Reconstruction: needs by year, funding and the gap", result)
    rec = result.summary["reconstruction"]
    marked = [v.name for v in result.assumptions.vehicles.values() if v.funds_reconstruction]
    put(ws, row, 1, "Funding: what the vehicles marked funds_reconstruction put to work in "
        f"Ukraine ({', '.join(marked) or 'none in this reading'}); docs/model.md.")
    put(ws, row + 1, 1, "Needs: year 1 the published first-year priority need, the rest "
        "evenly over the other years (an assumption). A negative gap: funding beyond the need.")
    row += 3
    if not rec["needs"]:
        put(ws, row, 1, "No estimate of the needs in this scenario.")
    for i, n in enumerate(rec["needs"].values()):
        if i:  # the first block prints under the sheet's notes
            keep_together(ws, row)
        row = _block(ws, row, n) + 2
    widths(ws, {1: 12, 2: 16, 3: 16, 4: 22, 5: 18})


def _block(ws: Worksheet, row: int, n: dict) -> int:
    """One need's table and chart from ``row``; returns the last row used."""
    t = n["by_year"]
    put(ws, row, 1, f"{n['name']}: USD {n['needs'] / 1e9:,.1f}bn over {n['years']} years",
        font=BOLD)
    header(ws, row + 1, 1, list(LABELS))
    first = row + 2
    for i, year in enumerate(t["year"]):
        put(ws, first + i, 1, str(year))
        for j, key in enumerate(COLUMNS, start=2):
            put(ws, first + i, j, t[key][i], USD_BN)
    last = first + len(t["year"]) - 1
    put(ws, last + 1, 1, "Total", font=BOLD)
    for j, key in ((2, "needs"), (3, "funding"), (4, "gap")):
        put(ws, last + 1, j, sum(t[key]), USD_BN, font=BOLD)
    ws.add_chart(_chart(ws, first, last, n["name"]), f"A{last + 3}")
    return last + 3 + CHART_ROWS


def _chart(ws: Worksheet, first: int, last: int, name: str) -> BarChart:
    """Needs and funding as bars by year, the cumulative gap as a line, on one USD bn axis."""
    bars = BarChart()
    bars.add_data(Reference(ws, min_col=2, max_col=3, min_row=first - 1, max_row=last),
                  titles_from_data=True)
    line = LineChart()
    line.add_data(Reference(ws, min_col=5, min_row=first - 1, max_row=last),
                  titles_from_data=True)
    cats = Reference(ws, min_col=1, min_row=first, max_row=last)
    bars.set_categories(cats)
    line.set_categories(cats)
    bars.title = f"{name}, USD bn"
    bars.y_axis.title = "USD bn"
    bars.y_axis.numFmt = BN_AXIS
    bars.x_axis.delete = False
    bars.y_axis.delete = False
    bars.x_axis.tickLblPos = "low"
    bars.legend.position = "b"
    bars += line
    bars.height, bars.width = 10, 22
    return bars
