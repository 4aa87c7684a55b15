"""A vehicle's schedule, worked by hand (docs/model.md, Vehicles: each kind's schedule).

Amounts are in USD bn (the engine works in dollars; every line is divided by 1e9). The
schedule's rules, from docs/model.md, Vehicles: each kind's schedule and the notes of
``finmodel/engine/schedule.py``: in period k
the projects earn r on what was invested at the end of k-1 and cash earns c; the fee is charged;
the distribution is payout x (return - fee), floored at 0; fees and distributions come out of
projects first, then cash; at the term everything left is paid out.
"""

from __future__ import annotations

import numpy as np
import pytest
from strategies import BN, fund, run, scenario


def _lines(r, vid="f"):
    s = r.outcome.schedules[vid]
    return {
        "contribution": s.contribution[0] / BN,
        "deployed": s.deployed[0] / BN,
        "return": s.return_[0] / BN,
        "fee": s.fee[0] / BN,
        "distribution": s.distribution[0] / BN,
        "value_end": s.value_end[0] / BN,
    }


def _check(lines, expected):
    for name, values in expected.items():
        np.testing.assert_allclose(lines[name], values, rtol=1e-12, atol=1e-12, err_msg=name)
    # the conservation identity of section 4 on the same numbers
    total = (
        lines["contribution"].sum() + lines["return"].sum() - lines["fee"].sum()
        - lines["distribution"].sum() - lines["value_end"][-1]
    )  # fmt: skip
    assert abs(total) < 1e-11


def _flows(r, vid="f"):
    """{(flow, party): USD bn} over all periods."""
    f = r.flows[r.flows.vehicle == vid]
    return {k: v / BN for k, v in f.groupby(["flow", "party"])["amount_usd"].sum().items()}


def test_annual_fund_with_two_year_deployment_cash_drag_payout_and_term():
    # 100 at period 0; half deployed at the end of year 1 and half at the end of year 2;
    # cash earns 4%, projects 10%; half the return is paid out; liquidated at the end of year 3.
    f = fund(deployment={"years": 2}, cash_rate=0.04, **{"return": {"rate": 0.10}},
             payout=0.5, term_years=3)  # fmt: skip
    r = run(scenario({"f": f}, years=4))
    # k=1: return = cash 100 x 4% = 4; 50 deployed; pays 0.5 x 4 = 2 (from projects: 48 left,
    #      cash 54); value 102.
    # k=2: return = 48 x 10% + 54 x 4% = 4.8 + 2.16 = 6.96; the schedule completes, so the
    #      second 50 and the 6.16 the cash earned while waiting are deployed: all 56.16 (cash 0,
    #      projects 52.8 + 56.16 = 108.96); pays 3.48 (projects 105.48); value 105.48.
    # k=3: return = 105.48 x 10% = 10.548; the term pays all 105.48 + 10.548 = 116.028.
    _check(
        _lines(r),
        {
            "contribution": [100, 0, 0, 0, 0],
            "deployed": [0, 50, 56.16, 0, 0],
            "return": [0, 4, 6.96, 10.548, 0],
            "fee": [0, 0, 0, 0, 0],
            "distribution": [0, 2, 3.48, 116.028, 0],
            "value_end": [100, 102, 105.48, 0, 0],
        },
    )
    # capital first: 2 + 3.48 + 94.52 = 100 back to Ukraine, the 21.508 above it split 50/50
    flows = _flows(r)
    assert flows[("capital_return", "ukraine")] == pytest.approx(100.0, rel=1e-12)
    assert flows[("profit", "us")] == pytest.approx(21.508 / 2, rel=1e-12)
    assert flows[("profit", "ukraine")] == pytest.approx(21.508 / 2, rel=1e-12)
    assert flows[("contribution", "russia")] == pytest.approx(-100.0, rel=1e-12)


