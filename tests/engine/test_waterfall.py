"""The waterfall: who receives each distribution (docs/model.md, The waterfall), worked by hand.

Amounts in USD bn unless the test calls :func:`finmodel.engine.tiers.tiers` directly on arrays.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from strategies import BN, fund, run, scenario

from finmodel.engine.tiers import income_tiers, tiers
from finmodel.inputs.models.scenario import Assumptions, Inconsistent

NO_HURDLE = np.zeros((1, 1))


def _tiers(c, d, h=0.0):
    t = tiers(np.array([c], dtype=float), np.array([d], dtype=float), np.full((1, 1), h))
    return t.capital[0].tolist(), t.hurdle[0].tolist(), t.profit[0].tolist()


def _running_max_profit(c, d):
    """Cumulative profit tier of docs/model.md, The waterfall: max(0, max_{j<=k} (cumsum D - cumsum
    C))."""
    excess = np.cumsum(np.asarray(d, float) - np.asarray(c, float), axis=-1)
    return np.maximum.accumulate(np.maximum(excess, 0.0), axis=-1)


def _flows(r, vid="f"):
    """{(flow, party): USD bn} over all periods."""
    f = r.flows[r.flows.vehicle == vid]
    return {k: v / BN for k, v in f.groupby(["flow", "party"])["amount_usd"].sum().items()}


# --- capital_first without a hurdle: the running maximum -----------------------------------------


def test_capital_first_loss_then_recovery_matches_the_running_max():
    # Paid 100, got 120 back (20 profit), paid 50 more, then 20 and 60 back.
    # cumsum(D) - cumsum(C) = -100, 20, -30, -10, 50  ->  running max floored at 0:
    # P = 0, 20, 20, 20, 50, so the profit tier is 0, 20, 0, 0, 30 and the rest repays capital.
    c, d = [100, 0, 50, 0, 0], [0, 120, 0, 20, 60]
    capital, hurdle, profit = _tiers(c, d)
    assert profit == pytest.approx([0, 20, 0, 0, 30], abs=1e-12)
    assert capital == pytest.approx([0, 100, 0, 20, 30], abs=1e-12)
    assert hurdle == [0.0] * 5
    assert np.cumsum(profit) == pytest.approx(_running_max_profit(c, d).tolist(), abs=1e-12)


def test_capital_first_profit_paid_before_a_later_loss_is_not_clawed_back():
    # Paid 100, got 120 (20 profit), paid 50 more, got only 40 back: the vehicle made
    # 160 - 150 = 10 overall, but the running max keeps the 20 already paid as profit, and the
    # capital receiver gets 100 + 40 = 140 of its 150.
    c, d = [100, 0, 50, 0], [0, 120, 0, 40]
    capital, _, profit = _tiers(c, d)
    assert profit == pytest.approx([0, 20, 0, 0], abs=1e-12)
    assert capital == pytest.approx([0, 100, 0, 40], abs=1e-12)
    assert np.cumsum(profit)[-1] == pytest.approx(_running_max_profit(c, d)[-1], abs=1e-12)


# --- capital_first with a hurdle ------------------------------------------------------------------


def test_hurdle_compounds_on_outstanding_capital_and_unpaid_preferred_return():
    # h = 10%: period 1 accrues 10 on 100; the 10 paid repays capital (90 left).
    # Period 2 accrues 10% of (90 capital + 10 unpaid) = 10, so 20 is owed; of the 120 paid,
    # 90 repays capital, 20 the preferred return, 10 is profit.
    capital, hurdle, profit = _tiers([100, 0, 0], [0, 10, 120], h=0.10)
    assert capital == pytest.approx([0, 10, 90], abs=1e-12)
    assert hurdle == pytest.approx([0, 0, 20], abs=1e-12)
    assert profit == pytest.approx([0, 0, 10], abs=1e-12)


def test_hurdle_not_fully_covered_leaves_no_profit():
    # 8% on 100 for one period is 8; only 5 is left after capital: all of it is hurdle.
    capital, hurdle, profit = _tiers([100, 0], [0, 105], h=0.08)
    assert (capital, hurdle, profit) == ([0, 100], [0, pytest.approx(5.0)], [0, 0])


def test_fund_with_an_8_percent_hurdle_annual():
    # 100 at 15% for 3 years, all reinvested: D_3 = 100 x 1.15^3 = 152.0875. The preferred
    # return compounds at 8% on capital that is never repaid before the term:
    # 100 x (1.08^3 - 1) = 25.9712, to Europe; profit 152.0875 - 100 - 25.9712 = 26.1163.
    f = fund(**{"return": {"rate": 0.15}}, term_years=3)
    f["waterfall"]["hurdle"] = {"rate": 0.08, "to": "europe"}
    r = run(scenario({"f": f}, years=3))
    flows = _flows(r)
    assert flows[("capital_return", "ukraine")] == pytest.approx(100.0, rel=1e-12)
    assert flows[("hurdle", "europe")] == pytest.approx(25.9712, rel=1e-12)
    assert flows[("profit", "us")] == pytest.approx(26.1163 / 2, rel=1e-12)
    assert flows[("profit", "ukraine")] == pytest.approx(26.1163 / 2, rel=1e-12)
    assert r.summary["parties"]["europe"]["by_vehicle"]["f"]["profit_received"] / BN == (
        pytest.approx(25.9712, rel=1e-12)
    )


def test_fund_with_an_8_percent_hurdle_quarterly_compounds_to_the_annual_rate():
    # Quarterly, the hurdle is 1.08^(1/4) - 1 a quarter: after 4 quarters exactly 8 is owed
    # on 100. The fund earns 15% a year and pays 115 at its 1-year term: 100 capital, 8 hurdle,
    # 7 profit.
    f = fund(**{"return": {"rate": 0.15}}, term_years=1)
    f["waterfall"]["hurdle"] = {"rate": 0.08, "to": "europe"}
    r = run(scenario({"f": f}, years=1, frequency="quarterly"))
    flows = _flows(r)
    assert flows[("hurdle", "europe")] == pytest.approx(8.0, rel=1e-12)
    assert flows[("profit", "us")] + flows[("profit", "ukraine")] == pytest.approx(7.0, rel=1e-12)


def test_the_fee_goes_to_its_party_and_the_hurdle_to_hurdle_to():
    # 1% a year on committed to the manager; 8% hurdle to Europe; nobody else gets either.
    f = fund(**{"return": {"rate": 0.12}}, payout=0.5, term_years=3,
             fee={"rate": 0.01, "basis": "committed", "to": "manager"})  # fmt: skip
    f["waterfall"]["hurdle"] = {"rate": 0.08, "to": "europe"}
    r = run(scenario({"f": f}, years=3))
    kinds = r.flows.query("vehicle == 'f'").groupby("flow")["party"].unique()
    assert kinds["fee"].tolist() == ["manager"]
    assert kinds["hurdle"].tolist() == ["europe"]
    # fee: 1% of 100 in each of 3 years
    assert _flows(r)[("fee", "manager")] == pytest.approx(3.0, rel=1e-12)


def test_hurdle_party_can_receive_less_when_the_return_rises():
    # Not a bug: a genuine property of a preferred return. With payout 1 and an 8% hurdle to
    # Europe (which gets no profit share), a higher return repays capital sooner, so less
    # preferred return accrues.
    # r = 10%: D = 10, 10, 110. Owed: 8; then 8% of (90 + 8) = 7.84 -> 15.84; then 8% of
    #          (80 + 15.84) = 7.6672 -> 23.5072, all paid at the term.
    # r = 20%: D = 20, 20, 120. Owed: 8; then 8% of (80 + 8) = 7.04 -> 15.04; then 8% of
    #          (60 + 15.04) = 6.0032 -> 21.0432.
    got = {}
    for rate in (0.10, 0.20):
        f = fund(**{"return": {"rate": rate}}, payout=1.0, term_years=3)
        f["waterfall"]["hurdle"] = {"rate": 0.08, "to": "europe"}
        got[rate] = _flows(run(scenario({"f": f}, years=3)))[("hurdle", "europe")]
    assert got[0.10] == pytest.approx(23.5072, rel=1e-12)
    assert got[0.20] == pytest.approx(21.0432, rel=1e-12)


# --- income_split ---------------------------------------------------------------------------------


def test_income_split_with_a_loss_at_liquidation_reduces_the_capital_repaid():
    # +10% then -50%, all income paid: year 1 pays 10 of income (split 50/50 as paid);
    # year 2 loses 50 and the term pays the 50 left, all of it capital (to Russia): the loss
    # comes out of capital, not out of the income already paid.
    f = fund(**{"return": {"path": [0.1, -0.5]}}, payout=1.0, term_years=2)
    f["waterfall"] = {"basis": "income_split", "capital_to": "russia",
                      "profit_split": {"us": 0.5, "ukraine": 0.5}}  # fmt: skip
    r = run(scenario({"f": f}, years=2))
    flows = _flows(r)
    assert flows == pytest.approx(
        {
            ("contribution", "russia"): -100.0,
            ("income", "us"): 5.0,
            ("income", "ukraine"): 5.0,
            ("capital_return", "russia"): 50.0,
        },
        rel=1e-12,
    )


def test_income_split_with_a_gain_at_liquidation():
    # +10% then +20%, half paid: year 1 income 5 (value 105). The term pays 105 x 1.2 = 126:
    # first the year's income, as in every year: half of 21 = 10.5 (5.25 each); then the
    # liquidation's 115.5: 100 capital to Russia, 15.5 profit split 50/50 (7.75 each).
    f = fund(**{"return": {"path": [0.1, 0.2]}}, payout=0.5, term_years=2)
    f["waterfall"] = {"basis": "income_split", "capital_to": "russia",
                      "profit_split": {"us": 0.5, "ukraine": 0.5}}  # fmt: skip
    flows = _flows(run(scenario({"f": f}, years=2)))
    assert flows[("income", "us")] == pytest.approx(2.5 + 5.25, rel=1e-12)
    assert flows[("capital_return", "russia")] == pytest.approx(100.0, rel=1e-12)
    assert flows[("profit", "ukraine")] == pytest.approx(7.75, rel=1e-12)


def test_income_split_pays_the_terms_income_before_the_liquidation_absorbs_a_loss():
    # The convention at the term: that period's income is split as income, like every
    # period's; only what is paid beyond it is the liquidation, capital first.
    # -10% then +10%, all income paid, term 2: year 1 loses 10 (value 90, no income); year 2
    # earns 9, paid as income (4.5 each); the liquidation pays the 90 left, all capital
    # (losses reduce the capital repaid): Russia 90, no profit.
    f = fund(**{"return": {"path": [-0.1, 0.1]}}, payout=1.0, term_years=2)
    f["waterfall"] = {"basis": "income_split", "capital_to": "russia",
                      "profit_split": {"us": 0.5, "ukraine": 0.5}}  # fmt: skip
    flows = _flows(run(scenario({"f": f}, years=2)))
    assert flows == pytest.approx(
        {
            ("contribution", "russia"): -100.0,
            ("income", "us"): 4.5,
            ("income", "ukraine"): 4.5,
            ("capital_return", "russia"): 90.0,
        },
        rel=1e-12,
    )


def test_income_tiers_directly():
    # 100 in; 5 of income; at the term (period 2) 95 back, none of it income (the period
    # lost money): capital repaid is 95, not 100.
    t = income_tiers(np.array([[100.0, 0, 0]]), np.array([[0, 5.0, 95.0]]), np.array([2]),
                     np.array([[0, 5.0, 0.0]]))  # fmt: skip
    assert t.profit.tolist() == [[0.0, 5.0, 0.0]]
    assert t.capital.tolist() == [[0.0, 0.0, 95.0]]
    assert t.owed_capital.tolist() == [5.0]


_GRANT = {
    "name": "g",
    "kind": "grant",
    "capital": {"contributions": [{"party": "europe", "amount_bn": 10.0, "years": 2}]},
    "waterfall": {"basis": "income_split", "capital_to": "ukraine", "profit_split": {"us": 1.0}},
}
_RELEASE = {
    "name": "r",
    "kind": "release",
    "capital": {"from": "pool"},
    "release": {"years": 2},
    "cash_rate": 0.05,
    "waterfall": {
        "basis": "income_split",
        "capital_to": "russia",
        "profit_split": {"ukraine": 1.0},
    },
}


@pytest.mark.parametrize("vehicle", [_GRANT, _RELEASE], ids=["grant", "release"])
def test_income_split_is_refused_for_a_grant_or_a_release(vehicle):
    # A grant or a release passes capital on to capital_to; income_split would pay that capital
    # to profit_split as income. The file is refused with a message naming the field.
    with pytest.raises(Inconsistent) as refused:
        Assumptions.model_validate(scenario({"v": vehicle}, years=3))
    assert [(".".join(map(str, path)), m) for path, m in refused.value.found] == [
        ("vehicles.v.waterfall.basis", f"a {vehicle['kind']} passes capital on to capital_to: "
         "use capital_first")
    ]  # fmt: skip


def test_capital_to_defaults_to_the_contributors_pro_rata():
    # Europe pays 75 and the US 25 at period 0; 10% for one year: 110 back, 75 and 25 of it
    # capital to each, 10 profit to Ukraine.
    f = fund(capital={"contributions": [{"party": "europe", "amount_bn": 75.0},
                                        {"party": "us", "amount_bn": 25.0}]},
             **{"return": {"rate": 0.1}}, term_years=1)  # fmt: skip
    f["waterfall"] = {"profit_split": {"ukraine": 1.0}}
    flows = _flows(run(scenario({"f": f}, years=1)))
    assert flows[("capital_return", "europe")] == pytest.approx(75.0, rel=1e-12)
    assert flows[("capital_return", "us")] == pytest.approx(25.0, rel=1e-12)
    assert flows[("profit", "ukraine")] == pytest.approx(10.0, rel=1e-12)


def test_capital_is_returned_by_money_paid_in_not_by_commitment():
    # Issue 10, part 4: `a` pays 50 at period 0, `b` 50 at period 2; all deployed at once,
    # 10% a year, all income paid (capital first), term 4, profit to Europe. By hand:
    # k1: R = 5, D = 5: all capital, all to a (b has paid nothing): a is owed 45.
    # k2: b pays 50; R = 5 (on a's 50), D = 5 of capital: a 45/95 x 5 = 45/19, b 50/19.
    #     owed: a 45 - 45/19 = 810/19, b 50 - 50/19 = 900/19 (90 in all).
    # k3: R = 10, D = 10 of capital: a 10 x (810/19)/90 = 90/19, b 100/19; owed a 720/19,
    #     b 800/19 (80 in all).
    # k4 (term): D = 110: capital 80 (a 720/19, b 800/19), profit 30 to Europe.
    f = fund(capital={"contributions": [{"party": "us", "amount_bn": 50.0},
                                        {"party": "ukraine", "amount_bn": 50.0,
                                         "start_year": 2}]},
             **{"return": {"rate": 0.10}}, payout=1.0, term_years=4,
             waterfall={"profit_split": {"europe": 1.0}})  # fmt: skip
    r = run(scenario({"f": f}, years=4))
    got = r.flows.query("vehicle == 'f' and flow == 'capital_return'")
    by = got.pivot_table(index="period", columns="party", values="amount_usd", fill_value=0.0)
    by = by.reindex(range(5), fill_value=0.0) / BN
    assert by["us"].tolist() == pytest.approx([0, 5, 45 / 19, 90 / 19, 720 / 19], rel=1e-12)
    assert by["ukraine"].tolist() == pytest.approx([0, 0, 50 / 19, 100 / 19, 800 / 19],
                                                   rel=1e-12, abs=1e-12)  # fmt: skip
    # each gets back exactly what it paid in, and the profit is the fund's
    assert by.sum().to_dict() == pytest.approx({"us": 50.0, "ukraine": 50.0}, rel=1e-12)
    assert _flows(r)[("profit", "europe")] == pytest.approx(30.0, rel=1e-12)
    assert r.summary["checks_ok"]


# --- properties of the tiers on arbitrary flows ---------------------------------------------------

_amounts = arrays(
    np.float64,
    st.integers(1, 30),
    elements=st.one_of(st.just(0.0), st.integers(0, 10**6).map(lambda k: k / 100)),
)


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_tiers_add_up_and_follow_the_running_max(data):
    d = data.draw(_amounts)
    c = data.draw(
        arrays(np.float64, d.shape, elements=st.integers(0, 10**6).map(lambda k: k / 100))
    )
    h = data.draw(st.integers(0, 2000).map(lambda k: k / 10_000))
    flat = tiers(c[None], d[None], NO_HURDLE)
    hurdled = tiers(c[None], d[None], np.full((1, 1), h))
    tol = 1e-9 * max(1.0, d.sum(), c.sum())
    for t in (flat, hurdled):
        # every distribution is split into its tiers, none negative
        np.testing.assert_allclose(t.capital + t.hurdle + t.profit, d[None], atol=tol)
        assert (t.capital >= -tol).all() and (t.hurdle >= -tol).all() and (t.profit >= -tol).all()
        # capital repaid never exceeds capital paid in
        assert (np.cumsum(t.capital) <= np.cumsum(c) + tol).all()
    # without a hurdle: cumulative profit = max(0, running max of cumsum(D) - cumsum(C))
    np.testing.assert_allclose(np.cumsum(flat.profit), _running_max_profit(c, d), atol=tol)
    # a hurdle sits between capital and profit: it takes from profit, never from capital
    np.testing.assert_allclose(hurdled.capital, flat.capital, atol=tol)
    np.testing.assert_allclose(hurdled.hurdle + hurdled.profit, flat.profit, atol=tol)


def test_the_tiers_refuse_a_nan_or_infinite_input():
    c, d, h = np.array([[100.0, 0, 0]]), np.array([[0, 30.0, 90.0]]), np.zeros((1, 1))
    for args, name in (
        ((np.array([[100.0, np.nan, 0]]), d, h), "contributions"),
        ((c, np.array([[0, np.inf, 90.0]]), h), "distributions"),
        ((c, d, np.full((1, 1), np.nan)), "hurdle rate"),
    ):
        with pytest.raises(ValueError, match=f"{name}: a NaN or infinite value"):
            tiers(*args)
