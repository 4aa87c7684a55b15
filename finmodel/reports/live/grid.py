"""The layout of the live model's time-based sheets: label, constant, units, total, then periods.

Every time-based sheet of the live model (Inputs, Timeline, each ``Calc`` sheet, Parties (live))
uses the same columns, so the same column is the same period everywhere:

====== ========== ======= ======= ==========================
A      B          C       D       E, F, ...
label  constant   units   total   period 0, period 1, ...
====== ========== ======= ======= ==========================

A row is one formula copied across the periods. Formulas are written as templates in which
``{c}`` is the current period's column and ``{p}`` the previous one. For the first period the
previous column is D: balance rows leave D empty (Excel reads an empty cell as 0, the opening
balance), so the same formula holds in every period and nothing refers back to a total.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from finmodel.reports.cells import (
    BOLD,
    ENGINE_FONT,
    HEAD_FILL,
    TITLE,
    UNITS_NOTE,
    USD_BN,
    header,
    put,
    widths,
)

LABEL, CONSTANT, UNITS, TOTAL, FIRST_PERIOD = 1, 2, 3, 4, 5
#: Row of the period numbers and row of the period end dates on every time-based sheet.
PERIOD_ROW, DATE_ROW, FIRST_ROW = 5, 6, 8
SIGN_NOTE = UNITS_NOTE + " Inputs are blue on light yellow, on the Inputs sheet only."


@dataclass
class Grid:
    """A time-based sheet being written: where each named row is, and the next free row.

    Parameters
    ----------
    ws : the worksheet
    columns : number of periods (n_periods + 1)
    rows : named rows written so far, name -> row number

    Examples
    --------
    A balance carried from period to period: one formula, copied across; in the first period
    the previous column is D, empty (the opening balance 0).

    >>> from openpyxl import Workbook
    >>> g = Grid(Workbook().active, columns=3)
    >>> r = g.series("flow", "Flow", "USD bn", "=Inputs!{c}$9")
    >>> r = g.series("balance", "Balance", "USD bn", f"={g.prev('balance')}+{g.cur('flow')}",
    ...              total=False)
    >>> g.flush()
    >>> [c.value for c in g.ws[r]]
    ['Balance', None, 'USD bn', None, '=D9+E$8', '=E9+F$8', '=F9+G$8']
    """

    ws: Worksheet
    columns: int
    rows: dict[str, int] = field(default_factory=dict)
    next_row: int = FIRST_ROW
    pending: list[tuple[int, str, str]] = field(default_factory=list)
    cells: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.ws.title

    @property
    def letters(self) -> list[str]:
        return _letters(self.columns)

    @property
    def last_letter(self) -> str:
        return self.letters[-1]

    # --- references, as template text -----------------------------------------------------------
    # A reference on the same sheet is a token resolved when the grid is flushed, so a row may
    # refer to a row written below it (the previous period's closing balance); a reference
    # from another sheet is resolved at once.

    def cur(self, key: str, sheet: bool = False) -> str:
        """The row ``key`` in the current period (a template)."""
        return self._ref(key, "cur", sheet)

    def prev(self, key: str) -> str:
        """The row ``key`` in the previous period (a template; the same sheet only)."""
        return self._ref(key, "prev", False)

    def const(self, key: str, sheet: bool = False) -> str:
        """The constant (column B) of row ``key``, absolute."""
        return self._ref(key, "const", sheet)

    def total(self, key: str, sheet: bool = False) -> str:
        """The total (column D) of row ``key``, absolute."""
        return self._ref(key, "total", sheet)

    def span(self, key: str, sheet: bool = False) -> str:
        """The periods of row ``key``: $E$r:$X$r."""
        return self._ref(key, "span", sheet)

    def _ref(self, key: str, mode: str, sheet: bool) -> str:
        if not sheet:
            return f"\u27e8{key}|{mode}\u27e9"
        return f"'{self.name}'!" + self._resolve(key, mode)

    def _resolve(self, key: str, mode: str) -> str:
        r = self.rows[key]
        return {
            "cur": f"{{c}}${r}",
            "prev": f"{{p}}{r}",
            "const": f"$B${r}",
            "total": f"$D${r}",
            "span": f"$E${r}:${self.last_letter}${r}",
        }[mode]

    def _text(self, template: str) -> str:
        """``template`` with this sheet's tokens replaced by cell references."""
        return _TOKEN.sub(lambda m: self._resolve(m[1], m[2]), template)

    # --- writing ------------------------------------------------------------------------------

    def title(self, title: str, scenario: str, timed: bool = True) -> None:
        """Title, scenario, sign convention; the period and date header rows from Timeline.

        A sheet of constants only (``timed=False``) gets a header without the periods.
        """
        put(self.ws, 1, 1, title, font=TITLE)
        put(self.ws, 2, 1, f"Scenario: {scenario}")
        put(self.ws, 3, 1, SIGN_NOTE)
        if not timed:
            header(self.ws, PERIOD_ROW, 1, ["Item", "Value", "Units"])
            widths(self.ws, {1: 60, 2: 16, 3: 11})
            self.ws.freeze_panes = self.ws.cell(row=FIRST_ROW, column=1)
            return
        header(self.ws, PERIOD_ROW, 1, ["Period", "Constant", "Units", "Total"])
        header(self.ws, DATE_ROW, 1, ["Period end", "", "", ""])
        for k, col in enumerate(self.letters):
            for row, fmt in ((PERIOD_ROW, "0"), (DATE_ROW, "yyyy-mm-dd")):
                c = self.ws.cell(row=row, column=FIRST_PERIOD + k, value=f"=Timeline!{col}${row}")
                c.number_format, c.font, c.fill = fmt, BOLD, HEAD_FILL
        widths(self.ws, {1: 46, 2: 13, 3: 11, 4: 13})
        for k in range(self.columns):
            self.ws.column_dimensions[get_column_letter(FIRST_PERIOD + k)].width = 11
        self.ws.freeze_panes = self.ws.cell(row=FIRST_ROW, column=FIRST_PERIOD)

    def section(self, text: str) -> None:
        """A bold heading row, after a blank row."""
        if self.next_row > FIRST_ROW:
            self.next_row += 1
        put(self.ws, self.next_row, LABEL, text, font=BOLD)
        self.next_row += 1

    def constant(
        self, key: str, label: str, units: str, value: object, fmt: str | None = None, style=None
    ) -> int:
        """A row holding one value or formula in the constant column (B)."""
        r = self._claim(key, label, units)
        c = self.ws.cell(row=r, column=CONSTANT, value=value)
        if isinstance(value, str):
            self.cells.append((r, CONSTANT, value))
        if style:  # before the number format: a named style carries its own
            c.style = style
        if fmt:
            c.number_format = fmt
        return r

    def series(
        self,
        key: str,
        label: str,
        units: str,
        template: str,
        total: bool = True,
        fmt: str = USD_BN,
    ) -> int:
        """A row with one formula (``template``, with {c} and {p}) copied across every period."""
        r = self._claim(key, label, units)
        self.pending.append((r, template, fmt))
        if total:
            t = self.ws.cell(row=r, column=TOTAL, value=f"=SUM(E{r}:{self.last_letter}{r})")
            t.number_format, t.font = fmt, BOLD
        return r

    def flush(self) -> None:
        """Write the rows' formulas across the periods, now that every row has its number."""
        letters = self.letters
        pairs = list(enumerate(zip(letters, ["D", *letters[:-1]]), start=FIRST_PERIOD))
        cell = self.ws.cell
        for r, template, fmt in self.pending:
            text = self._text(template)
            for col, (c, p) in pairs:
                cell(row=r, column=col, value=text.format(c=c, p=p)).number_format = fmt
        self.pending.clear()
        for r, col, template in self.cells:
            self.ws.cell(row=r, column=col).value = self._text(template)
        self.cells.clear()

    def values(
        self,
        key: str,
        label: str,
        units: str,
        values,
        total: bool = True,
        fmt: str = USD_BN,
        style: str | None = None,
        font=None,
    ) -> int:
        """A row of numbers across the periods: inputs (``style``), or the engine's values."""
        r = self._claim(key, label, units)
        cell = self.ws.cell
        for k, x in enumerate(values):
            c = cell(row=r, column=FIRST_PERIOD + k, value=float(x))
            if style is not None:
                c.style = style
            if font is not None:
                c.font = font
            c.number_format = fmt
        if total:
            t = cell(row=r, column=TOTAL, value=f"=SUM(E{r}:{self.last_letter}{r})")
            t.number_format, t.font = fmt, BOLD
        return r

    def metric(
        self, key: str, label: str, units: str, formula: str | float | None, fmt: str = USD_BN
    ) -> int:
        """An output of the whole row block in the total column (D): a formula, or a value
        (the engine's, in its grey italic)."""
        r = self._claim(key, label, units)
        c = self.ws.cell(row=r, column=TOTAL)
        c.number_format = fmt
        if isinstance(formula, str):
            c.font = BOLD
            self.cells.append((r, TOTAL, formula))
        else:
            c.value, c.font = formula, ENGINE_FONT
        return r

    def formula(self, row: int, col: int, template: str, fmt: str | None = None) -> None:
        """One formula in one cell (resolved when the grid is flushed)."""
        if fmt:
            self.ws.cell(row=row, column=col).number_format = fmt
        self.cells.append((row, col, template))

    def note(self, text: str) -> None:
        """A line of explanation under the current row."""
        put(self.ws, self.next_row, LABEL, text, font=Font(italic=True))
        self.next_row += 1

    def _claim(self, key: str, label: str, units: str) -> int:
        r = self.next_row
        if key in self.rows:
            raise ValueError(f"row {key!r} written twice on {self.name}")
        self.rows[key] = r
        put(self.ws, r, LABEL, label)
        put(self.ws, r, UNITS, units)
        self.next_row += 1
        return r


