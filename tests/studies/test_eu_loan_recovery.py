"""The EU's EUR 90bn loan recovered from the immobilised cash balances, per reading (issue 12).

Where the assets stay immobilised (status quo-like readings) the EU takes EUR 45bn (50%, the
tornado table's 20-80%) from Euroclear's balances as the loan is paid out in 2026-27; where
they are transferred or released, or lent on (the reparations loan), nothing is recovered and
Europe bears the loan.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.studies.compare import compare
from finmodel.studies.tornado import tornado

BN = 1e9
EUR = 1.16
KEY = "pool.allocation.0.amount_bn"


def _run(name, **overrides):
    return finmodel.run(finmodel.load(name, overrides or None))


@pytest.fixture(scope="module")
def status_quo():
    return _run("status_quo")


def test_status_quo_europe_recovers_half_of_the_loan_by_hand(status_quo):
    # EUR 45bn x 1.16 = USD 52.2bn from Euroclear's balances, 26.1bn at the end of 2026 and of
    # 2027: worth 26.1 / 1.04 + 26.1 / 1.04^2 = 25.096154 + 24.130917 = 49.227071bn to Europe
    s = status_quo.summary
    sched = status_quo.outcome.schedules["eu_loan_recovery"]
    assert (sched.distribution[0][:4] / BN).round(9).tolist() == [0.0, 26.1, 26.1, 0.0]
    europe = s["parties"]["europe"]["by_vehicle"]["eu_loan_recovery"]
    assert europe["received"] / BN == pytest.approx(52.2, abs=1e-9)
    assert europe["npv"] / BN == pytest.approx(26.1 / 1.04 + 26.1 / 1.04**2, abs=1e-9)
    assert s["pool"]["uses"][0] == {
        "use": "eu_loan_recovery", "amount": pytest.approx(52.2 * BN, abs=1e-3),
        "by_holding": {"euroclear": pytest.approx(52.2 * BN, abs=1e-3)},
    }
    assert s["checks_ok"]


def test_status_quo_russia_loses_the_recovery_from_its_claim(status_quo):
    # Russia's NPV without claims does not move (it has no access to the balances either way);
    # its claim at the horizon is 52.2bn smaller: with claims valued at 0.3 and discounted 30
    # years at 4%, -0.3 x 52.2 / 1.04^30 = -4.828bn
    none = _run("status_quo", **{KEY: 0.0}).summary["parties"]["russia"]
    russia = status_quo.summary["parties"]["russia"]
    assert russia["npv"] == pytest.approx(none["npv"], abs=1e-3)
    assert russia["terminal_claim"] - none["terminal_claim"] == pytest.approx(-52.2 * BN, abs=1)
    change = russia["npv_with_claims"] - none["npv_with_claims"]
    assert change / BN == pytest.approx(-0.3 * 52.2 / 1.04**30, abs=1e-9)


@pytest.mark.parametrize("name", ["geneva_19_point", "development_package_800bn",
                                  "znpp_three_way", "znpp_us_ukraine_jv"])  # fmt: skip
def test_immobilised_readings_recover_as_the_status_quo(name):
    europe = _run(name).summary["parties"]["europe"]["by_vehicle"]["eu_loan_recovery"]
    assert europe["received"] / BN == pytest.approx(45 * EUR, abs=1e-9)


@pytest.mark.parametrize("name", ["reparations_loan", "literal", "assets_returned_to_russia",
                                  "foreign_policy"])  # fmt: skip
def test_transferred_released_or_lent_readings_recover_nothing(name):
    # the reparations loan lends the cash on (its EUR 90bn are its own tranches); the plan's
    # readings transfer or release the balances: Europe bears its EUR 90bn grant in full
    r = _run(name)
    assert "eu_loan_recovery" not in r.outcome.schedules
    europe = r.summary["parties"]["europe"]["by_vehicle"]
    if name != "reparations_loan":
        assert europe["eu_support_loan"]["paid"] / BN == pytest.approx(90 * EUR, abs=1e-9)


def test_compare_rows_equal_two_single_runs(status_quo):
    geneva = _run("geneva_19_point")
    c = compare([status_quo, geneva]).table
    rows = c[(c["scenario"] == "geneva_19_point") & (c["entity"] == "party")
             & (c["metric"] == "npv")]  # fmt: skip
    for _, row in rows.iterrows():
        alone = geneva.summary["parties"].get(row["id"], {"npv": 0.0})["npv"]
        base = status_quo.summary["parties"].get(row["id"], {"npv": 0.0})["npv"]
        assert row["value"] == pytest.approx(alone, abs=1e-3)
        assert row["change"] == pytest.approx(alone - base, abs=1e-3)


def test_tornado_bar_on_the_recovered_share_equals_single_runs():
    a = finmodel.load("status_quo")
    t = tornado(a, {KEY: (18.0, 72.0)}).table
    for value, column in ((18.0, "npv_low"), (72.0, "npv_high")):
        alone = _run("status_quo", **{KEY: value}).summary["parties"]
        for who, p in alone.items():
            got = t[(t["party"] == who) & (t["key"] == KEY)][column].item()
            assert got == pytest.approx(p["npv"], rel=1e-12, abs=1e-3)
    # the shipped table: 20-80% of EUR 90bn
    assert tuple(a.tornado[KEY]) == (18, 72)


@settings(max_examples=8, deadline=None)
@given(st.floats(0.0, 90.0, allow_nan=False))
def test_what_europe_recovers_leaves_russias_claim(eur_bn):
    # whatever the share, Europe receives it in full and Russia's claim at the horizon falls by
    # as much: the recovery plus Russia's claim is the same as with no recovery
    s = _run("status_quo", **{KEY: eur_bn}).summary
    got = s["parties"]["europe"]["by_vehicle"]["eu_loan_recovery"]["received"]
    assert got / BN == pytest.approx(eur_bn * EUR, abs=1e-9)
    none = _run("status_quo", **{KEY: 0.0}).summary["parties"]["russia"]["terminal_claim"]
    claim = s["parties"]["russia"]["terminal_claim"]
    assert claim + got == pytest.approx(none, abs=1.0)
    assert s["checks_ok"]


def test_reparations_loan_passes_the_whole_era_repayment_on():
    # EUR 45bn x 1.16 = 52.2bn at the end of 2026, once the UK's last tranche (GBP 0.752bn x
    # 1.32 = 0.99264bn) is lent: the ERA balance then is 49.58128 x 1.035 + 0.99264 = 52.3092648
    # (a year's 3.5% with no windfall to service it); Ukraine passes all 52.2 on and keeps
    # nothing; 0.1092648bn stays unpaid
    r = _run("reparations_loan")
    era = r.outcome.schedules["era_loans"]
    assert era.distribution[0, 1] / BN == pytest.approx(52.2, abs=1e-9)
    assert era.value_end[0, 1] / BN == pytest.approx(52.3092648 - 52.2, abs=1e-9)
    ukraine = r.summary["parties"]["ukraine"]["by_vehicle"]
    kept = ukraine["era_repayment"]["received"] - ukraine["era_loans"]["paid"]
    assert kept == pytest.approx(0.0, abs=1e-3)
