"""The sweep workbook: the grid table, line charts against the first key, matrices for two keys."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from finmodel.inputs.labels import METRICS, column_label, label, party_name
from finmodel.inputs.loader import digest
from finmodel.reports.cells import (
    BOLD,
    KIND_FORMATS,
    MOIC,
    PCT,
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
from finmodel.reports.pages import keep_together
from finmodel.studies.sweep import SweepResult

#: The most cells a sheet here holds (a table, a chart's data, the matrices): Excel takes far
#: more, but openpyxl writes about 100,000 a second, and a colleague scrolls through far fewer.
#: A larger grid's points are all in NAME.sweep.csv, which Excel opens as well.
MAX_SHEET_CELLS = 2_000_000
#: Excel's limit on columns.
MAX_SHEET_COLUMNS = 16_384


def _fmt(column: str) -> str | None:
    """The number format of a metric column ``ID.METRIC``, by the metric's kind: every amount
    (``npv_with_claims`` too) in USD bn, rates as %, MOIC as a multiple.

    Examples
    --------
    >>> _fmt("us.npv_with_claims") == _fmt("us.npv") == USD_BN, _fmt("f.irr") == PCT
    (True, True)
    """
    metric = column.rsplit(".", 1)[-1]
    if metric == "moic":
        return MOIC
    kind = METRICS[metric][1] if metric in METRICS else None
    return {"amount": USD_BN, "rate": PCT}.get(kind or "")


def write_sweep_workbook(s: SweepResult, path: Path) -> None:
    """Write the sweep's workbook to ``path``."""
    wb = Workbook()
    wb.properties.identifier = stamp(s.identity or digest(s.assumptions))
    ws = wb.active
    ws.title = "Sweep"
    _table(ws, s)
    _charts(wb.create_sheet("Charts"), s)
    if len(s.values) >= 2:
        _matrices(wb.create_sheet("Matrix"), s)
    save(wb, path)


def _too_big(ws: Worksheet, s: SweepResult, what: str, rows: int, columns: int) -> bool:
    """Whether ``what`` needs more cells or columns than a sheet holds; if so, say so on it."""
    if rows * columns <= MAX_SHEET_CELLS and columns <= MAX_SHEET_COLUMNS:
        return False
    put(ws, 1, 1, f"{what}: {rows:,} rows x {columns:,} columns", font=TITLE)
    note = (
        f"More than a sheet of this workbook holds ({MAX_SHEET_CELLS:,} cells, at most "
        f"{MAX_SHEET_COLUMNS:,} columns). Every grid point is in {s.name}.sweep.csv "
        f"({len(s.table):,} rows), which Excel opens too."
    )
    put(ws, 2, 1, note)
    return True


