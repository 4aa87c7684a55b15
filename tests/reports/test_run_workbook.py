"""Workbooks Excel opens without repair: sheet titles unique and at most 31 characters, the
report's own sheets under their own names; and the same inputs give the same bytes."""

from __future__ import annotations

import re
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from strategies import fund, scenario, validated, vehicle_id_lists
from test_live_model import Book, master, recompute

import finmodel
from finmodel import reports
from finmodel.cli import main
from finmodel.inputs.names import name_problem
from finmodel.reports.cells import save, unique_titles
from finmodel.reports.run_workbook import OWN_SHEETS, vehicle_sheets
from finmodel.studies.compare import compare

#: What Excel refuses in a sheet title (and a title must be 1 to 31 characters).
BAD_TITLE = re.compile(r"[\\/?*\[\]:]|^'|'$")


def excel_would_open(titles: list[str]) -> None:
    """Assert what Excel checks of a workbook's sheet titles."""
    assert all(1 <= len(t) <= 31 and not BAD_TITLE.search(t) for t in titles), titles
    folded = [t.casefold() for t in titles]
    assert len(set(folded)) == len(folded), titles
    assert "history" not in folded


# --- titles -------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(vehicle_id_lists())
def test_vehicle_sheet_titles_are_unique_short_and_leave_the_reports_own(vids):
    """Any vehicle ids: every title of the workbook (the report's own and each vehicle's two)
    is what Excel accepts; the report's own sheets keep their titles; a vehicle whose id is
    free and short keeps it as its sheet's title."""
    sheets = vehicle_sheets(vids)
    titles = [*OWN_SHEETS, *(s.static for s in sheets.values()), *(s.calc for s in sheets.values())]
    excel_would_open(titles)
    own = {t.casefold() for t in OWN_SHEETS} | {"history"}
    for vid, s in sheets.items():
        if (
            len(vid) <= 31
            and vid.casefold() not in own
            and vid not in [v[:31] for v in vids if v != vid]
        ):
            assert s.static == vid
    assert vehicle_sheets(vids) == sheets  # the same ids, the same titles


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from("aAbB_.-1 ()"), min_size=1, max_size=40), max_size=10),
       st.lists(st.text(st.sampled_from("aAbB"), min_size=1, max_size=31), max_size=4))  # fmt: skip
def test_unique_titles(wanted, taken):
    """Titles given way to ``taken`` (never changed) and to each other, in order; a title that
    clashes is the wanted one cut, then numbered."""
    taken = list(dict.fromkeys(t for t in taken if t.casefold() != "history"))
    if len({t.casefold() for t in taken}) != len(taken):
        return
    got = unique_titles(wanted, taken)
    excel_would_open([*taken, *got])
    for want, title in zip(wanted, got):
        if title != want[:31]:
            stem, k = re.fullmatch(r"(.*) \((\d+)\)", title).groups()
            assert want.startswith(stem) and int(k) >= 2


def test_ids_named_like_the_reports_sheets_and_long_shared_prefixes(tmp_path):
    """The issue's examples in one workbook: vehicles `parties`, `flows`, `checks`,
    `contents` (and `history`, which Excel keeps for itself), and two ids sharing their first
    40 characters. Excel-valid titles; Parties, Flows, Checks and Contents are the report's;
    every sheet a formula or a link names exists."""
    long = "reconstruction_vehicle_with_a_long_name_"
    vids = ["parties", "flows", "checks", "contents", "history", long + "one", long + "two"]
    funded = {"contributions": [{"party": "europe", "amount_bn": 1.0, "currency": "USD"}]}
    vehicles = {v: fund(name=f"fund {v}") if i == 0 else fund(name=f"fund {v}", capital=funded)
                for i, v in enumerate(vids)}  # fmt: skip
    result = finmodel.run(validated(scenario(vehicles)))
    path = result.to_excel(tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    excel_would_open(wb.sheetnames)
    assert set(OWN_SHEETS) <= set(wb.sheetnames)
    assert not {f"{t}1" for t in OWN_SHEETS} & set(wb.sheetnames)  # no 'Parties1'
    for title in OWN_SHEETS:  # the report's own tables, not a vehicle's
        assert "fund " not in str(wb[title]["A1"].value), title
    for vid, s in vehicle_sheets(vids).items():  # each vehicle's sheets hold that vehicle
        assert f"fund {vid}" in wb[s.static]["A1"].value
        assert f"fund {vid}" in wb[s.calc]["A1"].value
    named = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value.startswith("="):
                    named |= set(re.findall(r"'([^']+)'!", c.value))
                if c.hyperlink is not None and c.hyperlink.location:
                    named |= set(re.findall(r"'([^']+)'!", c.hyperlink.location))
    assert named and named <= set(wb.sheetnames), named - set(wb.sheetnames)
    book = Book(path, recompute(path))  # the live model, recomputed, follows the titles
    assert master(book).startswith("OK"), master(book)


def test_compare_names_sharing_28_characters(tmp_path):
    """Two readings whose names share their first 28 characters: each keeps a sheet of its
    assumptions, titles Excel accepts."""
    base = finmodel.load("base")
    names = ["a_reading_with_a_long_name_xx_one", "a_reading_with_a_long_name_xx_two",
             "Compare", "reconstruction"]  # fmt: skip
    names = [n for n in names if not name_problem(n)]
    results = [finmodel.run(finmodel.with_overrides(base, {"name": n})) for n in names]
    paths = reports.write(compare(results, baseline=names[0]), tmp_path)
    wb = openpyxl.load_workbook(paths[1])
    excel_would_open(wb.sheetnames)
    assert wb.sheetnames[:2] == ["Compare", "Reconstruction"]
    assert len(wb.sheetnames) == 2 + len(names)


# --- the same inputs, the same bytes ------------------------------------------------------------


ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def workbook_of(cells: list[tuple[str, object]]) -> Workbook:
    wb = Workbook()
    for ref, value in cells:
        wb.active[ref] = value
    return wb


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A1", "B2", "C3", "D10"]),
                          st.one_of(st.text(max_size=20).filter(str.isprintable),
                                    st.floats(allow_nan=False, allow_infinity=False))),
                max_size=4))  # fmt: skip
def test_a_workbook_does_not_depend_on_the_clock(cells):
    """Saved at two different times (a day apart), a workbook is the same bytes: every zip
    entry dated 1980-01-01 and the document's modified time fixed."""
    from unittest import mock

    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp, "a.xlsx"), Path(tmp, "b.xlsx")
        save(workbook_of(cells), a)
        later = time.time() + 86_400
        with mock.patch("time.time", lambda: later):
            save(workbook_of(cells), b)
        assert a.read_bytes() == b.read_bytes()
        with zipfile.ZipFile(a) as z:
            assert {i.date_time for i in z.infolist()} == {ZIP_TIME}
            core = z.read("docProps/core.xml").decode()
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z' in core


@pytest.mark.parametrize("command", [["run"], ["tornado"], ["sweep", "--vary",
                                     "discount_rate=0.03,0.05"]])  # fmt: skip
def test_the_same_inputs_give_the_same_workbook(command, tmp_path, capsys):
    """A command run twice, a second apart at least on the clock: identical xlsx bytes."""
    from unittest import mock

    a, b = tmp_path / "a", tmp_path / "b"
    assert main([*command, "--out", str(a)]) == 0
    later = time.time() + 3_600
    with mock.patch("time.time", lambda: later):
        assert main([*command, "--out", str(b)]) == 0
    capsys.readouterr()
    books = sorted(p.name for p in a.iterdir() if p.suffix == ".xlsx")
    assert books
    for name in books:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
