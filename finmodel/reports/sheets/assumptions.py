"""The Assumptions sheet: every input with its unit and source, the readings, the files and
their sha256 (a comparison's workbook shows it for each reading too)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from finmodel.inputs.labels import label
from finmodel.reports.cells import (
    BOLD,
    KIND_FORMATS,
    header,
    put,
    sheet_title,
    widths,
)

if TYPE_CHECKING:
    from finmodel.studies.run import Result



def _leaves(data: Any, path: tuple = ()) -> list[tuple[tuple, Any]]:
    if isinstance(data, dict):
        return [x for k, v in data.items() for x in _leaves(v, (*path, k))]
    if isinstance(data, list) and data and isinstance(data[0], (dict, list)):
        return [x for i, v in enumerate(data) for x in _leaves(v, (*path, i))]
    return [(path, data)]



def _get(data: Any, path: tuple) -> Any:
    for p in path:
        data = data[p]
    return data



def _source_of(path: tuple, data: dict, sources: dict) -> dict | None:
    dotted = ".".join(str(p) for p in path)
    if dotted in sources:
        return sources[dotted]
    if isinstance(_get(data, path), list) and f"{dotted}.0" in sources:
        return sources[f"{dotted}.0"]  # a list of numbers shown in one row: its first's
    for n in range(len(path) - 1, 0, -1):
        parent = _get(data, path[:n])
        if isinstance(parent, dict) and isinstance(parent.get("source"), dict):
            return parent["source"]
    return None



def _provenance(ws: Worksheet, result: Result) -> int:
    """The scenario, its digest, files and overrides, and its readings; the next free row."""
    a = result.assumptions
    row = sheet_title(ws, "Assumptions: every input, its unit and its source", result)
    put(ws, row, 1, "Scenario")
    put(ws, row, 2, a.name)
    put(ws, row + 1, 1, "Assumptions sha256")
    put(ws, row + 1, 2, result.sha256)
    row += 2
    for path, digest in result.files:
        put(ws, row, 1, "File")
        put(ws, row, 2, path)
        put(ws, row, 3, f"sha256 {digest}")
        row += 1
    for o in result.overrides:
        put(ws, row, 1, "Override")
        put(ws, row, 2, o)
        row += 1
    row += 1
    put(ws, row, 1, "Readings of the plan", font=BOLD)
    header(ws, row + 1, 1, ["Reading", "Statement", "Reason"])
    ws.merge_cells(start_row=row + 1, start_column=3, end_row=row + 1, end_column=6)
    row += 2
    for rid, r in a.readings.items():
        put(ws, row, 1, rid)
        put(ws, row, 2, r.statement).alignment = Alignment(wrap_text=True, vertical="top")
        put(ws, row, 3, r.reason).alignment = Alignment(wrap_text=True, vertical="top")
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=6)
        longest = max(len(r.statement) / 40, len(r.reason) / 95)
        ws.row_dimensions[row].height = 15 * (1 + int(longest))
        row += 1
    return row


def assumptions_sheet(ws: Worksheet, result: Result) -> None:
    """Every input with its unit and source, after where the scenario came from (its files and
    their sha256, its overrides) and the readings of the plan it makes."""
    a = result.assumptions
    row = _provenance(ws, result)
    row += 1
    put(ws, row, 1, "Inputs", font=BOLD)
    header(
        ws, row + 1, 1, ["Input", "Key path (for --set)", "Value", "Unit", "Source", "Publisher",
                         "Date", "Link", "Note"]
    )
    head = row + 1
    row += 2
    data = a.model_dump(mode="json", by_alias=True, exclude={"sources", "readings"})
    sources = {k: v.model_dump(mode="json") for k, v in a.sources.items()}
    for path, value in _leaves(data):
        if "source" in path or value is None or path[-1] in ("name", "description"):
            continue
        key = ".".join(str(p) for p in path)
        lab = label(a, key)
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        fmt = KIND_FORMATS.get(lab.kind) if isinstance(value, float) else None
        cells = [put(ws, row, 1, lab.text), put(ws, row, 2, key), put(ws, row, 3, value, fmt),
                 put(ws, row, 4, lab.unit)]  # fmt: skip
        src = _source_of(path, data, sources)
        if src:
            parts = ("title", "publisher", "date", "url", "note")
            cells += [put(ws, row, 5 + j, src.get(k) or "") for j, k in enumerate(parts)]
            if src.get("url"):
                ws.cell(row=row, column=8).hyperlink = src["url"]
                ws.cell(row=row, column=8).font = Font(color="0563C1", underline="single")
        _wrap(ws, row, cells)
        row += 1
    ws.auto_filter.ref = f"A{head}:I{row - 1}"
    widths(ws, WIDTHS)
    ws.print_title_rows = f"{head}:{head}"  # the inputs' header on every printed page
    ws.freeze_panes = "B5"


#: The Assumptions sheet's column widths: together 226 units, which fit a landscape page at
#: about 62% (legible, above pages.MIN_SCALE), so that the sheet prints one page wide.
WIDTHS: dict[int, float] = {1: 36, 2: 44, 3: 12, 4: 11, 5: 32, 6: 20, 7: 11, 8: 20, 9: 40}
#: The columns whose texts wrap in their cell (names, key paths, sources, notes; a link is
#: cut at its cell's edge, and still opens) rather than run into the next one.
WRAPPED = (1, 2, 5, 6, 9)
#: Characters of running text per column-width unit (a unit is a digit's width; text's average
#: letter is narrower), measured on LibreOffice's rendering of the sheet.
CHARS_PER_UNIT = 1.2


_WRAP = Alignment(wrap_text=True, vertical="top")
_TOP = Alignment(vertical="top")


def _wrap(ws: Worksheet, row: int, cells: list) -> None:
    """Long texts of ``row`` wrapped in their cells, every cell of it starting at the top, and
    the row as tall as its longest text needs (a spreadsheet keeps a row's stored height)."""
    lines = 1
    for c in cells:
        if c.column in WRAPPED and isinstance(c.value, str):
            c.alignment = _WRAP
            lines = max(lines, wrapped_lines(c.value, WIDTHS[c.column] * CHARS_PER_UNIT))
        else:
            c.alignment = _TOP
    ws.row_dimensions[row].height = 15 * lines


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` units wide (a unit is about
    a character; a word longer than the line is broken).

    Examples
    --------
    >>> wrapped_lines("short", 10), wrapped_lines("two words here", 10), wrapped_lines("x" * 25, 10)
    (1, 2, 3)
    """
    per_line = max(int(width) - 1, 1)
    lines, used = 1, 0
    for word in text.split():
        need = len(word) if used == 0 else used + 1 + len(word)
        if need <= per_line:
            used = need
            continue
        if used:
            lines += 1
        lines += (len(word) - 1) // per_line
        used = len(word) - ((len(word) - 1) // per_line) * per_line
    return lines