_TOKEN = re.compile("\u27e8([^|\u27e9]+)\\|(\\w+)\u27e9")
_LETTERS: dict[int, list[str]] = {}


def _letters(columns: int) -> list[str]:
    """Column letters of the periods, E onwards (cached: the monthly timeline has 361)."""
    if columns not in _LETTERS:
        _LETTERS[columns] = [get_column_letter(FIRST_PERIOD + k) for k in range(columns)]
    return _LETTERS[columns]


K = f"{{c}}${PERIOD_ROW}"  # the period number, in the current column



RATE = "0.0000%"
#: The number format of a share.
SHARE = "0.00%"



class Refs:
    """The other sheets a calculation sheet refers to, and its vehicle's input keys."""

    def __init__(self, inputs: Grid, timeline: Grid, pool: Grid, vid: str) -> None:
        self.inputs, self.timeline, self.pool, self.vid = inputs, timeline, pool, vid

    def scalar(self, key: str) -> str:
        """The vehicle's scalar input ``key`` (absolute, on Inputs)."""
        return self.inputs.const(f"{self.vid}:{key}", sheet=True)

    def row(self, key: str) -> str:
        """The vehicle's timing input row ``key`` in the current period."""
        return self.inputs.cur(f"{self.vid}:{key}", sheet=True)

    def has(self, key: str) -> bool:
        return f"{self.vid}:{key}" in self.inputs.rows

    @property
    def m(self) -> str:
        return self.inputs.const("m", sheet=True)

    def per_period(self, annual: str) -> str:
        """Formula text of the per-period rate of an annual rate: (1 + r)^(1/m) - 1."""
        return f"(1+{annual})^(1/{self.m})-1"
