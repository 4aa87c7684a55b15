"""Claims valued beside the NPV (finmodel.engine.claims_value): worked examples by hand and
properties; every path (a sweep point) equals the single run."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.engine.claims_value import claims_present_value

BN = 1e9
# the pool in USD bn: Euroclear 185, French banks 18, Belgian banks 7 (EUR at 1.16), UK 8 (GBP
# at 1.32), Switzerland 7.45 (CHF at 1.24), Japan 30, US 5.06 = 298.458
POOL = (185 + 18 + 7) * 1.16 + 8 * 1.32 + 7.45 * 1.24 + 30 + 5.06
# status_quo: the EU recovers EUR 45bn of its EUR 90bn loan from Euroclear's balances
RECOVERED = 45 * 1.16


def test_status_quo_russia_values_30_percent_of_its_title_at_the_horizon():
    # Russia pays the whole pool into immobilisation at period 0 and keeps title to all but
    # the EUR 45bn (52.2 USD bn) the EU takes for its loan: with claims.recovery 0.3 and 4%
    # over 30 years, -298.458 + 0.3 x 246.258 / 1.04^30 = -298.458 + 22.778 = -275.680
    russia = finmodel.run(finmodel.load("status_quo")).summary["parties"]["russia"]
    assert russia["npv"] == pytest.approx(-POOL * BN, rel=1e-12)
    assert russia["npv_with_claims"] == pytest.approx(
        (-POOL + 0.3 * (POOL - RECOVERED) / 1.04**30) * BN, rel=1e-12
    )


def test_reparations_loan_europe_owes_what_russias_claim_on_it_is_worth():
    # the EU borrows EUR 210bn (243.6 USD bn) from Russia's cash at 0% and repays nothing within
    # the horizon: Russia's claim is 243.6, worth 0.3 x 243.6 / 1.04^30 = 22.532 today, and the
    # EU, its borrower, owes exactly that
    s = finmodel.run(finmodel.load("reparations_loan")).summary
    owed = 0.3 * 210 * 1.16 / 1.04**30 * BN
    debt = s["parties"]["russia"]["by_vehicle"]["euroclear_debt"]["terminal_claim"]
    assert debt == pytest.approx(210 * 1.16 * BN, rel=1e-12)
    europe = s["parties"]["europe"]
    own = europe["terminal_claim"] / 1.04**30  # its ERA claim, counted in full
    assert europe["npv_with_claims"] - europe["npv"] == pytest.approx(own - owed, rel=1e-9)


def test_a_sweep_of_recovery_equals_single_runs():
    a = finmodel.load("status_quo")
    sw = finmodel.sweep(a, {"claims.recovery": [0.1, 0.6]})
    for i, r in enumerate((0.1, 0.6)):
        single = finmodel.run(finmodel.load("status_quo", {"claims.recovery": r})).summary
        got = sw.table.iloc[i]["russia.npv_with_claims"]
        assert got == pytest.approx(single["parties"]["russia"]["npv_with_claims"], rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    claims=st.lists(st.floats(0, 1e12), min_size=6, max_size=6),
    recovery=st.floats(0, 1),
    rate=st.floats(-0.5, 0.5),
    loan=st.booleans(),
)
def test_claims_value_adds_up(claims, recovery, rate, loan):
    # 2 vehicles x 3 parties, owner 2. A plain loop: each claim weighted (recovery for the
    # owner, 1 otherwise); a loan's borrower (party 0 of vehicle 1) owes its weighted total.
    c = np.array(claims).reshape(1, 2, 3)
    owes = np.zeros((2, 3))
    if loan:
        owes[1, 0] = 1.0
    df = (1 + rate) ** -30
    got = claims_present_value(c, np.array([recovery]), np.array([df]), 2, owes)[0]
    want = [0.0, 0.0, 0.0]
    for v in range(2):
        weighted = [c[0, v, p] * (recovery if p == 2 else 1.0) for p in range(3)]
        for p in range(3):
            want[p] += weighted[p] * df
        if loan and v == 1:
            want[0] -= sum(weighted) * df
    # a tenth of a cent, or a few rounding steps of the money involved (claims x discount
    # factor): a borrower owing 3.2e11 less 3.2e11 keeps the rounding of the 3.2e11
    tol = max(1e-3, 8 * np.finfo(float).eps * c.sum() * max(df, 1.0) * 4)
    assert got == pytest.approx(want, rel=1e-9, abs=tol)
    # what a loan's parties hold adds up to nothing; a fund's to its weighted value
    fund = sum(c[0, 0, p] * (recovery if p == 2 else 1.0) for p in range(3)) * df
    assert got.sum() == pytest.approx(
        fund
        + (0 if loan else sum(c[0, 1, p] * (recovery if p == 2 else 1.0) for p in range(3)) * df),
        rel=1e-9,
        abs=tol,
    )
