"""Tornado: each bar is a separate run with one input moved; bad ranges are refused."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import finmodel
from finmodel.cli import main
from finmodel.tornado import default_ranges, tornado

BASE = Path(__file__).resolve().parents[1] / "assumptions" / "base.yaml"


@pytest.fixture(scope="module")
def base():
    return finmodel.load(BASE)


def test_each_bar_equals_a_separate_run(base):
    ranges = {"vehicles.us_led_fund.return.rate": (0.02, 0.15), "fx.EUR.rate": (1.0, 1.3)}
    t = tornado(base, ranges)
    for key, (lo, hi) in ranges.items():
        for value, column in ((lo, "npv_low"), (hi, "npv_high")):
            alone = finmodel.run(finmodel.load(BASE, {key: value})).summary["parties"]
            for who, p in alone.items():
                rows = t.table[(t.table["party"] == who) & (t.table["key"] == key)]
                got = rows[column].item()
                assert got == pytest.approx(p["npv"], rel=1e-12, abs=1e-3)


def test_bars_are_sorted_by_swing_within_each_party(base):
    t = tornado(base)
    for _, frame in t.table.groupby("party"):
        swings = frame["swing"].tolist()
        assert swings == sorted(swings, reverse=True)


def test_default_ranges_move_each_key_input_by_half(base):
    r = default_ranges(base)
    # discount rate 4% -> 2% and 6%; payout 0.5 -> 0.25 and 0.75; the $100bn -> 50 and 150
    assert r["discount_rate"] == (0.02, 0.06)
    assert r["vehicles.us_led_fund.payout"] == (0.25, 0.75)
    assert r["pool.allocation.0.amount_bn"] == (50.0, 150.0)


def test_cli_writes_table_and_chart(tmp_path):
    assert main(["tornado", str(BASE), "--out", str(tmp_path)]) == 0
    wb = openpyxl.load_workbook(tmp_path / "base.tornado.xlsx")
    assert len(wb["Tornado"]._charts) == len(finmodel.load(BASE).parties)  # one per party
    assert (tmp_path / "base.tornado.csv").read_text().startswith("party,key,low,high")


def test_ranges_from_the_file_and_an_unknown_key_is_refused(tmp_path, capsys):
    good = tmp_path / "t.yaml"
    good.write_text(f"name: t\nextends: {BASE}\ntornado:\n  discount_rate: [0.01, 0.09]\n")
    assert main(["tornado", str(good), "--out", str(tmp_path / "out")]) == 0
    table = tornado(finmodel.load(good)).table
    # the file's range replaces the default one; the other key inputs keep theirs
    rows = table[table["key"] == "discount_rate"]
    assert set(rows["low"]) == {0.01} and set(rows["high"]) == {0.09}
    assert "vehicles.us_led_fund.return.rate" in set(table["key"])
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"name: bad\nextends: {BASE}\ntornado:\n  discount_rat: [0.01, 0.09]\n")
    assert main(["tornado", str(bad), "--out", str(tmp_path / "bad_out")]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:4: tornado.discount_rat: is not the key path of a number" in err
    assert not (tmp_path / "bad_out").exists()


def test_a_value_outside_what_the_field_allows_is_not_computed(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        f"name: bad\nextends: {BASE}\ntornado:\n  vehicles.us_led_fund.payout: [0.5, 1.5]\n"
    )
    assert main(["tornado", str(bad), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert err.strip() == (
        "finmodel: 1 low or high value(s) are invalid (a single run rejects them): not "
        "computed; the 'invalid' column says why"
    )
    table = pd.read_csv(tmp_path / "out" / "bad.tornado.csv")
    rows = table[table["key"] == "vehicles.us_led_fund.payout"]
    assert rows["npv_high"].isna().all() and rows["npv_low"].notna().all()
    # the message is the single run's: finmodel run --set vehicles.us_led_fund.payout=1.5
    with pytest.raises(finmodel.InputError) as single:
        finmodel.load(bad, {"vehicles.us_led_fund.payout": 1.5})
    assert single.value.message in rows["invalid"].iloc[0]
    assert rows["invalid"].iloc[0].startswith("high 1.5: ")
    # the other keys are untouched by it
    assert table[table["key"] != "vehicles.us_led_fund.payout"]["invalid"].isna().all()
    # the workbook says it too, beside the bar
    ws = openpyxl.load_workbook(tmp_path / "out" / "bad.tornado.xlsx")["Tornado"]
    notes = [r[8].value for r in ws.iter_rows(min_row=1) if len(r) > 8 and r[8].value]
    assert sum(str(n).startswith("high 1.5: ") for n in notes) == len(finmodel.load(bad).parties)


def test_every_value_invalid_is_an_input_error(base):
    with pytest.raises(finmodel.InputError, match="every low and high value is invalid") as e:
        tornado(base, {"vehicles.us_led_fund.payout": (1.5, 2)})
    assert "less than or equal to 1 (got 1.5)" in str(e.value)


def test_swing_counts_both_ends_moving_the_same_way(tmp_path):
    # a term of 10 or of 40 years both lower the US's NPV from the 20-year base: the swing is
    # the widest spread of (low, base, high), not |high - low|
    f = tmp_path / "t.yaml"
    f.write_text(
        f"name: t\nextends: {BASE}\ntornado:\n  vehicles.us_led_fund.term_years: [10, 40]\n"
    )
    table = tornado(finmodel.load(f)).table
    row = table.query("party == 'us' and key == 'vehicles.us_led_fund.term_years'").iloc[0]
    ends = (row.npv_low, row.npv_base, row.npv_high)
    assert row.swing == pytest.approx(max(ends) - min(ends))
    assert row.swing > abs(row.npv_high - row.npv_low)


def test_default_ranges_are_low_then_high_for_a_negative_rate(base):
    r = default_ranges(finmodel.with_overrides(base, {"vehicles.us_led_fund.return.rate": -0.02}))
    assert r["vehicles.us_led_fund.return.rate"] == (-0.03, -0.01)
