"""How every sheet prints: landscape A4/Letter, legible, label columns repeated on each page.

A sheet narrow enough to fit the page's width at a legible scale (:data:`MIN_SCALE` or more) is
fitted to the width; a wider one (the period sheets: 31-42 columns) prints at
:data:`WIDE_SCALE` across several pages, its label columns and header rows repeated on each
(print titles, taken from the frozen panes). A block that belongs together (a table and its
chart) starts a page (:func:`keep_together`), so no chart is cut by a page break.
"""

from __future__ import annotations

from openpyxl.styles import Alignment
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
    _scale(ws)
    wrap_long_notes(ws)  # after the scale: its rows' heights would stop a fit to one page tall


def _scale(ws: Worksheet) -> None:
    if fits_width(ws):
        ws.page_setup.fitToWidth = 1
        scale = min(1.0, PAGE_WIDTH / max(sheet_width(ws), 1.0))
        ws.page_setup.fitToHeight = 1 if spills_a_few_rows(ws, scale) else pages_tall(ws, scale)
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        return
    tall = 1 if spills_a_few_rows(ws, WIDE_SCALE / 100) else pages_tall(ws, WIDE_SCALE / 100)
    if tall:
        ws.page_setup.fitToWidth = 0  # as many pages wide as needed
        ws.page_setup.fitToHeight = tall
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = False
        ws.page_setup.scale = WIDE_SCALE
    if ws.freeze_panes and not (ws.print_title_rows or ws.print_title_cols):
        _titles_from_panes(ws)


#: A last page holding less than this share of a page's rows is not printed: the sheet is
#: fitted to one page fewer (:func:`pages_tall`).
SHORT_LAST_PAGE = 0.3


def rows_a_page_holds(scale: float) -> float:
    """Rows of the default height a landscape A4 page holds at ``scale``, as LibreOffice
    printed them: 31 at 100% (the Flows sheet), :data:`ROWS_AT_WIDE` (40) at 70%; in between
    and beyond, the line through both in 1/scale.

    Examples
    --------
    >>> round(rows_a_page_holds(1.0)), round(rows_a_page_holds(0.7))
    (31, 40)
    """
    slope = (ROWS_AT_WIDE - 31.0) / (100 / WIDE_SCALE - 1.0)
    return 31.0 + slope * (1.0 / scale - 1.0)


def pages_tall(ws: Worksheet, scale: float) -> int:
    """How many pages tall to fit a sheet of rows (no chart) so that its last page is not a
    few rows alone: one page fewer than it spans at ``scale`` when the last would hold less
    than :data:`SHORT_LAST_PAGE` of a page and the smaller scale stays :data:`MIN_SCALE` or
    more; 0 (no fit: print at ``scale``) otherwise. Rows of their own height count as that many
    lines.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> ws.cell(row=84, column=1, value="IRR")  # doctest: +ELLIPSIS
    <Cell ...>
    >>> pages_tall(ws, 0.7)  # 40 rows a page at 70%: 84 rows leave 4 on a third page
    2
    >>> ws.cell(row=100, column=1, value="NPV")  # doctest: +ELLIPSIS
    <Cell ...>
    >>> pages_tall(ws, 0.7)  # 20 rows on the third page: printed as they are
    0
    """
    if ws._charts or ws.row_breaks.brk:
        return 0
    lines = ws.max_row + sum(
        max(d.height / LINE_HEIGHT - 1, 0.0) for d in ws.row_dimensions.values() if d.height
    )
    spans = lines / rows_a_page_holds(scale)
    full = int(spans)
    if full < 1 or spans - full >= SHORT_LAST_PAGE or scale * full / spans < MIN_SCALE:
        return 0
    return full


#: A title or note row this far down or less is wrapped within the sheet's width
#: (:func:`wrap_long_notes`).
NOTE_ROWS = 6
#: Points per line of wrapped default text.
LINE_HEIGHT = 15.0


def wrap_long_notes(ws: Worksheet) -> None:
    """Wrap each note at the top of the sheet (a row of :data:`NOTE_ROWS` or less holding text
    in column A alone) that is longer than the used columns are wide: merged across them,
    wrapped, the row as tall as its lines. Left to overflow, LibreOffice and Excel print its
    tail on a page of its own to the right, nearly blank. A sheet fitted to the page's width
    prints the overflow within it, and is left as it is (taller rows would move its charts).

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> ws["A2"] = "x " * 150  # 300 characters
    >>> ws["AN4"] = 1  # 40 columns: too wide to fit; the first page holds A-P (16 x 8.43)
    >>> wrap_long_notes(ws)
    >>> [str(r) for r in ws.merged_cells.ranges], ws["A2"].alignment.wrap_text
    (['A2:P2'], True)
    >>> ws.row_dimensions[2].height  # ceil(300 / 134) = 3 lines of 15 pt
    45.0
    """
    if fits_width(ws):
        return
    columns = _columns_on_first_page(ws)
    width = sum(_width(ws, j) for j in range(1, columns + 1))
    last = get_column_letter(columns)
    merged = {r.min_row for r in ws.merged_cells.ranges}
    for r in range(1, min(NOTE_ROWS, ws.max_row) + 1):
        text = ws.cell(row=r, column=1).value
        if not isinstance(text, str) or len(text) <= width or r in merged or columns < 2:
            continue
        if any(ws.cell(row=r, column=j).value is not None for j in range(2, ws.max_column + 1)):
            continue
        ws.merge_cells(f"A{r}:{last}{r}")
        cell = ws.cell(row=r, column=1)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = LINE_HEIGHT * -(-len(text) // int(max(width, 1.0)))


def _width(ws: Worksheet, j: int) -> float:
    dim = ws.column_dimensions.get(get_column_letter(j))
    return dim.width if dim is not None and dim.width else DEFAULT_WIDTH


def _columns_on_first_page(ws: Worksheet) -> int:
    """How many columns, from A, the first printed page surely holds: all of them on a sheet
    fitted to the width, else as many as fit :data:`PAGE_WIDTH` (LibreOffice's first page of a
    sheet at :data:`WIDE_SCALE` holds about that many, not the 1/scale more one would think)."""
    if fits_width(ws):
        return ws.max_column
    used, n = 0.0, 0
    for j in range(1, ws.max_column + 1):
        used += _width(ws, j)
        if used > PAGE_WIDTH:
            break
        n = j
    return max(n, 1)


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

