"""The comparison workbook: each party's numbers by reading, changes from the baseline, a chart,
and every reading's assumptions so that each number traces back to its inputs."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.pagebreak import Break

from finmodel.inputs.labels import party_name, vehicle_name
from finmodel.reports.cells import (
    BOLD,
    MOIC,
    PCT,
    TITLE,
    UNITS_NOTE,
    USD_BN,
    header,
    put,
    save,
    unique_titles,
    widths,
)
from finmodel.reports.files import write_table_and_workbook
from finmodel.reports.pages import keep_together
from finmodel.reports.sheets.assumptions import CHARS_PER_UNIT, assumptions_sheet, wrapped_lines
from finmodel.studies.compare import Comparison

#: The comparison's own sheets; a reading's sheet (``In <name>``) gives way.
OWN_SHEETS = ("Compare", "Reconstruction")



def write_compare_workbook(c: Comparison, path: Path) -> None:
    """Write the comparison's workbook to ``path``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Compare"
    _compare(ws, c)
    _reconstruction(wb.create_sheet("Reconstruction"), c)
    titles = unique_titles([f"In {r.name}" for r in c.results], taken=OWN_SHEETS)
    for r, title in zip(c.results, titles):
        assumptions_sheet(wb.create_sheet(title), r)
    save(wb, path)


def _pivot(c: Comparison, entity: str, metric: str, column: str):
    t = c.table[(c.table["entity"] == entity) & (c.table["metric"] == metric)]
    order = [r.name for r in c.results]
    frame = t.pivot_table(index="scenario", columns="id", values=column, aggfunc="first",
                          sort=False, dropna=False).reindex(order)  # fmt: skip
    if entity in ("party", "vehicle"):
        frame.columns = [_name(c, entity, str(i)) for i in frame.columns]
    return frame


def _name(c: Comparison, entity: str, id_: str) -> str:
    """A party's or a vehicle's name in the first reading that has it (its id if none does)."""
    for r in c.results:
        a = r.assumptions
        if entity == "party" and id_ in a.parties:
            return party_name(a, id_)
        if entity == "vehicle" and id_ in a.vehicles:
            return vehicle_name(a, id_)
    return id_


#: Width of a number column of the Compare sheet: 16 of them beside the readings' names fit a
#: landscape page's width at a legible scale (pages.fits_width); names wrap in the header.
NUMBER_WIDTH = 13
#: The most a chart of the Compare sheet is tall (cm): on a page of its own at the sheet's
#: scale, it fits whole.
CHART_HEIGHT = 22


def _matrix(ws, row: int, title: str, frame, fmt: str) -> tuple[int, int]:
    put(ws, row, 1, title, font=BOLD)
    labels = [str(x) for x in frame.columns]
    header(ws, row + 1, 1, ["Reading", *labels])
    lines = max((wrapped_lines(x, NUMBER_WIDTH * CHARS_PER_UNIT) for x in labels), default=1)
    ws.row_dimensions[row + 1].height = 15 * lines  # names wrap whole in the header
    for i, (name, values) in enumerate(frame.iterrows(), start=row + 2):
        put(ws, i, 1, name)
        for j, v in enumerate(values, start=2):
            put(ws, i, j, v, fmt)
    return row + 2, row + 1 + len(frame)


def headline(c: Comparison) -> str:
    """Each party's change in NPV from the baseline, without and with claims valued, reading by
    reading, as plain text for the console.

    Examples
    --------
    >>> import finmodel
    >>> from finmodel.studies.compare import compare
    >>> rs = [finmodel.run(finmodel.load(n)) for n in ("status_quo", "literal")]
    >>> print(headline(compare(rs, "status_quo")).splitlines()[0])
    Change in NPV from the baseline status_quo, USD bn: without claims / with claims valued
    """
    without = _pivot(c, "party", "npv", "change") / 1e9
    with_claims = _pivot(c, "party", "npv_with_claims", "change") / 1e9
    parties = list(without.columns)
    width = max(len(r.name) for r in c.results)
    lines = [
        f"Change in NPV from the baseline {c.baseline}, USD bn: "
        "without claims / with claims valued",
        " " * width + "".join(f"{p:>20}" for p in parties),
    ]
    for name in without.index:
        cells = [f"{_tenth(without.at[name, p]):+9.1f} /{_tenth(with_claims.at[name, p]):+8.1f}"
                 for p in parties]  # fmt: skip
        lines.append(f"{name:<{width}}" + "".join(f"{x:>20}" for x in cells))
    return "\n".join(lines)


