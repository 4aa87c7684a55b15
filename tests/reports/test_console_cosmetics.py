"""The console's tables as a person reads them (issue 13): names never cut mid-word, a title on
one line, one line per changed key, the file's own scenario named, raw numbers for scripts."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings

from finmodel.cli import main
from finmodel.inputs.labels import label
from finmodel.inputs.loader import load, load_with_origins
from finmodel.reports.console import WORD_LIMIT, cell, show
from finmodel.reports.headlines import Column, Headline
from tests.strategies import scenario_names

PARTIES = ("United States", "Ukraine", "Russia (Central Bank of Russia)",
           "EU and European states", "Canada and Japan", "World Bank (IBRD)",
           "Private investors")  # fmt: skip


def _compare_like(names: list[str]) -> Headline:
    """A table shaped as compare's: a reading column, then one NPV change per party."""
    columns = (Column("scenario", "Reading"), Column("claims", "Claims"),
               *(Column(f"p{i}", p, "USD bn") for i, p in enumerate(PARTIES)))  # fmt: skip
    rows = [{"scenario": n, "claims": "without", **{f"p{i}": -138.9e9 for i in range(len(PARTIES))}}
            for n in names]  # fmt: skip
    return Headline("NPV change by party against the baseline status_quo", columns, rows)


def _rendered(h: Headline) -> str:
    out = io.StringIO()  # not a terminal: the table is 160 characters wide
    show(h, "table", out)
    return out.getvalue()


def test_a_long_reading_name_is_not_cut():
    # before: 'assets_returned_to_' on one line and 'russia' on the next
    text = _rendered(_compare_like(["assets_returned_to_russia", "european_fund_as_investment"]))
    assert "assets_returned_to_russia" in text
    assert "european_fund_as_investment" in text


@settings(max_examples=40, deadline=None)
@given(scenario_names().map(lambda n: n[:WORD_LIMIT]))
def test_any_reading_name_shows_whole_on_one_line(name):
    # a name up to WORD_LIMIT characters (a shipped reading's is at most 27) is never folded
    text = _rendered(_compare_like([name, "literal"]))
    assert any(name in line for line in text.splitlines())


def test_a_long_title_is_one_line():
    name = "base+us_led_fund.return.rate=0.04+discount_rate=0.05+european_fund.return.rate=0.1"
    h = Headline(f"{name}: who receives what (USD bn; + received, - paid)",
                 (Column("party", "Party"), Column("net", "Net", "USD bn")),
                 [{"party": "Ukraine", "net": 1e9}])  # fmt: skip
    assert _rendered(h).splitlines()[0] == h.title


def test_a_key_set_twice_is_one_change_with_its_last_value():
    loaded = load_with_origins(
        "base", ["vehicles.us_led_fund.return.rate=0.03", "discount_rate=0.05",
                 "vehicles.us_led_fund.return.rate=0.04"])  # fmt: skip
    # the base file's 8% return and 4% discount rate (assumptions/base.yaml)
    assert loaded.changes == (
        "US-led reconstruction fund: return rate 4.0% (base 8.0%)",
        "Discount rate 5.0% (base 4.0%)",
    )
    assert loaded.assumptions.name == "base+us_led_fund.return.rate=0.04+discount_rate=0.05"
    assert loaded.assumptions.vehicles["us_led_fund"].return_.rate == 0.04


def test_the_value_before_is_named_after_the_files_scenario():
    # literal extends base and keeps its 4% discount rate
    loaded = load_with_origins("literal", ["discount_rate=0.05"])
    assert loaded.changes == ("Discount rate 5.0% (literal 4.0%)",)


def test_explore_refuses_format_in_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:  # argparse's refusal, in finmodel's one-line form
        main(["explore", "literal", "--format", "json", "--out", str(tmp_path / "o")])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--format" in err
    assert not (tmp_path / "o").exists()


def test_list_as_csv_gives_raw_numbers_with_their_unit(capsys):
    assert main(["list", "--format", "csv"]) == 0
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    base = load("base")
    assert float(rows["discount_rate"]["value"]) == base.discount_rate == 0.04
    assert rows["discount_rate"]["unit"] == "%"
    assert float(rows["timeline.years"]["value"]) == 30
    assert float(rows["fx.EUR.rate"]["value"]) == 1.16
    assert rows["fx.EUR.rate"]["unit"] == "USD per EUR"


def test_a_partys_discount_rate_is_a_percentage():
    lab = label(load("base"), "party_discount_rates.russia")
    assert lab.kind == "rate" and lab.unit == "% a year"
    assert cell(0.138, "", row_unit="%") == "13.8%"
