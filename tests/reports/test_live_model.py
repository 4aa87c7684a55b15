"""The workbook's live model, recomputed by spreadsheet engines that are not finmodel.

The `formulas` package (pure Python) recomputes every formula of the generated workbook; the live
values must equal finmodel's engine to 1e-9 relative (amounts to a tenth of a cent where they
are near zero). Then input cells are changed in the workbook, the workbook is recomputed, and the
result must equal ``finmodel.run`` with the same change made through ``with_overrides`` (what
``finmodel run --set`` does). LibreOffice (``soffice --headless --convert-to xlsx`` recalculates)
does the same where it is installed. Every expected value comes from the engine, never from the
workbook itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from openpyxl.formula.translate import Translator

import finmodel
from finmodel.reports.live.model import CHECKS, PARTIES
from finmodel.reports.live.vehicle import is_live
from finmodel.reports.run_workbook import vehicle_sheets

formulas = pytest.importorskip("formulas")

REL, ABS_USD = 1e-9, 1e-3
CHANGES = {  # the same change, made in the workbook's Inputs and with --set
    "vehicles.us_led_fund.return.rate": 0.05,
    "vehicles.us_led_fund.waterfall.profit_split.us": 0.3,
    "vehicles.us_led_fund.waterfall.profit_split.ukraine": 0.7,
    "discount_rate": 0.06,
    "pool.holdings.united_kingdom.amount_bn": 25,  # the pool's carve-outs are live too
    "vehicles.us_led_fund.deployment.years": 3,  # and the schedules over years
    "vehicles.european_fund.capital.contributions.0.years": 2,
}
#: A short timeline that exercises what the base case does not: a fee on NAV and one on
#: committed capital, a hurdle that is paid, return paths (one with a loss, under income_split),
#: deployment at once and by fractions, new money from its second year, a release over three
#: years earning cash interest, a term past the
#: horizon, capital returned to its contributors pro rata (capital_to not named), a carve-out
#: from the pool taken holding by holding (in_order), in the order its `from` names them.
RICH = {
    "timeline.years": 8,
    "vehicles.us_led_fund.fee": {"rate": 0.01, "basis": "nav", "to": "us"},
    "vehicles.us_led_fund.waterfall.hurdle": {"rate": 0.04, "to": "us"},
    "vehicles.us_led_fund.return.path": [0.05, 0.15, 0.2, 0.07],
    "vehicles.us_led_fund.return.rate": None,
    "vehicles.us_led_fund.term_years": 6,
    "vehicles.us_led_fund.deployment.years": 0,
    "vehicles.us_russia_instrument.waterfall.basis": "income_split",
    "vehicles.us_russia_instrument.fee": {"rate": 0.02, "basis": "committed", "to": "russia"},
    "vehicles.us_russia_instrument.deployment.fractions": [0.7, 0.3],  # a timing row
    "vehicles.european_fund.capital.contributions.0.start_year": 1,
    "vehicles.us_russia_instrument.return.path": [0.08, -0.25, 0.1],
    "vehicles.us_russia_instrument.return.rate": None,
    "vehicles.us_russia_instrument.term_years": 10,  # past the horizon: a terminal value
    "vehicles.european_fund.waterfall.capital_to": None,  # back to its contributors, pro rata
    "vehicles.unfrozen_european_assets.release.years": 3,
    "pool.allocation.0.method": "in_order",
    "pool.allocation.0.from": ["united_kingdom", "europe"],  # the UK first, then file order
    "vehicles.unfrozen_european_assets.cash_rate": 0.02,
    # capital back to two contributors, the second paying in later: by what each is owed
    "vehicles.coinvest": {
        "name": "Co-investment", "kind": "fund", "deployment": {"years": 0},
        "capital": {"contributions": [{"party": "us", "amount_bn": 30},
                                      {"party": "europe", "amount_bn": 20, "start_year": 2}]},
        "return": {"rate": 0.08}, "payout": 1.0, "term_years": 6,
        "waterfall": {"profit_split": {"ukraine": 1.0}},
    },
    # income_split with its term inside the horizon: a loss, then the term's own income
    "vehicles.income_fund": {
        "name": "Income fund", "kind": "fund", "deployment": {"years": 0},
        "capital": {"contributions": [{"party": "europe", "amount_bn": 10}]},
        "return": {"path": [-0.2, 0.1, 0.1]}, "payout": 1.0, "term_years": 3,
        "waterfall": {"basis": "income_split", "capital_to": "russia",
                      "profit_split": {"us": 0.5, "ukraine": 0.5}},
    },
}  # fmt: skip


# --- helpers -----------------------------------------------------------------------------------


def recompute(path: Path) -> dict[str, object]:
    """Every cell's value after the `formulas` package recomputes ``path``: {"SHEET!A1": v}."""
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out = {}
    for key, ranges in solution.items():
        ref = key.split("]", 1)[1].replace("'", "").upper()
        if ":" in ref:
            continue
        v = ranges.value[0][0]
        v = v.item() if hasattr(v, "item") else v
        if type(v) not in (bool, int, float, str):  # errors, and the token of an empty cell
            v = None if str(v) == "empty" else str(v)
        out[ref] = v
    return out


