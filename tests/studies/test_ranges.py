"""The tornado's default ranges by kind of input, each with its reason (issue 13, point 6)."""

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import assumption_dicts, validated

import finmodel
from finmodel.studies.ranges import FX_BANDS, RATE_POINTS
from finmodel.studies.tornado import ranges_with_reasons, tornado


def test_the_base_ranges_and_their_reasons():
    r = ranges_with_reasons(finmodel.load("base"))
    # EUR/USD 1.16 moves over the ECB reference rate's decade range, not +-50% (0.58..1.74)
    assert (r["fx.EUR.rate"].low, r["fx.EUR.rate"].high) == (0.95, 1.26)
    assert "ECB" in r["fx.EUR.rate"].reason
    # the loan rate 5% by two points: 3% and 7% - but the file's table sets [0.03, 0.07] itself
    assert r["vehicles.world_bank_package.loan.rate"].reason == "the file's tornado table"
    assert r["vehicles.us_led_fund.cash_rate"].low == pytest.approx(0.01)  # 3% - 2 points
    assert r["pool.allocation.0.amount_bn"].reason == "amount +- 50%"


def test_a_range_set_in_the_file_wins_and_says_so():
    a = finmodel.load("base", {"tornado": {"fx.EUR.rate": [1.0, 1.2]}})
    t = tornado(a).table
    row = t[t.key == "fx.EUR.rate"].iloc[0]
    assert (row.low, row.high, row.reason) == (1.0, 1.2, "the file's tornado table")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assumption_dicts(max_vehicles=3, max_years=12))
def test_every_default_range_has_a_reason_and_stays_in_its_kind_s_bounds(d):
    a = validated(d)
    for key, r in ranges_with_reasons(a).items():
        assert r.reason
        parts = key.split(".")
        if key == "discount_rate" or (parts[-1] in ("rate", "cash_rate") and parts[0] != "fx"):
            # two points either side at most (an end moved back only comes closer)
            assert r.high - r.low <= 2 * RATE_POINTS + 1e-12
        if parts[0] == "fx" and parts[1] in FX_BANDS:
            band, value = FX_BANDS[parts[1]], a.fx[parts[1]].rate
            assert min(band.low, value) <= r.low and r.high <= max(band.high, value)