def _tenth(x: float) -> float:
    """``x`` rounded to a tenth, a rounded -0.0 made +0.0 (so that nothing prints as -0.0).

    >>> f"{_tenth(-0.04):+.1f}", f"{_tenth(-0.06):+.1f}"
    ('+0.0', '-0.1')
    """
    return round(x, 1) + 0.0


def _compare(ws, c: Comparison) -> None:
    put(ws, 1, 1, f"Who gains and who loses, reading by reading, against {c.baseline}", font=TITLE)
    put(ws, 2, 1, f"Baseline: {c.baseline}. Change = the reading minus the baseline. "
                  f"With claims: each party's claims at the horizon valued (claims.recovery "
                  f"for Russia's). {UNITS_NOTE}")  # fmt: skip
    row = 4
    for metric, label in (("npv", "NPV"), ("npv_with_claims", "NPV with claims valued"),
                          ("net", "Net (received - paid)"),
                          ("received", "Received"), ("paid", "Paid"),
                          ("terminal_claim", "Claim on terminal values")):  # fmt: skip
        _matrix(ws, row, f"{label} by party", _pivot(c, "party", metric, "value"), USD_BN)
        row += len(c.results) + 3
    for metric, label in (("npv", "NPV"), ("npv_with_claims", "NPV with claims valued")):
        ws.row_breaks.append(Break(id=row - 1))  # printed, each change and its chart a page
        row = _change(ws, row, c, metric, label)
    ws.row_breaks.append(Break(id=row - 1))
    for metric, label, fmt in (("irr", "IRR", PCT), ("moic", "MOIC", MOIC),
                               ("profit", "Profit", USD_BN)):  # fmt: skip
        _matrix(ws, row, f"{label} by vehicle", _pivot(c, "vehicle", metric, "value"), fmt)
        row += len(c.results) + 3
    needs = (
        ("share", "Share of reconstruction needs funded within their years", PCT),
        ("funded", "Reconstruction funding within the needs' years", USD_BN),
        ("gap", "Reconstruction gap: needs - funding within their years", USD_BN),
    )
    for metric, label, fmt in needs:
        _matrix(ws, row, label, _pivot(c, "needs", metric, "value"), fmt)
        row += len(c.results) + 3
    put(ws, row, 1, "Reconstruction funding year by year: sheet 'Reconstruction'", font=BOLD)
    ids = c.table[c.table["entity"] != "reconstruction"].groupby("entity")["id"].nunique()
    widths(ws, {1: 34, **{j: NUMBER_WIDTH for j in range(2, 2 + int(ids.max()))}})


def _change(ws, row: int, c: Comparison, metric: str, label: str) -> int:
    """The change in ``metric`` from the baseline and its bar chart; the next free row."""
    change = _pivot(c, "party", metric, "change")
    first, last = _matrix(ws, row, f"Change in {label} from the baseline {c.baseline}", change,
                          USD_BN)  # fmt: skip
    n_parties = len(change.columns)
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.title = f"Change in each party's {label} from {c.baseline} (USD bn)"
    chart.y_axis.title = "USD bn"
    chart.y_axis.numFmt = "#,##0,,,"
    chart.x_axis.scaling.orientation = "maxMin"
    chart.x_axis.tickLblPos = "low"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.add_data(Reference(ws, min_col=2, max_col=1 + n_parties, min_row=first - 1,
                             max_row=last), titles_from_data=True)  # fmt: skip
    chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=last))
    # a label per reading, and never taller than a page: printed, the chart starts a page
    chart.height, chart.width = min(max(9.0, 1.6 * len(c.results)), CHART_HEIGHT), 24
    keep_together(ws, last + 2)
    ws.add_chart(chart, f"A{last + 2}")
    return last + 3 + int(2 * chart.height)


def _reconstruction(ws, c: Comparison) -> None:
    """Each reading's cumulative funding of reconstruction at each year end (a wide table)."""
    put(ws, 1, 1, "Reconstruction funding to date, by year end", font=TITLE)
    put(ws, 2, 1, f"What each reading has put to work in reconstruction. {UNITS_NOTE}")
    by_year = _pivot(c, "reconstruction", "funded_cumulative", "value")
    by_year.columns = [f"Year {y}" for y in by_year.columns]
    _matrix(ws, 4, "Cumulative, USD bn", by_year, USD_BN)
    widths(ws, {1: 34, **{j: 11 for j in range(2, 2 + len(by_year.columns))}})
    ws.freeze_panes = "B6"


def write_comparison(c: Comparison, out_dir: str | Path) -> list[Path]:
    """Write compare.csv and compare.xlsx to ``out_dir``, as one set
    (:func:`~finmodel.reports.files.write_all`)."""
    return write_table_and_workbook(
        out_dir, "compare", "", c.table, lambda p: write_compare_workbook(c, p)
    )