def libreoffice(path: Path, out_dir: Path) -> dict[str, object]:
    """Values after LibreOffice recalculates ``path`` (it recomputes formulas without values)."""
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out_dir), str(path)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return _values(openpyxl.load_workbook(out_dir / path.name, data_only=True))


def _values(wb) -> dict[str, object]:
    """{"SHEET!A1": value} of a workbook read with data_only (the values a recalculation left)."""
    return {
        f"{ws.title.upper()}!{c.coordinate}": c.value
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    }


def labels(ws) -> dict[str, int]:
    """Row of each label in column A (a label written twice would be ambiguous: an error)."""
    out: dict[str, int] = {}
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if isinstance(cell.value, str):
            assert cell.value not in out, cell.value
            out[cell.value] = cell.row
    return out


class Book:
    """A generated workbook, its formulas (openpyxl) and its recomputed values."""

    def __init__(self, path: Path, values: dict[str, object]) -> None:
        self.path, self.values = path, values
        self.wb = openpyxl.load_workbook(path)

    def cell(self, sheet: str, col: str, row: int):
        return self.values.get(f"{sheet.upper()}!{col}{row}")

    def row(self, sheet: str, label: str, n: int) -> np.ndarray:
        r = labels(self.wb[sheet])[label]
        cols = [openpyxl.utils.get_column_letter(5 + k) for k in range(n)]
        return np.array([self.cell(sheet, c, r) or 0.0 for c in cols], dtype=float)

    def metric(self, sheet: str, label: str):
        return self.cell(sheet, "D", labels(self.wb[sheet])[label])


def write(result: finmodel.Result, path: Path) -> Path:
    result.to_excel(path)
    return path


def set_inputs(src: Path, dst: Path, changes: dict[str, float], a) -> None:
    """Change the Inputs cells labelled with these key paths (shares: 'path: Party name'); a
    row reads 'name in words [key path]'."""
    wb = openpyxl.load_workbook(src)
    rows = labels(wb["Inputs"])
    for key, value in changes.items():
        head, _, party = key.rpartition(".")
        label = f"{head}: {a.parties[party].name}" if party in a.parties else key
        (row,) = [r for text, r in rows.items()
                  if text.endswith(f"[{label}]") or f"[{label} (" in text]  # fmt: skip
        wb["Inputs"].cell(row=row, column=2).value = value
    wb.save(dst)


def same(live, expected, what: str) -> None:
    if expected is None:
        assert live == "n/a", what
    else:
        assert live == pytest.approx(expected, rel=REL, abs=ABS_USD), what


_LINES = {
    "Contribution": "contribution",
    "Return": "return_",
    "Fee": "fee",
    "Distribution": "distribution",
    "Value at the end of the period": "value_end",
    "Deployed into projects": "deployed",
    "Disbursed to the borrower": "deployed",
}
_METRICS = {
    "Contributed": "contributed",
    "Distributed": "distributed",
    "Terminal value at the horizon": "terminal_value",
    "Profit": "profit",
    "MOIC": "moic",
    "IRR (annualised)": "irr",
    "NPV at the discount rate": "npv",
}


