"""Metrics: IRR, MOIC, profit and NPV of vehicles and parties (docs/model.md, Metrics)."""

from __future__ import annotations

import json

import numpy as np
import numpy_financial as npf
import pytest
from strategies import BN, fund, run, scenario

import finmodel
from finmodel.engine.metrics import vehicle_cash_flows


@pytest.mark.parametrize("rate", [0.07, -0.2, 0.0])
@pytest.mark.parametrize(
    ("frequency", "years", "term"),
    [
        ("annual", 10, 10),
        ("annual", 30, 20),
        ("quarterly", 10, 10),
        # 40 quarters of zeros after the term: once "the rate lies at the edge of the search
        # range" (the NPV was scaled by the last column, not the last non-zero flow)
        ("quarterly", 30, 20),
        ("monthly", 5, 5),
        ("monthly", 3, 2),
        # 480 months: once -100% a year (the Newton search crept from the edge of its bracket)
        ("monthly", 40, 40),
    ],
)
def test_identity_irr_equals_the_return_and_moic_compounds(frequency, years, term, rate):
    # docs/model.md, Metrics: all capital at period 0 and deployed at once (no cash drag, whatever
    # the cash rate), a constant r, nothing paid before the term, no fee: the investors' flows
    # are -100 at 0 and 100 (1+r)^T at T, so IRR = r and MOIC = (1+r)^T.
    f = fund(**{"return": {"rate": rate}}, cash_rate=0.03, term_years=term)
    v = run(scenario({"f": f}, years=years, frequency=frequency)).summary["vehicles"]["f"]
    assert v["irr_note"] is None
    assert v["irr"] == pytest.approx(rate, abs=1e-9)
    assert v["moic"] == pytest.approx((1 + rate) ** term, rel=1e-12)
    assert v["profit"] / BN == pytest.approx(100 * ((1 + rate) ** term - 1), rel=1e-9, abs=1e-9)
    assert v["terminal_value"] == 0.0


def test_npv_of_a_vehicle_and_its_parties_by_hand():
    # The annual fund of test_schedule (deployment over 2 years, cash 4%, projects 10%, half
    # paid out, 3-year term): flows -100, 2, 3.48, 116.028; discounted at 5%.
    f = fund(deployment={"years": 2}, cash_rate=0.04, **{"return": {"rate": 0.10}},
             payout=0.5, term_years=3)  # fmt: skip
    r = run(scenario({"f": f}, years=4, discount_rate=0.05))
    v = r.summary["vehicles"]["f"]
    npv = -100 + 2 / 1.05 + 3.48 / 1.05**2 + 116.028 / 1.05**3
    assert v["npv"] / BN == pytest.approx(npv, rel=1e-12)
    assert v["contributed"] / BN == pytest.approx(100, rel=1e-12)
    assert v["distributed"] / BN == pytest.approx(121.508, rel=1e-12)
    assert v["moic"] == pytest.approx(1.21508, rel=1e-12)
    # Ukraine: capital 2, 3.48, 94.52 and half the 21.508 of profit at the term; the US the
    # other half; Russia paid the 100 at period 0 (undiscounted).
    p = r.summary["parties"]
    half = 21.508 / 2
    assert p["us"]["npv"] / BN == pytest.approx(half / 1.05**3, rel=1e-12)
    assert p["ukraine"]["npv"] / BN == pytest.approx(
        2 / 1.05 + 3.48 / 1.05**2 + (94.52 + half) / 1.05**3, rel=1e-12
    )
    assert p["russia"]["npv"] / BN == pytest.approx(-100, rel=1e-12)
    assert (p["russia"]["paid"] / BN, p["russia"]["received"]) == (pytest.approx(100), 0.0)
    assert p["ukraine"]["received"] / BN == pytest.approx(100 + half, rel=1e-12)
    assert p["ukraine"]["by_vehicle"]["f"]["profit_received"] / BN == pytest.approx(half)
    # no fee: the parties' NPVs add up to the vehicle's
    assert sum(x["npv"] for x in p.values()) / BN == pytest.approx(npv, rel=1e-12)


