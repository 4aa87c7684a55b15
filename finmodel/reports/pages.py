"""How every sheet prints: landscape A4/Letter, legible, label columns repeated on each page.

A sheet narrow enough to fit the page's width at a legible scale (:data:`MIN_SCALE` or more) is
fitted to the width; a wider one (the period sheets: 31-42 columns) prints at
:data:`WIDE_SCALE` across several pages, its label columns and header rows repeated on each
(print titles, taken from the frozen panes). A block that belongs together (a table and its
chart) starts a page (:func:`keep_together`), so no chart is cut by a page break.
"""

from __future__ import annotations

from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

#: The printable width of a landscape A4 page with the default margins, in column-width units
#: (Excel's: about the width of a digit), at 100%.
PAGE_WIDTH = 140
#: The smallest scale at which a sheet is fitted to the page's width (8 pt text at 11 pt).
MIN_SCALE = 0.55
#: The scale of a sheet too wide to fit at :data:`MIN_SCALE`: it spans several pages.
WIDE_SCALE = 70
#: Rows (of the default height, print titles included) a landscape A4 page holds at
#: :data:`WIDE_SCALE`, as LibreOffice prints them.
ROWS_AT_WIDE = 40
#: openpyxl's width of a column it has no width for.
DEFAULT_WIDTH = 8.43


def sheet_width(ws: Worksheet) -> float:
    """The used columns' total width, in column-width units.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> ws["C1"] = 1
    >>> ws.column_dimensions["A"].width = 30
    >>> round(sheet_width(ws), 2)
    46.86
    """
    total = 0.0
    for j in range(1, ws.max_column + 1):
        dim = ws.column_dimensions.get(get_column_letter(j))
        total += dim.width if dim is not None and dim.width else DEFAULT_WIDTH
    return total


def fits_width(ws: Worksheet) -> bool:
    """Whether the sheet, fitted to the page's width, stays at :data:`MIN_SCALE` or larger."""
    return sheet_width(ws) * MIN_SCALE <= PAGE_WIDTH


def set_up(ws: Worksheet) -> None:
    """Landscape; fitted to the width where that stays legible, else at :data:`WIDE_SCALE`
    across pages with the frozen label columns and header rows repeated on each. A sheet a few
    rows longer than a page at that scale is fitted to one page tall instead
    (:func:`spills_a_few_rows`), so that no page holds only its last rows."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if fits_width(ws):
        ws.page_setup.fitToWidth = 1
        scale = min(1.0, PAGE_WIDTH / max(sheet_width(ws), 1.0))
        ws.page_setup.fitToHeight = 1 if spills_a_few_rows(ws, scale) else 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        return
    if spills_a_few_rows(ws, WIDE_SCALE / 100):
        ws.page_setup.fitToWidth = 0  # as many pages wide as needed
        ws.page_setup.fitToHeight = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = WIDE_SCALE
    if ws.freeze_panes and not (ws.print_title_rows or ws.print_title_cols):
        _titles_from_panes(ws)


def _titles_from_panes(ws: Worksheet) -> None:
    """Repeat what the frozen panes hold still: the columns left of, the rows above, the pane."""
    cell = ws[ws.freeze_panes]
    if cell.column > 1:
        ws.print_title_cols = f"A:{get_column_letter(cell.column - 1)}"
    if cell.row > 1:
        ws.print_title_rows = f"{cell.row - 1}:{cell.row - 1}"


def print_titles(ws: Worksheet, columns: str | None = None, rows: str | None = None) -> None:
    """Repeat ``columns`` (``"A:B"``) and ``rows`` (``"4:4"``) on every printed page."""
    if columns:
        column_index_from_string(columns.split(":")[0])  # a bad letter fails here
        ws.print_title_cols = columns
    if rows:
        ws.print_title_rows = rows


def keep_together(ws: Worksheet, first: int) -> None:
    """Start a page at row ``first`` (unless it is near the top), so that the block starting
    there (a table and its chart) prints on one page where it fits on one."""
    if first > 5:
        ws.row_breaks.append(Break(id=first - 1))


def spills_a_few_rows(ws: Worksheet, scale: float) -> bool:
    """Whether the sheet's rows are more than a page holds at ``scale``, but would fit one
    page tall at :data:`MIN_SCALE` (a table of rows only: no chart, no row of its own height,
    whose extent the row count would not tell).

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> ws.cell(row=45, column=1, value="last")  # doctest: +ELLIPSIS
    <Cell ...>
    >>> spills_a_few_rows(ws, 0.7), spills_a_few_rows(ws, 0.5)
    (True, False)
    """
    if ws._charts or any(d.height for d in ws.row_dimensions.values()):
        return False
    holds = ROWS_AT_WIDE * WIDE_SCALE / 100 / scale
    return holds < ws.max_row <= ROWS_AT_WIDE * WIDE_SCALE / (MIN_SCALE * 100)

