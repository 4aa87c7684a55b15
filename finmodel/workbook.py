"""Cell-level conventions of every finmodel workbook: number formats, styles, safe text, saving.

Amounts are held in cells in USD and displayed in USD bn by number format, so a reader sees bn
and a formula sees dollars. Text is always written as text: a value that starts with ``=``,
``+``, ``-`` or ``@`` cannot become a formula.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

USD_BN = '#,##0.00,,,;[Red]-#,##0.00,,,;"-"'
PCT = "0.00%"
MOIC = '0.00"x"'
USD_CENTS = "#,##0.00"
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_BORDER = Border(top=Side(style="thin"))
#: Inputs, and only inputs, are blue on light yellow (FAST, ICAEW): the cells one may change.
INPUT_FONT = Font(color="0000FF")
INPUT_FILL = PatternFill("solid", fgColor="FFFFCC")
#: Numbers copied from finmodel's own run (not inputs, not formulas): grey italic.
ENGINE_FONT = Font(color="595959", italic=True)
UNITS_NOTE = (
    "Amounts: cells hold USD, shown in USD bn. Sign: + the party receives, - the party pays."
)
_FORMULA_START = ("=", "+", "-", "@")


def put(ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None, font=None):
    """Write one cell; text is always text (never a formula), numbers get ``fmt``.

    Examples
    --------
    >>> from openpyxl import Workbook
    >>> ws = Workbook().active
    >>> c = put(ws, 1, 1, "=HYPERLINK(\\"http://x\\")")
    >>> c.data_type, c.quotePrefix
    ('s', True)
    """
    if isinstance(value, (np.floating, np.integer)):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        value = None
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(_FORMULA_START):
            cell.quotePrefix = True
    if fmt:
        cell.number_format = fmt
    if font:
        cell.font = font
    return cell


def header(ws: Worksheet, row: int, col: int, labels: list[str]) -> None:
    for j, label in enumerate(labels):
        c = put(ws, row, col + j, label, font=BOLD)
        c.fill = HEAD_FILL
        c.alignment = Alignment(horizontal="center" if j else "left", wrap_text=True)


def widths(ws: Worksheet, widths: dict[int, float]) -> None:
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = w


def save(wb: Workbook, path: Path) -> None:
    """Print setup on every sheet (landscape, fit to width), fixed timestamps, then save.

    The document's timestamps are fixed so that the same inputs give the same workbook.
    """
    for ws in wb.worksheets:
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    wb.properties.creator = "finmodel"
    wb.properties.created = wb.properties.modified = dt.datetime(2000, 1, 1)
    wb.save(path)
