"""Cell-level conventions of every finmodel workbook: number formats, styles, safe text, saving.

Amounts are held in cells in USD and displayed in USD bn by number format, so a reader sees bn
and a formula sees dollars. Text is always written as text: a value that starts with ``=``,
``+``, ``-`` or ``@`` cannot become a formula.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from finmodel.reports.pages import set_up

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
#: How a value of each kind of input (:mod:`finmodel.inputs.labels`) is shown: rates and shares
#: as percentages, amounts in bn of their currency with two decimals, exchange rates with four.
KIND_FORMATS = {"rate": PCT, "share": "0.0%", "amount": "#,##0.00", "price": "#,##0.00",
                "fx": "0.0000", "years": "0"}  # fmt: skip
UNITS_NOTE = (
    "Amounts: cells hold USD, shown in USD bn. Sign: + the party receives, - the party pays."
)
_FORMULA_START = ("=", "+", "-", "@")
#: An amount below half a cent is rounding noise (the checks allow a cent): shown as 0.
NOISE_USD = 0.005


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
    if fmt == USD_BN and isinstance(value, float) and abs(value) < NOISE_USD:
        value = 0.0  # rounding noise, never "-0.00" in red
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


#: Every workbook's document timestamps (created, modified), fixed so that the same inputs give
#: the same bytes.
TIMESTAMP = dt.datetime(2000, 1, 1)
#: The date and time of every entry in the workbook's zip archive (the earliest zip allows).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def save(wb: Workbook, path: Path) -> None:
    """Print setup on every sheet (:func:`~finmodel.reports.pages.set_up`), fixed timestamps,
    then save.

    The same inputs give the same bytes: the document's created and modified times and every
    zip entry's time are fixed. The archive is built in memory and written to ``path`` in one
    go, so a full disk fails one write (and leaves no half-closed archive behind).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("a.xlsx", "b.xlsx"):
    ...     wb = Workbook()
    ...     wb.active["A1"] = "same"
    ...     save(wb, d / name)
    >>> (d / "a.xlsx").read_bytes() == (d / "b.xlsx").read_bytes()
    True
    """
    for ws in wb.worksheets:
        set_up(ws)
    wb.properties.creator = "finmodel"
    wb.properties.created = wb.properties.modified = TIMESTAMP
    buffer = io.BytesIO()
    with _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).write_data()  # openpyxl's save_workbook would stamp "now"
    Path(path).write_bytes(buffer.getvalue())


class _FixedTimeZip(zipfile.ZipFile):
    """A zip archive whose entries all carry :data:`ZIP_TIME` (openpyxl adds most parts by
    name, which stamps them with the current time, and each sheet from a temporary file, which
    stamps it with the file's)."""

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as f:
            data = f.read()
        self.writestr(arcname or Path(filename).name, data, compress_type, compresslevel)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=ZIP_TIME)
            zinfo_or_arcname.external_attr = 0o600 << 16  # as ZipFile.writestr gives
        super().writestr(
            zinfo_or_arcname,
            data,
            compress_type=self.compression if compress_type is None else compress_type,
            compresslevel=self.compresslevel if compresslevel is None else compresslevel,
        )


#: Sheet titles Excel refuses or keeps for itself (compared ignoring case).
EXCEL_RESERVED_TITLES = ("History",)
MAX_TITLE = 31


def unique_titles(wanted: Sequence[str], taken: Iterable[str] = ()) -> list[str]:
    """Sheet titles for ``wanted``, in order: each at most 31 characters, none equal to another
    or to one of ``taken`` (ignoring case, as Excel does). A title that would clash is cut and
    numbered: ``" (2)"``, ``" (3)"``, ...

    ``taken`` are titles the workbook keeps for itself (its own sheets): they are never changed,
    the wanted ones give way. Titles must hold none of ``[]:*?/\\``.

    Examples
    --------
    >>> unique_titles(["parties", "a" * 40, "a" * 35], taken=["Parties"])
    ['parties (2)', 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaaaaaaaaaaaa (2)']
    """
    used = {t.casefold() for t in (*taken, *EXCEL_RESERVED_TITLES)}
    out = []
    for title in wanted:
        candidate, k = title[:MAX_TITLE], 1
        while candidate.casefold() in used:
            k += 1
            suffix = f" ({k})"
            candidate = title[: MAX_TITLE - len(suffix)] + suffix
        used.add(candidate.casefold())
        out.append(candidate)
    return out


def sheet_title(ws: Worksheet, title: str, result: Any) -> int:
    """A sheet's title, the scenario's name and the units note in rows 1-3; the first free row."""
    put(ws, 1, 1, title, font=TITLE)
    put(ws, 2, 1, f"Scenario: {result.name}")
    put(ws, 3, 1, UNITS_NOTE)
    return 5


def changed_title(title: str, changes: tuple[str, ...]) -> str:
    """A study sheet's title, followed by the ``--set`` changes of its scenario in words (as the
    run's Summary opens with them): changed numbers are never shown as the file's own.

    Examples
    --------
    >>> changed_title("Sweep of base", ())
    'Sweep of base'
    >>> changed_title("Sweep of x", ("Discount rate 5.0% (base 4.0%)",))
    'Sweep of x. CHANGED by --set: Discount rate 5.0% (base 4.0%)'
    """
    return f"{title}. CHANGED by --set: {'; '.join(changes)}" if changes else title

