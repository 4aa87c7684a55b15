"""Published figures the defaults must match: a test fails if a default drifts from its source.

Each expected value is the published figure, with its source in the comment; the arithmetic
that turns it into the model's unit is written out.
"""

from __future__ import annotations

import pytest

import finmodel

EUR, GBP, CHF = 1.16, 1.32, 1.24


def _usd(holding) -> float:
    return holding.amount_bn * {"EUR": EUR, "GBP": GBP, "CHF": CHF, "USD": 1.0}[holding.currency]


def test_pool_is_nearly_300bn_with_5bn_in_the_us():
    # Carnegie Politika, March 2025: "Of the nearly $300 billion in frozen Russian reserves,
    # only $5 billion is held in the United States, with over $210 billion trapped in the EU".
    a = finmodel.load("base")
    total = sum(_usd(h) for h in a.pool.holdings)
    assert 290 <= total <= 300
    us = next(h for h in a.pool.holdings if h.id == "united_states")
    assert _usd(us) == pytest.approx(5.0, abs=0.1)
    eu = sum(
        _usd(h) for h in a.pool.holdings if h.id in ("euroclear", "france_banks", "belgium_banks")
    )
    assert eu > 210


def test_windfall_share_is_the_share_that_reached_ukraine_in_2025():
    # Euroclear via Belga/Report.az (Feb 2026) and the Commission (Aug 2025): about EUR 3.0bn
    # (1.6bn Jul 2025 + 1.4bn early 2026) of EUR 5.0bn of 2025 interest reached the EU for
    # Ukraine: 3.0 / 5.0 = 0.60.
    split = finmodel.load("status_quo").vehicles["frozen_euroclear"].waterfall.profit_split
    assert split["ukraine"] == pytest.approx(3.0 / 5.0)


def test_windfall_share_lies_between_2024s_and_the_regulations_arithmetic():
    # Odessa Journal quoting Euroclear (5 Feb 2025): EUR 6.9bn of 2024 interest; EUR 1.55bn
    # paid in Jul 2024 and about EUR 2bn in Mar 2025: 3.55 / 6.9 = 0.5145. The regulation's
    # upper bound: 25% Belgian tax, then 10% retained: 0.75 x 0.9 = 0.675.
    share = finmodel.load("status_quo").vehicles["frozen_euroclear"].waterfall.profit_split
    assert 3.55 / 6.9 <= share["ukraine"] <= 0.75 * 0.9


@pytest.mark.parametrize(("need", "amount"), [("rdna4", 524), ("rdna5", 588)])
def test_rdna_totals(need, amount):
    # RDNA4 (World Bank et al., 25 Feb 2025): "$524 billion" over the next decade; RDNA5
    # (23 Feb 2026): "about $588 billion ... over the next decade".
    needs = {n.id: n for n in finmodel.load("base").needs}
    assert (needs[need].amount_bn, needs[need].currency, needs[need].years) == (amount, "USD", 10)


def test_reparations_loan_is_165bn_of_which_140_from_euroclear_and_45bn_repays_era():
    # Politico via Babel.ua and UNN (3 Dec 2025): "a possible EUR 165 billion reparations loan:
    # EUR 25 billion ... in private bank accounts across the EU, and EUR 140 billion held at
    # Euroclear"; "EUR 45 billion will be used to repay the loan that the G7 provided".
    a = finmodel.load("reparations_loan")
    lent = a.vehicles["reparations_loan_to_ukraine"].capital.contributions
    assert sum(c.amount_bn for c in lent) == 165
    assert all(c.currency == "EUR" for c in lent)
    era = a.vehicles["era_repayment"].capital.contributions
    assert [(c.amount_bn, c.currency) for c in era] == [(45, "EUR")]
    # 140 + 25 + 45 = 210: the Euroclear and other EU bank holdings the EU borrows at 0%
    holdings = {h.id: h.amount_bn for h in a.pool.holdings}
    assert holdings["euroclear"] + holdings["france_banks"] + holdings["belgium_banks"] == 210
    debt = a.vehicles["euroclear_debt"]
    assert debt.loan.rate == 0.0  # "a customised debt contract with Euroclear at 0% per annum"
    assert sum(c.amount_bn for c in debt.capital.contributions) == 210


def test_reparations_loan_covers_the_eur_90bn_of_2026_27_first():
    # European Council, 18 Dec 2025: "a loan to Ukraine of EUR 90 billion for the years
    # 2026-2027" (two-thirds of the EUR 137bn need the reparations loan was sized for).
    first = finmodel.load("reparations_loan").vehicles["reparations_loan_to_ukraine"]
    c = first.capital.contributions[0]
    assert (c.amount_bn, c.start_year, c.years) == (90, 0, 2)


def test_zaporizhzhia_capacity_is_six_950mw_units():
    # Reuters factbox (IAEA database), 4 Mar 2022: "Six units each have a net capacity of 950
    # Megawatts electric, or a total of 5.7 Gigawatts electric".
    energy = finmodel.load("base").vehicles["znpp_output"].stream.energy
    assert energy.capacity_gw == pytest.approx(6 * 0.950)