def test_quarterly_fund_pays_its_income_every_quarter():
    # 21% a year is q = 1.21^(1/4) - 1 = sqrt(1.1) - 1 a quarter. All deployed at once, all
    # income paid (payout 1): the value stays 100, each quarter pays 100q, the term (end of
    # year 1 = period 4) pays 100 + 100q.
    q = np.sqrt(1.1) - 1
    f = fund(**{"return": {"rate": 0.21}}, payout=1.0, term_years=1)
    r = run(scenario({"f": f}, years=1, frequency="quarterly"))
    _check(
        _lines(r),
        {
            "contribution": [100, 0, 0, 0, 0],
            "deployed": [100, 0, 0, 0, 0],
            "return": [0, 100 * q, 100 * q, 100 * q, 100 * q],
            "distribution": [0, 100 * q, 100 * q, 100 * q, 100 + 100 * q],
            "value_end": [100, 100, 100, 100, 0],
        },
    )


def test_a_return_path_shorter_than_the_timeline_repeats_its_last_year():
    # path [10%, 20%] on a 4-year horizon, all income paid, term past it: the value stays
    # 100; years 3 and 4 earn the path's last rate, 20% (docs/model.md). (A path_bn stream
    # does the opposite: it stops where its path ends, tests/engine/test_streams.py.)
    f = fund(**{"return": {"path": [0.1, 0.2]}}, payout=1.0, term_years=10)
    r = run(scenario({"f": f}, years=4))
    _check(_lines(r), {"return": [0, 10, 20, 20, 20], "value_end": [100] * 5})


def test_fee_on_committed_capital_goes_to_its_party():
    # 2% a year on the 100 committed, to the manager; the payout is half of return minus fee.
    # k=1: return 10, fee 2, pays 0.5 x (10 - 2) = 4; value 100 + 10 - 2 - 4 = 104.
    # k=2: return 10.4, fee 2, the term pays 104 + 10.4 - 2 = 112.4.
    f = fund(**{"return": {"rate": 0.10}}, payout=0.5, term_years=2,
             fee={"rate": 0.02, "basis": "committed", "to": "manager"})  # fmt: skip
    r = run(scenario({"f": f}, years=2))
    _check(
        _lines(r),
        {
            "return": [0, 10, 10.4],
            "fee": [0, 2, 2],
            "distribution": [0, 4, 112.4],
            "value_end": [100, 104, 0],
        },
    )
    flows = _flows(r)
    assert flows[("fee", "manager")] == pytest.approx(4.0, rel=1e-12)
    # capital 100 to Ukraine, profit 116.4 - 100 = 16.4 split 50/50
    assert flows[("profit", "us")] == pytest.approx(8.2, rel=1e-12)


def test_fee_on_nav_is_charged_on_the_value_at_the_start_of_the_period():
    # 2% a year of V_{k-1}: k=1 fee 2% x 100 = 2 (value 108); k=2 fee 2% x 108 = 2.16,
    # the term pays 108 + 10.8 - 2.16 = 116.64.
    f = fund(**{"return": {"rate": 0.10}}, term_years=2,
             fee={"rate": 0.02, "basis": "nav", "to": "manager"})  # fmt: skip
    r = run(scenario({"f": f}, years=3))
    _check(
        _lines(r),
        {
            "return": [0, 10, 10.8, 0],
            "fee": [0, 2, 2.16, 0],
            "distribution": [0, 0, 116.64, 0],
            "value_end": [100, 108, 0, 0],
        },
    )
    assert _flows(r)[("fee", "manager")] == pytest.approx(4.16, rel=1e-12)


def test_quarterly_nav_fee_compounds_to_the_annual_rate():
    # 0% return, 2% a year on NAV: the quarterly fee rate is f = 1.02^(1/4) - 1 and the value
    # after k quarters is 100 (1 - f)^k. The term (2 years) is past the 1-year horizon.
    f_q = 1.02**0.25 - 1
    f = fund(term_years=2, fee={"rate": 0.02, "basis": "nav", "to": "manager"})
    r = run(scenario({"f": f}, years=1, frequency="quarterly"))
    k = np.arange(5)
    _check(
        _lines(r),
        {
            "fee": np.where(k > 0, 100 * f_q * (1 - f_q) ** np.maximum(k - 1, 0), 0.0),
            "value_end": 100 * (1 - f_q) ** k,
            "distribution": [0, 0, 0, 0, 0],
        },
    )
    assert r.summary["vehicles"]["f"]["terminal_value"] / BN == pytest.approx(
        100 * (1 - f_q) ** 4, rel=1e-12
    )


