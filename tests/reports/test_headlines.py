"""Each command's headline table equals single runs with the same values; the table shows
amounts as USD bn with one decimal and never '-0.0'."""

from __future__ import annotations

import csv
import io
import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.reports.console import cell, to_csv, to_json
from finmodel.reports.headlines import (
    compare_headline,
    run_headline,
    simulation_headline,
    sweep_headline,
    tornado_headline,
)
from finmodel.studies.compare import compare
from finmodel.studies.simulation import simulate
from finmodel.studies.tornado import tornado

BASE = finmodel.load("base")


def npv(a, party: str) -> float:
    """A party's NPV from a single run: the value every headline must equal."""
    return finmodel.run(a).summary["parties"][party]["npv"]


def test_run_headline_names_parties_as_the_assumptions_do():
    h = run_headline(finmodel.run(BASE))
    assert [r["party"] for r in h.rows] == [p.name for p in BASE.parties.values()]
    # an unchanged run has nothing to declare before its table; after it, the reconstruction
    # gap to 2035: 524 - 209.744691 (Europe's 100bn and the US-led fund's 109.744691bn) = 314.3
    # for RDNA4
    assert h.notes == ()
    assert h.after[0] == ("reconstruction gap to 2035 against World Bank RDNA4 (Feb 2025): "
                          "USD 314.3bn (needs 524.0, funded 209.7)")  # fmt: skip


def test_a_changed_run_declares_each_override_first():
    loaded = finmodel.load_with_origins("base", ["vehicles.us_led_fund.return.rate=0.03"])
    h = run_headline(finmodel.run(loaded))
    assert h.notes == ("changed: US-led reconstruction fund: return rate 3.0% (base 8.0%)",)
    assert h.after[0].startswith("reconstruction gap to 2035")


def test_compare_headline_is_the_difference_of_two_single_runs():
    a = finmodel.load("literal")
    sq = finmodel.load("status_quo")
    c = compare([finmodel.run(sq), finmodel.run(a)], "status_quo")
    rows = compare_headline(c).rows  # the baseline is not a row against itself
    assert [(r["scenario"], r["measure"]) for r in rows] == [("literal", "without"),
                                                             ("literal", "valued")]  # fmt: skip
    with_claims = {n: finmodel.run(x).summary["parties"] for n, x in (("lit", a), ("sq", sq))}
    for party in ("us", "ukraine", "russia", "europe"):
        assert rows[0][party] == pytest.approx(npv(a, party) - npv(sq, party), abs=1e-3)
        want = with_claims["lit"][party]["npv_with_claims"] - with_claims["sq"][party][
            "npv_with_claims"
        ]
        assert rows[1][party] == pytest.approx(want, abs=1e-3)


def test_sweep_headline_points_equal_single_runs():
    s = finmodel.sweep(BASE, {"discount_rate": [0.02, 0.05]})
    h = sweep_headline(s)
    for row in h.rows:
        a = finmodel.with_overrides(BASE, {"discount_rate": row["discount_rate"]})
        for p in BASE.parties:
            assert row[f"{p}.npv"] == pytest.approx(npv(a, p), rel=1e-12, abs=1e-3)


def test_a_large_sweep_shows_each_partys_best_and_worst_point():
    rates = [round(0.01 + 0.002 * i, 4) for i in range(30)]  # 30 points: past SWEEP_ROWS
    h = sweep_headline(finmodel.sweep(BASE, {"discount_rate": rates}))
    shown = {row["discount_rate"] for row in h.rows}
    # NPV of a receiver falls as the rate rises: its best is the lowest rate, worst the highest
    assert {rates[0], rates[-1]} <= shown and len(shown) < len(rates)
    assert "each party's best and worst" in h.notes[0]


def test_tornado_headline_bars_equal_single_runs_and_come_biggest_first():
    h = tornado_headline(tornado(BASE))
    us = [r for r in h.rows if r["party"] == "United States"]
    assert [r["swing"] for r in us] == sorted((r["swing"] for r in us), reverse=True)
    for r in h.rows[:4]:
        pid = next(p for p, v in BASE.parties.items() if v.name == r["party"])
        low = npv(finmodel.with_overrides(BASE, {r["key"]: r["low"]}), pid)
        high = npv(finmodel.with_overrides(BASE, {r["key"]: r["high"]}), pid)
        assert (r["npv_low"], r["npv_high"]) == pytest.approx((low, high), rel=1e-9, abs=1e-3)
        assert r["swing"] == pytest.approx(abs(high - low), rel=1e-9, abs=1e-3)


def test_simulation_at_zero_volatility_shows_the_single_run():
    vols = {f"vehicles.{v}.return.uncertainty.vol": 0.0
            for v in ("us_led_fund", "us_russia_instrument")}  # fmt: skip
    a = finmodel.with_overrides(BASE, vols)
    h = simulation_headline(simulate(a, 20, seed=3))
    for row in h.rows:
        want = npv(a, row["id"])
        assert (row["p5"], row["p50"], row["p95"]) == pytest.approx((want,) * 3, abs=1e-3)
        assert row["prob_loss"] == float(want < 0)  # every scenario is the run: all or none


def test_json_and_csv_carry_unrounded_usd_bn():
    r = finmodel.run(BASE)
    h = run_headline(r)
    data = json.loads(to_json(h))
    us = next(row for row in data["rows"] if row["id"] == "us")
    assert us["npv"] == r.summary["parties"]["us"]["npv"] / 1e9
    rows = list(csv.DictReader(io.StringIO(to_csv(h))))
    assert float(rows[0]["npv_usd_bn"]) == pytest.approx(us["npv"], rel=1e-15)


@settings(max_examples=300)
@given(st.floats(-1e13, 1e13, allow_nan=False))
def test_an_amount_shows_with_one_decimal_and_never_as_minus_zero(usd):
    text = cell(usd, "USD bn")
    assert not text.startswith("-0.0") or abs(usd) >= 0.05e9
    assert text != "-0.0"
    assert float(text.replace(",", "")) == pytest.approx(usd / 1e9, abs=0.05 + 1e-9)
    assert re.fullmatch(r"-?[\d,]+\.\d", text)


@settings(max_examples=200)
@given(st.floats(-2, 2, allow_nan=False))
def test_a_rate_shows_as_a_percentage(rate):
    text = cell(rate, "%")
    assert text.endswith("%") and text != "-0.0%"
    assert float(text[:-1]) == pytest.approx(rate * 100, abs=0.05 + 1e-9)


def test_a_missing_value_is_an_empty_cell():
    assert cell(float("nan"), "USD bn") == "" == cell(None, "%")
    assert cell(np.float64(-1e6), "USD bn") == "0.0"  # -0.001 USD bn: rounding noise
