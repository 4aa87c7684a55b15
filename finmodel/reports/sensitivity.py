"""A global sensitivity's files: NAME.sensitivity.csv (a row per output and input) and
NAME.sensitivity.xlsx (the indices, and a bar chart per party: first against total order for
Sobol, so that the interaction share, the gap between them, is visible; mu* for Morris)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference

from finmodel.reports.cells import BOLD, TITLE, header, put, save, widths
from finmodel.reports.files import write_table_and_workbook
from finmodel.studies.sensitivity import SensitivityResult

FORMAT = "0.000"


def write_sensitivity_workbook(r: SensitivityResult, path: Path) -> None:
    """Write the sensitivity workbook to ``path``: one block and chart per output."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sensitivity"
    what = "Sobol indices (first and total order)" if r.method == "sobol" else "Morris screening"
    put(ws, 1, 1, f"Global sensitivity: {what}", font=TITLE)
    put(ws, 2, 1, f"Scenario: {r.name}. N = {r.n:,} ({r.runs:,} runs), seed {r.seed}. "
                  "Inputs: " + ", ".join(f"{f.key} ({f.dist})" for f in r.factors))  # fmt: skip
    cols = [c for c in r.table.columns if c not in ("output", "input")]
    row = 4
    for output, frame in r.table.groupby("output", sort=False):
        put(ws, row, 1, str(output), font=BOLD)
        header(ws, row + 1, 1, ["input", *cols])
        first = row + 2
        for i, rec in enumerate(frame.itertuples(index=False), start=first):
            put(ws, i, 1, rec.input)
            for j, c in enumerate(cols, start=2):
                value = getattr(rec, c)
                if c == "note":
                    put(ws, i, j, value or None)
                else:
                    put(ws, i, j, _number(value), FORMAT)
        last = first + len(frame) - 1
        if str(output).startswith("parties.") and not frame[cols[0]].isna().all():
            at = f"{chr(ord('A') + len(cols) + 2)}{row}"
            ws.add_chart(_chart(ws, r, str(output), first, last), at)
            row = max(last + 3, row + 2 * max(6, len(frame)) + 2)
        else:
            row = last + 3
    widths(ws, {1: 52.0} | {j: 12.0 for j in range(2, len(cols) + 1)} | {len(cols) + 1: 30.0})
    save(wb, path)


def _number(value: float) -> float | None:
    return None if value != value else float(value)  # NaN: an empty cell


def _chart(ws, r: SensitivityResult, output: str, first: int, last: int) -> BarChart:
    """First against total order (Sobol) or mu* (Morris) of each input, a bar each."""
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.title = f"{output}: " + ("first (S1) and total (ST) order" if r.method == "sobol"
                                   else "mu* (mean absolute elementary effect)")  # fmt: skip
    chart.x_axis.scaling.orientation = "maxMin"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    picks = (2, 4) if r.method == "sobol" else (3,)  # S1 and ST columns; mu_star
    for col in picks:
        chart.add_data(Reference(ws, min_col=col, min_row=first - 1, max_row=last),
                       titles_from_data=True)  # fmt: skip
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    chart.height, chart.width = max(6, 0.8 * (last - first + 1)), 20
    return chart


def write_sensitivity(r: SensitivityResult, out_dir: str | Path) -> list[Path]:
    """Write NAME.sensitivity.csv and NAME.sensitivity.xlsx to ``out_dir`` as one set."""
    return write_table_and_workbook(
        out_dir, "sensitivity", r.name, r.table, lambda p: write_sensitivity_workbook(r, p)
    )