def calc_sheet(a: finmodel.Assumptions, vid: str) -> str:
    """The title of vehicle ``vid``'s Calc sheet in the report of ``a``."""
    return vehicle_sheets(list(a.vehicles))[vid].calc


def assert_live_equals_engine(book: Book, result: finmodel.Result, moved: bool = False) -> None:
    """Every schedule line, metric, party flow and party total: live == engine.

    ``moved``: inputs were changed in the workbook; a vehicle of a kind without live formulas
    (its sheet holds the engine's numbers of the original run) cannot follow, so it is skipped.
    """
    o, s = result.outcome, result.summary
    n = o.batch.timeline.columns
    for vid, sched in o.schedules.items():
        sheet = calc_sheet(result.assumptions, vid)
        present = labels(book.wb[sheet])
        if moved and any("no live formulas" in label for label in present):
            continue
        for label, line in _LINES.items():
            if label in present:
                live = book.row(sheet, label, n)
                np.testing.assert_allclose(
                    live, getattr(sched, line)[0], rtol=REL, atol=ABS_USD, err_msg=f"{vid} {label}"
                )
        for label, key in _METRICS.items():
            same(book.metric(sheet, label), s["vehicles"][vid][key], f"{vid} {key}")
    flows = o.party_flows()[0]
    for j, p in enumerate(o.batch.parties):
        name = result.assumptions.parties[p].name
        live = book.row(PARTIES, f"Net flow: {name}", n)
        np.testing.assert_allclose(live, flows[j], rtol=REL, atol=ABS_USD, err_msg=p)
        for label, key in (("Received", "received"), ("Paid", "paid"), ("Net", "net"),
                           ("NPV", "npv")):  # fmt: skip
            same(book.metric(PARTIES, f"{label}: {name}"), s["parties"][p][key], f"{p} {key}")


def master(book: Book) -> str:
    return book.cell("Summary", "B", 7)


def check_flags(book: Book) -> dict[str, int]:
    ws = book.wb[CHECKS]
    return {
        ws.cell(row=r, column=1).value: book.cell(CHECKS, "F", r)
        for r in range(6, ws.max_row + 1)
        if ws.cell(row=r, column=6).value and ws.cell(row=r, column=1).value != "Rows that fail"
    }


# --- fixtures ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base():
    return finmodel.load("base")


@pytest.fixture(scope="module")
def rich():
    return finmodel.run(finmodel.with_overrides(finmodel.load("base"), RICH))


@pytest.fixture(scope="module")
def books(base, rich, tmp_path_factory) -> dict[str, Book]:
    """The base case, the base case with CHANGES made in its Inputs, and the rich case,
    recomputed by the formulas package two at a time (each takes 5-10 s)."""
    d = tmp_path_factory.mktemp("live")
    paths = written_and_changed(finmodel.run(base), d, "base", CHANGES)
    paths["rich"] = write(rich, d / "rich.xlsx")
    return recompute_books(paths)


def written_and_changed(result: finmodel.Result, d: Path, name: str, changes) -> dict[str, Path]:
    """``result``'s workbook in ``d``, and a copy with ``changes`` made in its Inputs."""
    paths = {name: write(result, d / f"{name}.xlsx")}
    paths["changed"] = d / "changed" / f"{name}.xlsx"
    paths["changed"].parent.mkdir()
    set_inputs(paths[name], paths["changed"], changes, result.assumptions)
    return paths


def recompute_books(paths: dict[str, Path]) -> dict[str, Book]:
    """The workbooks recomputed by the formulas package two at a time (each takes 2-10 s)."""
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as pool:
        values = dict(zip(paths, pool.map(recompute, paths.values())))
    return {k: Book(p, values[k]) for k, p in paths.items()}


@pytest.fixture(scope="module")
def base_book(books):
    return books["base"]


@pytest.fixture(scope="module")
def changed_book(books):
    return books["changed"]


@pytest.fixture(scope="module")
def rich_book(books):
    return books["rich"]


# --- the formulas package ----------------------------------------------------------------------


