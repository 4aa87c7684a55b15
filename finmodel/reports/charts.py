"""The report's native Excel charts: who receives what, receipts over time, the pool.

Each function takes the cells a table already holds (amounts in USD, shown in USD bn by the
axis's number format) and returns a chart to place; none writes cells of its own.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.worksheet.worksheet import Worksheet

BN_AXIS = "#,##0,,,"


def _axes(chart: BarChart | LineChart, title: str, value_axis: str = "USD bn") -> None:
    chart.title = title
    chart.y_axis.title = value_axis
    chart.y_axis.numFmt = BN_AXIS
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"


def _stacked_bars(ws: Worksheet, first: int, last: int, cols: tuple[int, int]) -> BarChart:
    """Horizontal stacked bars: a bar per row first..last, a segment per column (header above)."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.gapWidth = 60
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # the first row on top, as in the table
    data = Reference(ws, min_col=cols[0], max_col=cols[1], min_row=first - 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.height, chart.width = 9, 24
    return chart


def who_receives(ws: Worksheet, first: int, last: int, n_parties: int) -> BarChart:
    """What each party receives from each vehicle: a bar per vehicle, a segment per party."""
    chart = _stacked_bars(ws, first, last, (2, 1 + n_parties))
    _axes(chart, "Who receives what from each vehicle (USD bn)")
    return chart


def pool_uses(ws: Worksheet, first: int, last: int, cols: tuple[int, int]) -> BarChart:
    """Sources and uses of the pool: a bar per carve-out, a segment per holding it draws on."""
    chart = _stacked_bars(ws, first, last, cols)
    _axes(chart, "The frozen pool: each use, by the holding it comes from (USD bn)")
    return chart


def cumulative_receipts(
    ws: Worksheet, rows: list[int], names: list[str], dates_row: int, cols: tuple[int, int]
) -> LineChart:
    """A line per party: cumulative net receipts over time (one row each, periods across)."""
    chart = LineChart()
    _axes(chart, "Cumulative net receipts by party (USD bn)")
    chart.x_axis.title = "period end"
    chart.x_axis.number_format = "yyyy"
    chart.x_axis.tickLblPos = "low"  # below the plot, not on the zero line the lines cross
    for row, name in zip(rows, names):
        s = Series(Reference(ws, min_col=cols[0], max_col=cols[1], min_row=row), title=name)
        s.smooth = False
        chart.series.append(s)
    chart.set_categories(Reference(ws, min_col=cols[0], max_col=cols[1], min_row=dates_row))
    chart.height, chart.width = 10, 24
    return chart
