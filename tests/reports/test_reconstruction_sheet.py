"""The run report's Reconstruction sheet: each need's year-by-year table and its chart."""

import openpyxl
import pytest

import finmodel
from finmodel.reports.run_workbook import write_workbook

BN = 1e9


@pytest.fixture(scope="module")
def sheet(tmp_path_factory):
    path = tmp_path_factory.mktemp("rec") / "literal.xlsx"
    write_workbook(finmodel.run(finmodel.load("literal")), path, live=False)
    return openpyxl.load_workbook(path)["Reconstruction"]


def _rows(ws, title):
    """The table under the block titled ``title``: {year: [needs, funding, gap, cumulative]}."""
    cells = [[c.value for c in row] for row in ws.iter_rows(max_col=5)]
    start = next(i for i, r in enumerate(cells) if isinstance(r[0], str) and r[0].startswith(title))
    out = {}
    for r in cells[start + 2 :]:
        if r[0] in (None, "Total"):
            break
        out[r[0]] = r[1:]
    return out


def test_rdna5_by_year_in_the_sheet(sheet):
    # literal, by hand (tests/studies/test_reconstruction.py): funding 40 a year in 2026-29,
    # 49.744691 in 2030; RDNA5 needs 15 in 2026, 573 / 9 = 63.666667 a year after
    rows = _rows(sheet, "World Bank RDNA5")
    assert list(rows) == [str(y) for y in range(2026, 2036)]
    needs, funding, gap, cumulative = rows["2026"]
    assert (needs / BN, funding / BN, gap / BN, cumulative / BN) == pytest.approx(
        (15.0, 40.0, -25.0, -25.0), abs=1e-9
    )
    assert rows["2035"][3] / BN == pytest.approx(588 - 209.744691, abs=1e-6)


def test_a_chart_per_need(sheet):
    assert len(sheet._charts) == 2  # RDNA4 and RDNA5