def test_base_live_values_equal_engine(base_book, base):
    assert_live_equals_engine(base_book, finmodel.run(base))


def test_base_master_check_ok(base_book):
    flags = check_flags(base_book)
    assert flags and all(f == 0 for f in flags.values()), flags
    assert master(base_book).startswith("OK")


def test_summary_live_totals_move_with_the_inputs(base_book, changed_book, base):
    """The Summary's live tables: the run's numbers, then the changed run's."""
    changed = finmodel.run(finmodel.with_overrides(base, CHANGES))
    for book, result in ((base_book, finmodel.run(base)), (changed_book, changed)):
        ws = book.wb["Summary"]
        rows = {
            c.value: c.row
            for (c,) in ws.iter_rows(min_col=1, max_col=1)
            if "(live)" in str(c.value)
        }
        s = result.summary
        for i, p in enumerate(s["parties"]):
            for col, key in zip("BCDE", ("received", "paid", "net", "npv")):
                live = book.cell("Summary", col, rows["Party (live)"] + 1 + i)
                same(live, s["parties"][p][key], f"{p} {key}")
        for i, v in enumerate(s["vehicles"]):
            if book is changed_book and not is_live(base, v):
                continue  # the engine's numbers of the original run: they cannot follow
            keys = ("contributed", "distributed", "terminal_value", "profit", "irr", "moic", "npv")
            for col, key in zip("BCDEFGH", keys):
                live = book.cell("Summary", col, rows["Vehicle (live)"] + 1 + i)
                same(live, s["vehicles"][v][key], f"{v} {key}")


def test_changed_inputs_equal_run_with_set(changed_book, base):
    """Inputs changed in the workbook == finmodel.run with the same --set."""
    expected = finmodel.run(finmodel.with_overrides(base, CHANGES))
    assert (
        expected.summary["parties"]["us"]["npv"]
        != finmodel.run(base).summary["parties"]["us"]["npv"]
    )  # the change matters
    assert_live_equals_engine(changed_book, expected, moved=True)


def test_changed_inputs_break_the_engine_checks_only(changed_book):
    """The live model still adds up; it no longer equals the run the static sheets show."""
    flags = check_flags(changed_book)
    identities = {k: f for k, f in flags.items() if "live vs finmodel run" not in k}
    assert identities and all(f == 0 for f in identities.values()), identities
    assert flags["us: npv, live vs finmodel run"] == 1
    # an edited input is not a broken model: the Summary says which it is
    assert master(changed_book).startswith("CHANGED: an input was edited")


def test_after_an_edit_the_summary_leads_with_the_live_numbers(changed_book, base_book, base):
    """Summary!B8 gives each party's live NPV once an input is edited: the same numbers as
    finmodel.run with the same --set, to the cent of a bn shown."""
    expected = finmodel.run(finmodel.with_overrides(base, CHANGES)).summary["parties"]
    text = changed_book.cell("Summary", "B", 8)
    for p, values in expected.items():
        name = base.parties[p].name
        assert f"{name} {values['npv'] / 1e9:.2f}" in text, (name, text)
    assert base_book.cell("Summary", "B", 8) == "the same as the run"


def test_rich_case_live_values_equal_engine(rich_book, rich):
    paid = {(a.vehicle, a.flow.value) for a in rich.outcome.allocations if np.any(a.amount)}
    assert {("us_led_fund", "hurdle"), ("us_led_fund", "fee"), ("us_russia_instrument", "income"),
            ("unfrozen_european_assets", "profit")} <= paid  # fmt: skip
    assert rich.outcome.schedules["us_russia_instrument"].return_.min() < 0  # a year's loss
    assert rich.summary["vehicles"]["us_russia_instrument"]["terminal_value"] > 0
    assert rich.summary["parties"]["europe"]["by_vehicle"]["european_fund"]["received"] > 0
    # coinvest: Europe pays in at period 2 and gets none of the capital of period 1
    back = {(a.flow.value, p): a.amount[0] * a.shares[0, j]
            for a in rich.outcome.allocations if a.vehicle == "coinvest"
            for j, p in enumerate(rich.outcome.batch.parties) if a.shares[0, j]}  # fmt: skip
    assert back[("capital_return", "europe")][1] == 0 < back[("capital_return", "us")][1]
    # income_fund's term pays its year's income (10% of 8) as income
    income = rich.flows.query("vehicle == 'income_fund' and flow == 'income' and period == 3")
    assert income.amount_usd.sum() == pytest.approx(0.8e9, rel=1e-12)
    assert_live_equals_engine(rich_book, rich)
    assert master(rich_book).startswith("OK")


