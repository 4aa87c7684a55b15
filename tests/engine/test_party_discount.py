"""Party-specific discount rates (``party_discount_rates``): each party's NPV at its own cost of
capital. Worked examples in closed form, a property against a plain loop, paths that agree."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.engine.metrics import party_present_value
from finmodel.exceptions import InputError

BN = 1e9
POOL = (185 + 18 + 7) * 1.16 + 8 * 1.32 + 7.45 * 1.24 + 30 + 5.06  # USD bn, as in base.yaml


def test_russia_at_its_own_rate_discounts_only_its_claim_more():
    # status_quo: Russia pays the pool at period 0 (undiscounted at any rate) and keeps a claim
    # at year 30 worth 0.3 of it, less the EUR 45bn (52.2 USD bn) the EU takes for its loan:
    # at 13.8%, -298.458 + 0.3 x 246.258 / 1.138^30 = -296.930; everyone else keeps 4%
    one = finmodel.run(finmodel.load("status_quo")).summary["parties"]
    own = finmodel.run(
        finmodel.load("status_quo", {"party_discount_rates": {"russia": 0.138}})
    ).summary["parties"]
    assert own["russia"]["npv"] == pytest.approx(-POOL * BN, rel=1e-12)
    want = (-POOL + 0.3 * (POOL - 45 * 1.16) / 1.138**30) * BN
    assert own["russia"]["npv_with_claims"] == pytest.approx(want, rel=1e-12)
    for p in ("us", "ukraine", "europe"):
        assert own[p]["npv"] == one[p]["npv"]


def test_private_investors_at_their_required_return_are_near_zero():
    # development_package_800bn: they pay in EUR 207bn over 10 years as it is deployed and earn
    # the 10% they require; at 10% their flows are worth 0 (a vehicle earning r, discounted at
    # r, with no cash drag and no fee); at the single 4% they would show a windfall
    p = finmodel.run(finmodel.load("development_package_800bn")).summary["parties"]
    assert abs(p["private_investors"]["npv"]) < 1e-6 * 207 * 1.16 * BN
    at_4 = finmodel.run(
        finmodel.load("development_package_800bn", {"party_discount_rates": {}})
    ).summary["parties"]
    assert at_4["private_investors"]["npv"] > 100 * BN


def test_a_sweep_of_a_partys_rate_equals_single_runs():
    a = finmodel.load("status_quo", {"party_discount_rates": {"russia": 0.1}})
    sw = finmodel.sweep(a, {"party_discount_rates.russia": [0.05, 0.2]})
    for i, r in enumerate((0.05, 0.2)):
        single = finmodel.run(
            finmodel.load("status_quo", {"party_discount_rates": {"russia": r}})
        ).summary["parties"]["russia"]
        row = sw.table.iloc[i]
        assert row["russia.npv"] == pytest.approx(single["npv"], rel=1e-12)
        assert row["russia.npv_with_claims"] == pytest.approx(single["npv_with_claims"], rel=1e-12)


def test_a_rate_for_an_undeclared_party_is_bad_input():
    with pytest.raises(InputError, match="not a party"):
        finmodel.load("status_quo", {"party_discount_rates": {"rusia": 0.1}})


@settings(max_examples=60, deadline=None)
@given(
    amounts=st.lists(st.floats(-1e11, 1e11), min_size=8, max_size=8),
    rates=st.lists(st.floats(-0.5, 2.0), min_size=3, max_size=3),
)
def test_party_present_value_is_each_partys_plain_sum(amounts, rates):
    # 2 scenarios x 4 periods, 3 parties: sum_k amount_k / (1 + r_p)^k, a plain loop
    a = np.array(amounts).reshape(2, 4)
    df = np.array([[[(1 + r) ** -k for k in range(4)] for r in rates]])
    got = party_present_value(a, df)
    for s in range(2):
        for p, r in enumerate(rates):
            want = sum(a[s, k] / (1 + r) ** k for k in range(4))
            assert got[s, p] == pytest.approx(want, rel=1e-9, abs=1e-3)
    # the same rate for every party gives one value for all
    same = party_present_value(a, np.repeat(df[:, :1], 3, axis=1))
    assert np.all(same == same[:, :1])
