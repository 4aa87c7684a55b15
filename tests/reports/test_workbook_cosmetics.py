"""Workbooks that print and read well (issue 13): every amount of the sweep in USD bn, the
Assumptions sheets one page wide with their long texts wrapped, the Compare sheet's charts
never taller than a page and each starting one."""

from __future__ import annotations

import textwrap

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.reports import write
from finmodel.reports.cells import USD_BN
from finmodel.reports.compare import CHART_HEIGHT
from finmodel.reports.pages import PAGE_WIDTH, fits_width
from finmodel.reports.sheets.assumptions import wrapped_lines
from finmodel.studies.compare import compare
from finmodel.studies.sweep import sweep

#: The metrics that are amounts of money (docs/model.md's output contract), apart from the code.
AMOUNTS = ("received", "net", "npv", "terminal_claim", "npv_with_claims", "profit")


def test_every_amount_column_of_the_sweep_is_in_usd_bn(tmp_path):
    s = sweep(finmodel.load("base"), {"discount_rate": [0.03, 0.05]})
    write(s, tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "base.sweep.xlsx")["Sweep"]
    head = next(r for r in ws.iter_rows() if r[0].value and "key path" not in str(r[0].value)
                and r[1].value and "USD bn" in str(r[1].value))  # fmt: skip
    amounts = [c.column for c, name in zip(head[1:], list(s.table.columns)[1:])
               if name.rsplit(".", 1)[-1] in AMOUNTS]  # fmt: skip
    with_claims = [c for c in head if c.value and "NPV with claims valued" in c.value]
    assert len(with_claims) == len(finmodel.load("base").parties)  # named, not a key path
    for col in amounts:
        cell = ws.cell(row=head[0].row + 1, column=col)
        assert cell.number_format == USD_BN, (ws.cell(row=head[0].row, column=col).value,
                                              cell.number_format)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text("abcdefghij", min_size=1, max_size=30), max_size=40),
       st.integers(3, 60))  # fmt: skip
def test_wrapped_lines_counts_as_textwrap_wraps(words, width):
    # Python's textwrap, a second implementation, for words that fit a line (textwrap fills
    # a line's end with part of a longer word; a spreadsheet starts such a word on a new line)
    per_line = width - 1
    text = " ".join(w[:per_line] for w in words)
    want = max(1, len(textwrap.wrap(text, per_line, break_on_hyphens=False)))
    assert wrapped_lines(text, width) == want