def test_quarterly_npv_discounts_at_k_over_m_years():
    # The quarterly fund of test_schedule: -100, then 100q at the ends of quarters 1-3 and
    # 100 + 100q at the end of quarter 4, q = sqrt(1.1) - 1; period k is k/4 years out.
    q = np.sqrt(1.1) - 1
    f = fund(**{"return": {"rate": 0.21}}, payout=1.0, term_years=1)
    v = run(scenario({"f": f}, years=1, frequency="quarterly", discount_rate=0.05))
    npv = -100 + sum(100 * q / 1.05 ** (k / 4) for k in (1, 2, 3)) + (100 + 100 * q) / 1.05
    assert v.summary["vehicles"]["f"]["npv"] / BN == pytest.approx(npv, rel=1e-12)
    # the IRR per quarter is q, i.e. 21% a year
    assert v.summary["vehicles"]["f"]["irr"] == pytest.approx(0.21, abs=1e-9)


def test_moic_profit_and_irr_count_the_terminal_value_at_its_mark():
    # 10% a year, half paid out, 5-year term on a 3-year horizon: D = 5, 5.25, 5.5125 and
    # V_3 = 115.7625. Profit = 15.7625 + 115.7625 - 100 = 31.525, MOIC = 1.31525. The value
    # earns 10% and is marked at that, so the IRR is 10%:
    # -100 + 5/1.1 + 5.25/1.1^2 + (5.5125 + 115.7625)/1.1^3 = -100 + 4.5454.. + 4.3388.. + 91.1157..
    f = fund(**{"return": {"rate": 0.10}}, payout=0.5, term_years=5)
    r = run(scenario({"f": f}, years=3, discount_rate=0.05))
    v = r.summary["vehicles"]["f"]
    assert v["terminal_value"] / BN == pytest.approx(115.7625, rel=1e-12)
    assert v["profit"] / BN == pytest.approx(31.525, rel=1e-12)
    assert v["moic"] == pytest.approx(1.31525, rel=1e-12)
    assert v["irr"] == pytest.approx(0.10, abs=1e-9)
    npv = -100 + 5 / 1.05 + 5.25 / 1.05**2 + (5.5125 + 115.7625) / 1.05**3
    assert v["npv"] / BN == pytest.approx(npv, rel=1e-12)
    # the parties' NPVs count only what was paid: the terminal value is nobody's receipt yet
    parties_npv = sum(p["npv"] for p in r.summary["parties"].values())
    assert parties_npv / BN == pytest.approx(npv - 115.7625 / 1.05**3, rel=1e-12)


def test_an_undefined_irr_is_null_with_a_reason_never_nan():
    # A grant passes money straight on: the vehicle's own flows are all zero.
    g = {
        "name": "g",
        "kind": "grant",
        "capital": {"contributions": [{"party": "europe", "amount_bn": 10.0, "years": 2}]},
        "waterfall": {"capital_to": "ukraine", "profit_split": {"ukraine": 1.0}},
    }
    r = run(scenario({"g": g}, years=3))
    v = r.summary["vehicles"]["g"]
    assert v["irr"] is None and v["irr_note"]
    assert v["moic"] == pytest.approx(1.0) and v["profit"] == 0.0
    json.dumps(r.summary, allow_nan=False)  # no NaN anywhere in the summary


@pytest.mark.parametrize("frequency", ["annual", "quarterly", "monthly"])
def test_base_case_irrs_agree_with_numpy_financial(frequency):
    # docs/model.md, Metrics: the batched IRR agrees with numpy_financial.irr to 1e-8.
    r = finmodel.run(finmodel.load("base", {"timeline.frequency": frequency}))
    m = r.outcome.batch.timeline.m
    assert r.summary["checks_ok"]
    for vid, v in r.summary["vehicles"].items():
        flows = vehicle_cash_flows(r.outcome, vid)[0]
        expected = npf.irr(flows)
        if np.isnan(expected):
            assert v["irr"] is None and v["irr_note"]
            continue
        assert v["irr"] is not None, (vid, v["irr_note"])
        assert v["irr"] == pytest.approx((1 + expected) ** m - 1, abs=1e-8)
