"""Streams (points 10a and 19) and loans (point 12f, the G7 ERA loans), on hand-worked examples.

Every expected number is worked out in the comment beside it, not taken from the code.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import BN, flows_bn, fund, loan, run, scenario, stream

CENT = 0.01


def test_a_payment_stream_runs_from_its_start_year_for_its_years():
    # 10bn a year paid by Europe to the US in years 2..4 (start_year 1, years 3), annual,
    # 5-year timeline: periods 2, 3, 4 (the ends of years 2, 3, 4).
    r = run(scenario({"comp": stream(amount_bn=10, start_year=1, years=3, payer="europe")},
                     years=5))  # fmt: skip
    assert flows_bn(r, "comp", "europe", "contribution") == [0, 0, -10, -10, -10, 0]
    assert flows_bn(r, "comp", "us", "payment") == [0, 0, 10, 10, 10, 0]
    assert r.summary["parties"]["us"]["received"] == pytest.approx(30 * BN, abs=CENT)
    assert r.summary["checks_ok"]


def test_a_ramp_delivers_the_average_of_the_ramp_over_each_period():
    # A linear ramp over 2 years from the end of year 1: year 2 averages 1/4 of full output,
    # year 3 averages 3/4, then full. 8bn a year: 2, 6, 8, 8.
    r = run(scenario({"s": stream(amount_bn=8, start_year=1, ramp_years=2)}, years=5))
    assert flows_bn(r, "s", "us", "income") == [0, 0, 2, 6, 8, 8]
    # quarterly, the same ramp over 1 year from the start: quarters average 1/8, 3/8, 5/8, 7/8
    # of full output (2bn a quarter): 0.25, 0.75, 1.25, 1.75, then 2 a quarter
    r = run(scenario({"s": stream(amount_bn=8, ramp_years=1)}, years=2, frequency="quarterly"))
    assert flows_bn(r, "s", "us", "income") == [0, 0.25, 0.75, 1.25, 1.75, 2, 2, 2, 2]


def test_a_path_in_euros_is_converted_year_by_year_and_stops_where_it_ends():
    # 1, 2 EUR bn in years 1 and 2, at 1.25 USD per EUR; nothing after the path ends
    r = run(scenario({"s": stream(path_bn=[1, 2], currency="EUR")}, years=3))
    assert flows_bn(r, "s", "us", "income") == [0, 1.25, 2.5, 0]


def test_energy_split_as_revenue_and_as_energy():
    # 1 GW at a 50% capacity factor: 1,000 MW x 8,760 h x 0.5 = 4,380,000 MWh a year.
    energy = {"capacity_gw": 1.0, "capacity_factor": 0.5, "price_per_mwh": 50.0}
    split = {"profit_split": {"russia": 0.5, "ukraine": 0.5}}
    revenue = stream(energy=energy) | {"waterfall": split}
    # revenue: 4.38e6 MWh x $50 = $219m a year, half each: $109.5m
    r = run(scenario({"znpp": revenue}, years=2))
    assert flows_bn(r, "znpp", "russia", "income") == [0, 0.1095, 0.1095]
    assert flows_bn(r, "znpp", "ukraine", "income") == [0, 0.1095, 0.1095]
    # energy: half the MWh each, Russia's valued at $20, Ukraine's at $80:
    # Russia 2.19e6 x 20 = $43.8m, Ukraine 2.19e6 x 80 = $175.2m a year
    prices = {"russia": 20.0, "ukraine": 80.0}
    by_party = energy | {"split_as": "energy", "price_per_mwh_by_party": prices}
    r = run(scenario({"znpp": stream(energy=by_party) | {"waterfall": split}}, years=2))
    assert flows_bn(r, "znpp", "russia", "income") == [0, 0.0438, 0.0438]
    assert flows_bn(r, "znpp", "ukraine", "income") == [0, 0.1752, 0.1752]
    assert r.summary["checks_ok"]


def test_an_amortising_loan_pays_interest_in_its_grace_then_equal_principal():
    # The US lends 100 at period 0, 10% a year, 1 year of grace, then 2 equal instalments:
    # year 1: interest 10; year 2: interest 10 + principal 50 = 60; year 3: 5 + 50 = 55.
    r = run(scenario({"wb": loan([{"party": "us", "amount_bn": 100}],
                                 repayment={"grace_years": 1, "years": 2})}))  # fmt: skip
    assert flows_bn(r, "wb", "us", "contribution") == [-100, 0, 0, 0]
    assert flows_bn(r, "wb", "ukraine", "disbursement") == [100, 0, 0, 0]
    assert flows_bn(r, "wb", "ukraine", "debt_service") == [0, -10, -60, -55]
    assert flows_bn(r, "wb", "us", "interest") == [0, 10, 10, 5]
    assert flows_bn(r, "wb", "us", "capital_return") == [0, 0, 50, 50]
    v = r.summary["vehicles"]["wb"]
    assert v["irr"] == pytest.approx(0.10, abs=1e-12)  # a loan at par earns its rate
    assert v["profit"] == pytest.approx(25 * BN, abs=CENT)
    assert r.summary["checks_ok"]


@pytest.mark.parametrize("frequency, m", [("annual", 1), ("quarterly", 4), ("monthly", 12)])
def test_an_annuity_loan_pays_numpy_financials_pmt_ipmt_and_ppmt(frequency, m):
    # The US lends 100 at period 0 at 8% a year, 1 year of grace (interest only), then an
    # annuity over 3 years: 3m equal payments, numpy_financial.pmt(i, 3m, -100) at the
    # per-period rate i = 1.08^(1/m) - 1; interest ipmt, principal ppmt.
    import numpy_financial as npf

    terms = {"grace_years": 1, "years": 3, "style": "annuity"}
    spec = loan([{"party": "us", "amount_bn": 100}], repayment=terms)
    spec["loan"]["rate"] = 0.08
    r = run(scenario({"wb": spec}, years=4, frequency=frequency))
    i, n = 1.08 ** (1 / m) - 1, 3 * m
    per = np.arange(1, n + 1)
    grace = [0.0] + [100 * i] * m  # period 0, then interest only
    np.testing.assert_allclose(
        flows_bn(r, "wb", "ukraine", "debt_service"), -np.array(grace + [npf.pmt(i, n, -100)] * n),
        rtol=1e-12, atol=1e-9,
    )  # fmt: skip
    np.testing.assert_allclose(flows_bn(r, "wb", "us", "interest"),
                               grace + list(npf.ipmt(i, per, n, -100)), rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(flows_bn(r, "wb", "us", "capital_return"),
                               [0.0] * (m + 1) + list(npf.ppmt(i, per, n, -100)),
                               rtol=1e-12, atol=1e-9)  # fmt: skip
    assert r.summary["vehicles"]["wb"]["irr"] == pytest.approx(0.08, abs=1e-12)
    assert r.summary["checks_ok"]


def test_repayment_style_defaults_to_equal_principal():
    # the same loan without `style`: 100 / 3 of principal a year plus interest on what is left
    r = run(scenario({"wb": loan([{"party": "us", "amount_bn": 100}],
                                 repayment={"grace_years": 0, "years": 3})}))  # fmt: skip
    assert flows_bn(r, "wb", "us", "capital_return") == pytest.approx(
        [0, 100 / 3, 100 / 3, 100 / 3], abs=1e-9
    )
    assert flows_bn(r, "wb", "us", "interest") == pytest.approx(
        [0, 10, 10 * 2 / 3, 10 / 3], abs=1e-9
    )


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([("annual", 1), ("quarterly", 4), ("monthly", 12)]),
    st.integers(0, 1500).map(lambda k: k / 10_000),
    st.integers(0, 2),
    st.integers(1, 3),
    st.integers(1, 1000).map(lambda k: k / 10),
)
def test_every_annuity_loan_matches_numpy_financial(freq, rate, grace, years, amount):
    # any rate (0-15%), grace, length and frequency: each repayment period's debt service is
    # pmt, its interest ipmt and its principal ppmt, at the per-period rate
    import numpy_financial as npf

    frequency, m = freq
    terms = {"grace_years": grace, "years": years, "style": "annuity"}
    spec = loan([{"party": "us", "amount_bn": amount}], repayment=terms)
    spec["loan"]["rate"] = rate
    r = run(scenario({"wb": spec}, years=grace + years, frequency=frequency))
    i, n = (1 + rate) ** (1 / m) - 1, years * m
    per = np.arange(1, n + 1)
    window = slice(grace * m + 1, None)
    service = -np.array(flows_bn(r, "wb", "ukraine", "debt_service"))[window]
    tol = 1e-9 * (1 + amount)  # _flows rounds to 1e-9 bn
    pmt = npf.pmt(i, n, -amount) if i > 0 else amount / n
    np.testing.assert_allclose(service, np.full(n, pmt), rtol=1e-10, atol=tol)
    if i > 0:
        np.testing.assert_allclose(np.array(flows_bn(r, "wb", "us", "interest"))[window],
                                   npf.ipmt(i, per, n, -amount), rtol=1e-10, atol=tol)
        np.testing.assert_allclose(np.array(flows_bn(r, "wb", "us", "capital_return"))[window],
                                   npf.ppmt(i, per, n, -amount), rtol=1e-10, atol=tol)  # fmt: skip
    assert r.summary["vehicles"]["wb"]["terminal_value"] == pytest.approx(0.0, abs=CENT)


def test_each_lender_earns_interest_on_its_own_money_only():
    # Issue 10, part 4: the US lends 100 at period 0, Europe 100 at period 2; 10% a year,
    # 2 years of grace, then 2 equal instalments. By hand:
    # k1: interest 10 on the US's 100, paid: all the US's.
    # k2: Europe lends 100; interest 10, still on the US's 100 only: the US's.
    # k3: interest 20 (10 on each); 200 / 2 = 100 of principal, 50 each: service 120.
    # k4: interest 10 (5 each) and the last 100 (50 each): service 110.
    # (Shares by commitment would have given Europe 5 of the interest of k1 and of k2.)
    lenders = [{"party": "us", "amount_bn": 100}, {"party": "europe", "amount_bn": 100,
                                                   "start_year": 2}]  # fmt: skip
    r = run(scenario({"wb": loan(lenders, repayment={"grace_years": 2, "years": 2})}, years=4))
    assert flows_bn(r, "wb", "ukraine", "debt_service") == [0, -10, -10, -120, -110]
    assert flows_bn(r, "wb", "us", "interest") == [0, 10, 10, 10, 5]
    assert flows_bn(r, "wb", "europe", "interest") == [0, 0, 0, 10, 5]
    assert flows_bn(r, "wb", "us", "capital_return") == [0, 0, 0, 50, 50]
    assert flows_bn(r, "wb", "europe", "capital_return") == [0, 0, 0, 50, 50]
    assert r.summary["checks_ok"]


def test_unpaid_interest_stays_its_lenders_when_another_lends_later():
    # The US lent 100 before the start, 10% a year, serviced from a stream of 5 a year; Europe
    # lends 100 at period 2. k1: interest 10, 5 paid (the US's), 5 unpaid (the US's, added to
    # its balance: 105). k2: interest 10.5 on the US's 105; Europe lends 100; 5 paid, all
    # to the US, whose unpaid interest is 5 + 10.5 - 5 = 10.5 (balance 110.5). k3: interest
    # 11.05 on the US's 110.5 and 10 on Europe's 100; unpaid: the US 10.5 + 11.05 = 21.55,
    # Europe 10: the 5 paid goes 5 x 21.55/31.55 to the US and 5 x 10/31.55 to Europe.
    windfall = stream(amount_bn=5) | {"waterfall": {"profit_split": {"ukraine": 1.0}}}
    era = loan([{"party": "us", "amount_bn": 100, "before_start": True},
                {"party": "europe", "amount_bn": 100, "start_year": 2}],
               serviced_from="windfall")  # fmt: skip
    r = run(scenario({"era": era, "windfall": windfall}, years=3))
    assert flows_bn(r, "era", "us", "interest") == pytest.approx(
        [0, 5, 5, 5 * 21.55 / 31.55], abs=1e-9
    )
    assert flows_bn(r, "era", "europe", "interest") == pytest.approx(
        [0, 0, 0, 5 * 10 / 31.55], abs=1e-9
    )
    assert sum(flows_bn(r, "era", "us", "capital_return")) == pytest.approx(0.0, abs=1e-9)
    # at the horizon the balance is owed 100 + 21.55 - 5 x 21.55/31.55 to the US and
    # 100 + 10 - 5 x 10/31.55 to Europe: their claims
    claims = {p: r.summary["parties"][p]["by_vehicle"]["era"]["terminal_claim"] / BN
              for p in ("us", "europe")}  # fmt: skip
    assert claims == pytest.approx(
        {"us": 121.55 - 5 * 21.55 / 31.55, "europe": 110 - 5 * 10 / 31.55}, rel=1e-12
    )
    assert r.summary["checks_ok"]


def test_a_loan_lent_before_the_start_is_serviced_from_what_the_borrower_receives():
    # 100 lent before the start (an opening balance, no flow), 10%, serviced by Ukraine from
    # a 30bn-a-year stream it receives. Balance: 100 -> 110 - 30 = 80 -> 88 - 30 = 58 ->
    # 63.8 - 30 = 33.8 -> 37.18 - 30 = 7.18 -> 7.898 paid in year 5, and nothing after.
    windfall = stream(amount_bn=30) | {"waterfall": {"profit_split": {"ukraine": 1.0}}}
    era = loan([{"party": "us", "amount_bn": 60, "before_start": True},
                {"party": "europe", "amount_bn": 40, "before_start": True}],
               serviced_from="windfall")  # fmt: skip
    r = run(scenario({"era": era, "windfall": windfall}, years=6))
    service = [0, -30, -30, -30, -30, -7.898, 0]
    assert flows_bn(r, "era", "ukraine", "debt_service") == service
    assert flows_bn(r, "era", "ukraine", "disbursement") == [0] * 7  # lent before the start
    # interest first: 10, 8, 5.8, 3.38, 0.718 = 27.898 in all; the US lent 60% of it
    assert sum(flows_bn(r, "era", "us", "interest")) == pytest.approx(0.6 * 27.898, abs=1e-9)
    assert sum(flows_bn(r, "era", "europe", "capital_return")) == pytest.approx(40, abs=1e-9)
    v = r.summary["vehicles"]["era"]
    assert v["contributed"] == pytest.approx(100 * BN, abs=CENT)  # the opening balance
    assert v["irr"] == pytest.approx(0.10, abs=1e-12)
    assert v["terminal_value"] == pytest.approx(0.0, abs=CENT)
    assert r.summary["checks_ok"]


def test_a_loan_repaid_sooner_earns_its_lenders_less():
    # Why a loan is kept out of the monotonicity property: serviced from a fund, a higher
    # fund return repays the loan sooner, so its lender receives less interest.
    # Fund: 100 from the pool, all income paid out each year to Ukraine (capital_to Ukraine).
    f = fund(return_={"rate": 0.0}, payout=1.0, term_years=4,
             waterfall={"capital_to": "ukraine", "profit_split": {"ukraine": 1.0}})  # fmt: skip
    f.pop("return_")
    era = loan([{"party": "us", "amount_bn": 50, "before_start": True}], serviced_from="f")
    received = []
    for rate in (0.05, 0.10):
        r = run(scenario({"f": f | {"return": {"rate": rate}}, "era": era}, years=4))
        received.append(r.summary["parties"]["us"]["received"])
    # at 5%: Ukraine receives 5 a year, exactly the interest on 50 at 10%; at the term (year
    # 4) it receives 105 and repays 5 + 50: the US receives 5 + 5 + 5 + 55 = 70.
    # at 10%: 10 a year: year 1 interest 5 + principal 5 (balance 45); year 2 4.5 + 5.5
    # (39.5); year 3 3.95 + 6.05 (33.45); year 4 3.345 + 33.45: the US receives 66.795.
    assert np.array(received) / BN == pytest.approx([70.0, 66.795], abs=1e-9)