@given(st.integers(1, 300), st.integers(3, 60))
def test_a_word_longer_than_a_line_takes_as_many_lines_as_it_fills(n, width):
    per_line = width - 1
    assert wrapped_lines("x" * n, width) == -(-n // per_line)  # ceil(n / per_line)
    # after a short word, it starts a new line
    assert wrapped_lines("a " + "x" * n, width) == (
        -(-n // per_line) + (1 if n + 2 > per_line else 0)
    )


@pytest.fixture(scope="module")
def compare_book(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    names = ["status_quo", "literal", "assets_returned_to_russia", "foreign_policy"]
    write(compare([finmodel.run(finmodel.load(n)) for n in names], "status_quo"), out)
    return openpyxl.load_workbook(out / "compare.xlsx")


def test_compare_and_assumption_sheets_print_one_page_wide(compare_book):
    for ws in compare_book.worksheets:
        if ws.title == "Reconstruction":  # a year per column: printed across pages
            continue
        assert fits_width(ws), ws.title


def test_a_compare_chart_starts_a_page_and_fits_on_it(compare_book):
    ws = compare_book["Compare"]
    breaks = {b.id for b in ws.row_breaks.brk}
    assert len(ws._charts) == 2
    for chart in ws._charts:
        row = chart.anchor._from.row  # 0-based: the chart's first row is row + 1
        assert row in breaks  # a page break right above it
        assert chart.height <= CHART_HEIGHT
    # a landscape A4 page holds about 19 cm of height; at the sheet's scale, more
    scale = PAGE_WIDTH / sum(d.width or 8.43 for d in ws.column_dimensions.values())
    assert CHART_HEIGHT * min(scale, 1.0) <= 19


@pytest.mark.parametrize(
    ("argv", "name", "sheet"),
    [
        (["sweep", "--vary", "vehicles.us_led_fund.return.rate=0.04,0.06"], "sweep", "Sweep"),
        (["simulate", "-n", "50", "--seed", "1"], "simulation", "Statistics"),
        (["tornado"], "tornado", "Tornado"),
    ],
)
def test_a_changed_studys_workbook_lists_the_change_in_words_at_the_top(tmp_path, argv, name,
                                                                         sheet):  # fmt: skip
    from finmodel.cli import main

    assert main([*argv, "--set", "discount_rate=0.05", "--out", str(tmp_path)]) == 0
    wb = openpyxl.load_workbook(tmp_path / f"base+discount_rate=0.05.{name}.xlsx")
    # base.yaml's discount rate is 4%
    assert wb[sheet]["A1"].value.endswith("CHANGED by --set: Discount rate 5.0% (base 4.0%)")


@settings(max_examples=10, deadline=None)
@given(st.integers(1, 30).map(lambda k: k / 200))
def test_the_sweep_title_says_each_changed_value(tmp_path_factory, rate):
    from finmodel.cli import main

    out = tmp_path_factory.mktemp("changed")
    argv = ["sweep", "--vary", "vehicles.us_led_fund.payout=0.5", "--set",
            f"discount_rate={rate}", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    (book,) = out.glob("*.sweep.xlsx")
    title = openpyxl.load_workbook(book)["Sweep"]["A1"].value
    assert f"Discount rate {rate * 100:.1f}% (base 4.0%)" in title


def test_an_unchanged_studys_title_says_nothing_changed(tmp_path):
    s = sweep(finmodel.load("base"), {"discount_rate": [0.03]})
    write(s, tmp_path)
    book = openpyxl.load_workbook(tmp_path / "base.sweep.xlsx")
    assert "CHANGED" not in book["Sweep"]["A1"].value


@pytest.fixture(scope="module")
def run_book(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    finmodel.run(finmodel.load("base")).write(out)
    return openpyxl.load_workbook(out / "base.xlsx")


def test_no_vehicle_is_said_to_have_plan_point_dash(run_book):
    a = finmodel.load("base")
    assert any(v.plan_point is None for v in a.vehicles.values())  # the case exists
    texts = [c.value for row in run_book["Contents"].iter_rows() for c in row
             if isinstance(c.value, str)]  # fmt: skip
    assert not [t for t in texts if "plan point -" in t]
    for v in a.vehicles.values():
        if v.plan_point:
            assert any(f"{v.name} (plan point {v.plan_point})" in t for t in texts)


def test_summary_headers_have_room_and_notes_stand_off_the_npv(run_book):
    ws = run_book["Summary"]
    head = next(c for row in ws.iter_rows() for c in row if c.value == "With claims: NPV")
    assert ws.row_dimensions[head.row].height >= 30  # two lines of 15 points
    note_head = next(c for row in ws.iter_rows() for c in row if c.value == "Note")
    notes = [ws.cell(row=r, column=note_head.column) for r in range(note_head.row + 1,
             note_head.row + 1 + len(finmodel.load("base").vehicles))]  # fmt: skip
    assert all(c.alignment.indent >= 1 for c in notes)


def test_tornado_labels_every_bar_and_wraps_long_key_paths(tmp_path):
    from finmodel.reports.tornado import KEY_WIDTH
    from finmodel.studies.tornado import tornado

    write(tornado(finmodel.load("base")), tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "base.tornado.xlsx")["Tornado"]
    assert ws._charts and all(ch.x_axis.tickLblSkip == 1 for ch in ws._charts)
    keys = [c for row in ws.iter_rows(min_col=2, max_col=2) for c in row
            if isinstance(c.value, str) and c.value.count(".") >= 2]  # fmt: skip
    assert keys
    for c in keys:
        assert c.alignment.wrap_text
        # a key path longer than its column is given a second line
        if len(c.value) > KEY_WIDTH - 1:
            assert ws.row_dimensions[c.row].height >= 30, c.value