def test_grant_passes_each_contribution_straight_on():
    # Europe pays 10bn over 2 years (5 at the ends of years 1 and 2); Ukraine receives each.
    g = {
        "name": "g",
        "kind": "grant",
        "capital": {"contributions": [{"party": "europe", "amount_bn": 10.0, "years": 2}]},
        "waterfall": {"capital_to": "ukraine", "profit_split": {"ukraine": 1.0}},
    }
    r = run(scenario({"g": g}, years=3))
    _check(
        _lines(r, "g"),
        {
            "contribution": [0, 5, 5, 0],
            "return": [0, 0, 0, 0],
            "distribution": [0, 5, 5, 0],
            "value_end": [0, 0, 0, 0],
        },
    )
    by_period = r.flows.query("vehicle == 'g'").pivot_table(
        index="period", columns="party", values="amount_usd", aggfunc="sum"
    )
    assert (by_period["europe"] / BN).tolist() == pytest.approx([-5.0, -5.0], rel=1e-12)
    assert (by_period["ukraine"] / BN).tolist() == pytest.approx([5.0, 5.0], rel=1e-12)


def test_release_over_two_years_with_interest():
    # 100 frozen at 5%, released in equal shares of what is left over 2 years:
    # k=1: interest 5, balance 105, half released: 52.5; k=2: interest 52.5 x 5% = 2.625,
    # the rest 55.125 released.
    v = {
        "name": "r",
        "kind": "release",
        "capital": {"from": "pool"},
        "release": {"years": 2},
        "cash_rate": 0.05,
        "waterfall": {"capital_to": "russia", "profit_split": {"ukraine": 1.0}},
    }
    r = run(scenario({"r": v}, years=3))
    _check(
        _lines(r, "r"),
        {
            "return": [0, 5, 2.625, 0],
            "distribution": [0, 52.5, 55.125, 0],
            "value_end": [100, 52.5, 0, 0],
        },
    )
    # capital first: Russia gets its 100 back (52.5 then 47.5); the 7.625 interest is profit
    flows = _flows(r, "r")
    assert flows[("release", "russia")] == pytest.approx(100.0, rel=1e-12)
    assert flows[("profit", "ukraine")] == pytest.approx(7.625, rel=1e-12)


def test_release_schedule_past_the_horizon_keeps_the_rest_frozen():
    # 100 released over 4 years on a 2-year timeline, no interest: 100/4 = 25 in each of
    # years 1 and 2 (1/4 of 100, then 1/3 of the 75 left), and 50 still frozen at the horizon.
    v = {
        "name": "r",
        "kind": "release",
        "capital": {"from": "pool"},
        "release": {"years": 4},
        "waterfall": {"capital_to": "russia", "profit_split": {"russia": 1.0}},
    }
    r = run(scenario({"r": v}, years=2))
    _check(_lines(r, "r"), {"distribution": [0, 25, 25], "value_end": [100, 75, 50]})


def test_term_past_the_horizon_leaves_a_terminal_value():
    # 10% a year, half paid out: the value grows 5% a year and pays 5% of the value before.
    # D = 5, 5.25, 5.5125; V_3 = 100 x 1.05^3 = 115.7625 is still in the fund at the horizon.
    f = fund(**{"return": {"rate": 0.10}}, payout=0.5, term_years=5)
    r = run(scenario({"f": f}, years=3))
    _check(
        _lines(r),
        {
            "distribution": [0, 5, 5.25, 5.5125],
            "value_end": [100, 105, 110.25, 115.7625],
        },
    )
    v = r.summary["vehicles"]["f"]
    assert v["terminal_value"] / BN == pytest.approx(115.7625, rel=1e-12)
    # the parties receive only what was distributed: 15.7625 of the 100 repays capital
    assert r.summary["parties"]["ukraine"]["received"] / BN == pytest.approx(15.7625, rel=1e-12)
    assert r.summary["parties"]["us"]["received"] == 0.0