def test_live_checks_scale_with_the_money(base, tmp_path):
    """A valid pool 3,000 times the base case's (up to EUR 555,000bn in one holding): the
    identities are off by a few tenths of a dollar from rounding alone, which a cent would
    call a failure; each check allows 8 ulps of the money it involves, in the engine and in
    the workbook alike (issue 10, part 6)."""
    big = {f"pool.holdings.{h.id}.amount_bn": h.amount_bn * 3000 for h in base.pool.holdings}
    big["pool.allocation.0.amount_bn"] = 100 * 3000
    big["vehicles.european_fund.capital.contributions.0.amount_bn"] = 100 * 3000
    result = finmodel.run(finmodel.with_overrides(base, big))
    assert max(result.checks.values()) > 0.01  # rounding alone exceeds a cent here
    assert result.failed_checks() == {}
    book = Book(path := write(result, tmp_path / "big.xlsx"), recompute(path))
    assert_live_equals_engine(book, result)
    flags = check_flags(book)
    assert flags and all(f == 0 for f in flags.values()), flags
    assert master(book).startswith("OK")


def test_unknown_kind_is_written_as_engine_values(rich, tmp_path, monkeypatch):
    """A kind without live formulas: its rows are the engine's values and nothing breaks."""
    from finmodel.kinds import VehicleKind
    from finmodel.reports.live import vehicle as live_vehicle

    monkeypatch.delitem(live_vehicle.SCHEDULES, VehicleKind.fund)
    book = Book(path := write(rich, tmp_path / "rich.xlsx"), recompute(path))
    assert_live_equals_engine(book, rich)
    assert master(book).startswith("OK")
    ws = book.wb[calc_sheet(rich.assumptions, "us_led_fund")]
    assert "no live formulas" in " ".join(str(c.value) for c in ws["A"] if c.value)


# --- the layout's rules (no recomputation) ------------------------------------------------------