def _table(ws: Worksheet, s: SweepResult) -> None:
    df = s.table
    if _too_big(ws, s, "The grid", len(df), len(df.columns)):
        return
    cols = list(df.columns)
    put(ws, 1, 1, changed_title(f"Sweep of {s.name}: every grid point", s.changes), font=TITLE)
    put(ws, 2, 1, "Varied (key path for --set): " + "; ".join(
        f"{label(s.assumptions, k).full} ({k})" for k in s.values))
    put(ws, 3, 1, UNITS_NOTE)
    headings = _unique([_heading(s, c) for c in cols])  # a table's headings must differ
    header(ws, _HEAD, 1, headings)
    fmts = [_fmt(c) if c not in s.values else _key_format(s, c) for c in cols]
    for i, row in enumerate(df.itertuples(index=False), start=_HEAD + 1):
        for j, value in enumerate(row, start=1):
            put(ws, i, j, value, fmts[j - 1])
    ref = f"A{_HEAD}:{get_column_letter(len(cols))}{len(df) + _HEAD}"
    table = Table(displayName="Sweep", ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    widths(ws, {j: _width(h) for j, h in enumerate(headings, start=1)})
    ws.row_dimensions[_HEAD].height = 15 * 4  # a heading wraps onto up to four lines
    ws.freeze_panes = ws.cell(row=_HEAD + 1, column=len(s.values) + 1)


_HEAD = 5  # the table's header row


def _heading(s: SweepResult, column: str) -> str:
    """A column's heading: a varied key's label, a result column's words, or as it is."""
    if column in s.values:
        return label(s.assumptions, column).full
    if column == "invalid":
        return "Not computed: why"
    return column_label(s.assumptions, column)


def _unique(headings: list[str]) -> list[str]:
    """Headings made distinct by numbering a repeat: ``"x"``, ``"x (2)"``."""
    seen: dict[str, int] = {}
    out = []
    for h in headings:
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out


def _key_format(s: SweepResult, key: str) -> str | None:
    return KIND_FORMATS.get(label(s.assumptions, key).kind)


def _width(heading: str) -> float:
    """Wide enough for the longest word (a heading never breaks mid-word), 12 to 24."""
    longest = max((len(w) for w in heading.split()), default=0)
    return max(12, min(24, longest + 2))


def _parties(s: SweepResult) -> list[str]:
    """The parties of the table, in its order (one ``PARTY.npv`` column each)."""
    return [c[: -len(".npv")] for c in s.table.columns if c.endswith(".npv")]


def _at_first_of_others(s: SweepResult) -> np.ndarray:
    """Rows where every key but the first sits at its first value (the first key's line)."""
    keys = list(s.values)
    mask = np.ones(len(s.table), dtype=bool)
    for k in keys[1:]:
        mask &= s.table[k].to_numpy() == s.values[k][0]
    return mask


def _charts(ws: Worksheet, s: SweepResult) -> None:
    keys = list(s.values)
    first = keys[0]
    rows = s.table[_at_first_of_others(s)]
    parties = _parties(s)
    if _too_big(ws, s, f"Each party against {first}", 2 * len(rows), 1 + len(parties)):
        return
    a, first_label = s.assumptions, label(s.assumptions, first).full
    put(ws, 1, 1, f"Each party against {first_label}", font=TITLE)
    held = ", ".join(f"{label(a, k).text} = {s.values[k][0]}" for k in keys[1:])
    put(ws, 2, 1, (f"Other keys held at: {held}. " if held else "") + UNITS_NOTE)
    anchor_row = 4
    for metric, title in (("npv", "NPV"), ("received", "Total receipts")):
        keep_together(ws, anchor_row)
        header(ws, anchor_row, 1, [first_label, *(party_name(a, p) for p in parties)])
        for i, (_, r) in enumerate(rows.iterrows(), start=anchor_row + 1):
            put(ws, i, 1, r[first], _key_format(s, first))
            for j, p in enumerate(parties, start=2):
                put(ws, i, j, r[f"{p}.{metric}"], USD_BN)
        last = anchor_row + len(rows)
        chart = LineChart()
        chart.title = f"{title} by party (USD bn) against {label(a, first).text}"
        chart.y_axis.title = "USD bn"
        chart.y_axis.numFmt = "#,##0,,,"
        chart.x_axis.title = first_label
        chart.x_axis.delete = False
        chart.x_axis.tickLblPos = "low"  # labels below the plot, not across y = 0
        chart.y_axis.delete = False
        chart.legend.position = "b"
        data = Reference(ws, min_col=2, max_col=1 + len(parties), min_row=anchor_row, max_row=last)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=anchor_row + 1, max_row=last))
        chart.height, chart.width = 9, 20
        ws.add_chart(chart, f"A{last + 2}")
        anchor_row = last + 4 + int(2 * chart.height)
    widths(ws, {1: 30, **{j: 16 for j in range(2, len(parties) + 2)}})


def _matrices(ws: Worksheet, s: SweepResult) -> None:
    keys = list(s.values)
    k1, k2 = keys[0], keys[1]
    parties = _parties(s)
    rows = (len(s.values[k1]) + 5) * len(parties)
    if _too_big(ws, s, f"NPV by party: {k1} (down) x {k2} (across)", rows, len(s.values[k2]) + 1):
        return
    a = s.assumptions
    put(ws, 1, 1, f"NPV by party: {label(a, k1).full} (down) x {label(a, k2).full} (across)",
        font=TITLE)  # fmt: skip
    held = ", ".join(f"{label(a, k).text} = {s.values[k][0]}" for k in keys[2:])
    put(ws, 2, 1, (f"Other keys held at: {held}. " if held else "") + UNITS_NOTE)
    df = s.table
    if len(keys) > 2:
        df = df[df[keys[2]].to_numpy() == s.values[keys[2]][0]]
    row = 4
    for p in parties:
        put(ws, row, 1, f"NPV of {party_name(a, p)}", font=BOLD)
        m = df.pivot_table(index=k1, columns=k2, values=f"{p}.npv", aggfunc="first", sort=False)
        header(
            ws,
            row + 2,
            1,
            [f"{label(a, k1).text} (down)", *[str(c) for c in m.columns]],
        )
        for i, (idx, vals) in enumerate(m.iterrows(), start=row + 3):
            put(ws, i, 1, idx, _key_format(s, k1))
            for j, v in enumerate(vals, start=2):
                put(ws, i, j, v, USD_BN)
        row += len(m) + 5
    widths(ws, {1: 40, **{j: 14 for j in range(2, len(s.values[k2]) + 2)}})


def write_sweep(s: SweepResult, out_dir: str | Path) -> list[Path]:
    """Write NAME.sweep.csv and NAME.sweep.xlsx to ``out_dir``, as one set
    (:func:`~finmodel.reports.files.write_all`)."""
    return write_table_and_workbook(
        out_dir, "sweep", s.name, s.table, lambda p: write_sweep_workbook(s, p)
    )