@pytest.mark.parametrize("payout", [0.0, 1.0])
@pytest.mark.parametrize("rate", [0.0, 0.1, -0.5])
def test_one_period_fund_pays_capital_and_return_at_its_term(payout, rate):
    # One year, all deployed at period 0, liquidated at period 1: D_1 = 100 (1 + r) whatever
    # the payout (the term pays everything).
    f = fund(**{"return": {"rate": rate}}, payout=payout, term_years=1)
    r = run(scenario({"f": f}, years=1))
    _check(
        _lines(r),
        {"return": [0, 100 * rate], "distribution": [0, 100 * (1 + rate)], "value_end": [100, 0]},
    )


def test_negative_return_pays_no_income():
    # -20% then +10%, payout 1: no income in a losing year (the floor at 0), then 10% of 80.
    f = fund(**{"return": {"path": [-0.2, 0.1, 0.1]}}, payout=1.0, term_years=3)
    r = run(scenario({"f": f}, years=3))
    _check(
        _lines(r),
        {
            "return": [0, -20, 8, 8],
            "distribution": [0, 0, 8, 88],
            "value_end": [100, 80, 80, 0],
        },
    )


# --- the compiled loop's inputs --------------------------------------------------------------


def _direct_fund(return_rate, cols=4):
    """A fund built straight from arrays (the Python API below the loader): 100 at period 0,
    all deployed at once, no payout, a term past the horizon."""
    from finmodel.engine.batch import VehicleInputs
    from finmodel.kinds import Basis, FeeBasis, VehicleKind

    one, zero = np.ones((1, 1)), np.zeros((1, 1))
    contributions = np.zeros((1, 1, cols))
    contributions[0, 0, 0] = 100.0
    return VehicleInputs(
        "f", VehicleKind.fund, Basis.capital_first, contributions=contributions,
        deploy_target=np.ones((1, cols)), release_share=np.zeros((1, cols)),
        return_rate=return_rate, cash_rate=zero, payout=zero, term=np.array([cols + 1]),
        fee_rate=0.01 * one, fee_basis=FeeBasis.committed, fee_to=one, hurdle_rate=zero,
        hurdle_to=one, capital_to=None, profit_split=one,
    )  # fmt: skip


def test_a_single_rate_applies_to_every_period():
    from finmodel.engine.schedule import schedule

    # 10% a period, less the 1% fee on 100: 100, 109, 118.9, 129.79
    spread = schedule(_direct_fund(np.array([[0.10]])), 2)
    full = schedule(_direct_fund(np.full((2, 4), 0.10)), 2)
    np.testing.assert_array_equal(spread.value_end, full.value_end)
    np.testing.assert_allclose(spread.value_end[1], [100.0, 109.0, 118.9, 129.79], rtol=1e-12)


def test_a_rate_of_the_wrong_shape_is_refused_not_read_past_its_end():
    from finmodel.engine.schedule import schedule

    for bad in (np.full((2, 4), 0.1), np.full((1, 3), 0.1)):  # 2 rows for 3 scenarios; 3 periods
        with pytest.raises(ValueError, match=r"f: return rate: shape .* expected 1 or 3 rows"):
            schedule(_direct_fund(bad), 3)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_nan_or_infinite_return_is_refused(bad):
    # the compiled loop's min and max would not carry a NaN through as numpy does; validated
    # assumptions and sampled returns are always finite, so only the Python API can pass one
    from finmodel.engine.schedule import schedule

    with pytest.raises(ValueError, match="f: return rate: a NaN or infinite value"):
        schedule(_direct_fund(np.array([[0.1, 0.1, bad, 0.1]])), 1)