def _formulas(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "f":
                    yield ws, c


def test_no_offset_indirect_and_no_numbers_in_formulas(base_book):
    for ws, c in _formulas(base_book.wb):
        f = c.value.upper()
        assert "OFFSET(" not in f and "INDIRECT(" not in f, (ws.title, c.coordinate)
        bare = re.sub(r"'[^']*'!|\"[^\"]*\"|\$?[A-Z]{1,3}\$?\d+|[A-Z]+\(", " ", f)
        numbers = set(re.findall(r"\d+(?:\.\d+)?(?:E[+-]?\d+)?", bare))
        assert numbers <= {"0", "1"}, (ws.title, c.coordinate, c.value)


def test_one_formula_per_row_copied_across(base_book):
    """In every period column, a row's formula is the first period's, moved across."""
    for ws in base_book.wb.worksheets:
        if ws.title != "Timeline" and ws["E5"].value != "=Timeline!E$5":
            continue
        for row in ws.iter_rows(min_row=8, min_col=5):
            first = row[0]
            if first.data_type != "f":
                continue
            for c in row[1:]:
                moved = Translator(first.value, origin=first.coordinate).translate_formula(
                    c.coordinate
                )
                assert c.value == moved, (ws.title, c.coordinate)


def test_same_column_same_period_everywhere(base_book):
    wb = base_book.wb
    timed = [ws for ws in wb.worksheets if ws["A5"].value == "Period"]
    assert {"Inputs", "Timeline", PARTIES} <= {ws.title for ws in timed}
    for ws in timed:
        if ws.title != "Timeline":
            assert ws["E5"].value == "=Timeline!E$5" and ws["AI6"].value == "=Timeline!AI$6"
        assert [ws.cell(row=5, column=c).value for c in range(1, 5)] == [
            "Period", "Constant", "Units", "Total",
        ]  # fmt: skip


def test_input_style_only_on_inputs(base_book):
    wb = base_book.wb
    for ws in wb.worksheets:
        styled = [c for row in ws.iter_rows() for c in row if c.style == "Input"]
        yellow = [c for row in ws.iter_rows() for c in row if c.fill.fgColor.rgb == "00FFFFCC"]
        if ws.title == "Inputs":
            assert len(styled) > 50 and len(yellow) == len(styled)
            assert all(c.data_type == "n" for c in styled)  # inputs are numbers, not formulas
        else:
            assert not styled and not yellow, ws.title


def test_full_recalculation_on_load(base_book):
    assert base_book.wb.calculation.fullCalcOnLoad


def test_static_sheets_still_carry_values(base_book, base):
    """A reader that does not recalculate still sees every number (the static sheets)."""
    wb = openpyxl.load_workbook(base_book.path, data_only=True)
    s = finmodel.run(base).summary
    names: dict = {}
    for r in wb["Summary"].iter_rows(values_only=True):
        names.setdefault(r[0], r)  # the static table, first; the live one (formulas) is below
    for pid, p in s["parties"].items():
        assert names[base.parties[pid].name][4] == pytest.approx(p["npv"], rel=REL)


# --- LibreOffice, where it is installed ---------------------------------------------------------


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_recalculation(base, base_book, changed_book, tmp_path):
    """LibreOffice recomputes the same workbooks: the base case, and the changed inputs."""
    cases = ((base_book, finmodel.run(base)),
             (changed_book, finmodel.run(finmodel.with_overrides(base, CHANGES))))  # fmt: skip
    for book, expected in cases:
        out = tmp_path / book.path.parent.name
        out.mkdir()
        lo = Book(book.path, libreoffice(book.path, out))
        assert_live_equals_engine(lo, expected, moved=book is changed_book)
        assert master(lo).startswith("OK" if book is base_book else "CHANGED")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_monthly_thirty_years(base, tmp_path):
    """361 monthly periods (too slow for the formulas package): LibreOffice agrees too."""
    result = finmodel.run(finmodel.with_overrides(base, {"timeline.frequency": "monthly"}))
    path = write(result, tmp_path / "monthly.xlsx")
    (tmp_path / "lo").mkdir()
    lo = Book(path, libreoffice(path, tmp_path / "lo"))
    assert_live_equals_engine(lo, result)
    assert master(lo).startswith("OK")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_every_shipped_reading(tmp_path):
    """Each reading of the plan in assumptions/scenarios: live == engine, master check OK."""
    names = sorted(
        p.stem for p in (Path(__file__).parents[2] / "assumptions/scenarios").glob("*.yaml")
    )
    results = {n: finmodel.run(finmodel.load(n)) for n in names}
    paths = [write(r, tmp_path / f"{n}.xlsx") for n, r in results.items()]
    out = tmp_path / "lo"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(out), *map(str, paths)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    for path, (name, result) in zip(paths, results.items()):
        lo = Book(path, _values(openpyxl.load_workbook(out / path.name, data_only=True)))
        assert_live_equals_engine(lo, result)
        assert master(lo).startswith("OK"), name


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_a_broken_identity_turns_the_master_check(base_book, base, tmp_path):
    """A number typed over one formula of a Calc sheet: its identity row fails, and Summary
    says NOT OK (the formulas package and LibreOffice agree on the unbroken book)."""
    wb = openpyxl.load_workbook(base_book.path)
    ws = wb[calc_sheet(base, "us_led_fund")]
    row = labels(ws)["Receipts: Ukraine"]
    ws.cell(row=row, column=10).value = 1e9  # a hard-coded payment the waterfall never made
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    (tmp_path / "lo").mkdir()
    lo = Book(broken, libreoffice(broken, tmp_path / "lo"))
    flags = check_flags(lo)
    assert flags["us_led_fund: parties' receipts - distributions - fees"] == 1
    assert flags["us_led_fund: contributed + return - fee - distributed - terminal value"] == 0
    assert master(lo).startswith("NOT OK")
