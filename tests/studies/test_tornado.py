"""Tornado: each bar is a separate run with one input moved; bad ranges are refused."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import assumption_dicts

import finmodel
from finmodel import reports
from finmodel.cli import main
from finmodel.studies.tornado import check, default_ranges, file_ranges, tornado

BASE = Path(__file__).resolve().parents[2] / "assumptions" / "base.yaml"


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


def test_default_ranges_by_kind_of_input(base):
    r = default_ranges(base)
    # rates by 2 points: the discount rate 4% -> 2% and 6%, the fund's return 8% -> 6% and 10%;
    # amounts and shares by half: payout 0.5 -> 0.25 and 0.75; the $100bn -> 50 and 150;
    # EUR/USD over its decade band 0.95..1.26 (ECB reference rates), not 0.58..1.74
    assert r["discount_rate"] == (0.02, 0.06)
    assert r["vehicles.us_led_fund.return.rate"] == (0.06, 0.1)
    assert r["fx.EUR.rate"] == (0.95, 1.26)
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
    assert main(["tornado", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    # the table's entry is on line 4 of the file written above
    assert err.startswith(f"finmodel: error: {bad}:4: tornado.vehicles.us_led_fund.payout: ")
    assert "high end 1.5 is refused" in err
    assert "less than or equal to 1" in err
    assert not (tmp_path / "out").exists()


def test_an_end_a_single_run_rejects_is_marked_not_computed(base, tmp_path):
    result = tornado(base, {"vehicles.us_led_fund.payout": (0.5, 1.5),
                            "discount_rate": (0.03, 0.05)})  # fmt: skip
    assert result.n_invalid == 1
    table = result.table
    rows = table[table["key"] == "vehicles.us_led_fund.payout"]
    assert rows["npv_high"].isna().all() and rows["npv_low"].notna().all()
    # the message is the single run's: finmodel run --set vehicles.us_led_fund.payout=1.5
    with pytest.raises(finmodel.InputError) as single:
        finmodel.with_overrides(base, {"vehicles.us_led_fund.payout": 1.5})
    assert single.value.message in rows["invalid"].iloc[0]
    assert rows["invalid"].iloc[0].startswith("high 1.5: ")
    # the other keys are untouched by it
    assert (table[table["key"] != "vehicles.us_led_fund.payout"]["invalid"] == "").all()
    # the workbook says it too, beside the bar
    reports.write(result, tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "base.tornado.xlsx")["Tornado"]
    notes = [r[11].value for r in ws.iter_rows(min_row=1) if len(r) > 11 and r[11].value]
    assert sum(str(n).startswith("high 1.5: ") for n in notes) == len(base.parties)


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
    assert r["vehicles.us_led_fund.return.rate"] == (-0.04, 0.0)


# --- every bar is a scenario a single run accepts ------------------------------------------------


def test_a_default_end_the_model_refuses_moves_halfway_back(base):
    # discount rate -0.99: the default low, -0.99 - 0.02 = -1.01, is refused (a rate must be
    # above -1); halfway back, -0.99 + (-1.01 + 0.99) / 2 = -1.0, still is; halfway again,
    # -0.99 + (-1.0 + 0.99) / 2 = -0.995, is accepted. The high, -0.99 + 0.02 = -0.97, is fine.
    a = finmodel.with_overrides(base, {"discount_rate": -0.99})
    table = tornado(a).table
    row = table[table.key == "discount_rate"].iloc[0]
    assert (row.low, row.high) == (pytest.approx(-0.995), pytest.approx(-0.97))
    assert "low end moved back from -1.01" in row.reason
    alone = finmodel.run(finmodel.with_overrides(a, {"discount_rate": -0.995}))
    us = table[(table.key == "discount_rate") & (table.party == "us")].iloc[0]
    assert us.npv_low == pytest.approx(alone.summary["parties"]["us"]["npv"], rel=1e-12)


def test_a_default_end_that_no_longer_fits_the_pool_moves_back(base):
    # A carve-out of 250 bn USD from the European holdings, which are worth, in USD,
    # 185*1.16 + 18*1.16 + 7*1.16 + 8*1.32 + 7.45*1.24 = 263.398 bn. The default high,
    # 375, does not fit; nor do 312.5 and 281.25; 265.625 does not (> 263.398); 257.8125 does.
    # The EUR rate's band low, 0.95, leaves 210*0.95 + 8*1.32 + 7.45*1.24 = 219.298 bn: too
    # little; 1.055 leaves 241.348: too little; 1.1075 leaves 252.373: enough.
    a = finmodel.with_overrides(base, {"pool.allocation.0.amount_bn": 250})
    table = tornado(a).table.drop_duplicates("key").set_index("key")
    assert table.loc["pool.allocation.0.amount_bn", "high"] == pytest.approx(257.8125)
    assert table.loc["fx.EUR.rate", "low"] == pytest.approx(1.1075)


def test_check_refuses_what_tornado_refuses(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"name: bad\nextends: {BASE}\ntornado:\n  discount_rate: [0.02, 20]\n")
    a = finmodel.load(bad)
    with pytest.raises(finmodel.InputError, match="high end 20 is refused") as refused:
        tornado(a)
    with pytest.raises(finmodel.InputError) as checked:
        check(a)
    assert str(checked.value) == str(refused.value)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    d=assumption_dicts(max_vehicles=3, max_years=12),
    discount=st.floats(-0.999, 9.99),
    cash=st.floats(-0.999, 9.99),
)
def test_tornado_never_refuses_its_own_default_ranges(d, discount, cash):
    # rates anywhere in their valid range: +-50% can leave it; the tornado moves such an end
    # back, so every bar is a scenario the model accepts, and check() finds nothing
    d["discount_rate"] = discount
    d["allow_high_rates"] = True  # rates above 1 are in the valid range when the file says so
    for v in d["vehicles"].values():
        if v["kind"] == "fund":
            v["cash_rate"] = cash
    a = finmodel.inputs.models.scenario.Assumptions.model_validate(d)
    check(a)
    for key, (lo, hi) in file_ranges(a).items():
        for end in (lo, hi):
            finmodel.with_overrides(a, {key: end})  # raises if the model refused it
