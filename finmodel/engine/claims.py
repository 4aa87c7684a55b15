"""Terminal claims: who owns the value a vehicle still holds at the horizon.

A vehicle still holding V_N at the horizon is wound up there notionally through its own
waterfall, after that period's own payments: V_N repays the capital still owed, then the
preferred return still owed, then the rest is profit. Each claim is >= 0 and at most V_N, and
they add up to V_N.
"""

from __future__ import annotations

import numpy as np

from finmodel.engine.batch import VehicleInputs
from finmodel.engine.lenders import lender_indices, lender_payments
from finmodel.engine.schedule import Schedule
from finmodel.engine.tiers import (
    Tiers,
    capital_by_party,
    payer_indices,
    pro_rata,
    rows_of,
    tiers_of,
)
from finmodel.kinds import Array, VehicleKind


def claims(v: VehicleInputs, s: Schedule) -> tuple[Array, Array]:
    """Each party's claim on the value V_N the vehicle holds at the horizon, and its profit part.

    The vehicle is wound up notionally at the horizon through its own waterfall, after that
    period's own payments: V_N repays the capital still owed (to ``capital_to``, or to each
    contributor as much as it is still owed), then the preferred return still owed (to
    ``hurdle_to``), and the rest is profit (``profit_split``). A loan's V_N is its balance:
    each lender's unpaid interest (its profit claim), then its principal. Returns two arrays
    of shape (n_scenarios or 1, n_parties); each claim is >= 0 and at most V_N, and the
    claims add up to V_N.

    Examples
    --------
    100 paid in; 10 of income paid, 98 still held at the horizon: 98 repays capital, so
    there is no profit to claim (income_split, capital to party 0, profit to party 1).

    >>> from finmodel.kinds import Basis, FeeBasis
    >>> z, one = np.zeros((1, 1)), np.ones((1, 1))
    >>> v = VehicleInputs("f", VehicleKind.fund, Basis.income_split,
    ...     contributions=np.array([[[100.0, 0, 0], [0, 0, 0]]]), deploy_target=np.ones((1, 3)),
    ...     release_share=np.zeros((1, 3)), return_rate=np.zeros((1, 3)), cash_rate=z,
    ...     payout=one, term=np.array([9]), fee_rate=z, fee_basis=FeeBasis.committed,
    ...     fee_to=np.array([[1.0, 0]]), hurdle_rate=z, hurdle_to=np.array([[1.0, 0]]),
    ...     capital_to=np.array([[1.0, 0]]), profit_split=np.array([[0, 1.0]]))
    >>> s = Schedule(np.array([[100.0, 0, 0]]), np.zeros((1, 3)), np.array([[0, 5.0, 5.0]]),
    ...              np.zeros((1, 3)), np.array([[0, 5.0, 5.0]]), np.array([[100.0, 100, 98]]))
    >>> [x.tolist() for x in claims(v, s)]
    [[[98.0, 0.0]], [[0.0, 0.0]]]
    """
    value = s.terminal_value  # (n,)
    n, n_parties = value.shape[0], v.contributions.shape[1]
    if v.kind is VehicleKind.stream or not np.any(value):
        return np.zeros((n, n_parties)), np.zeros((n, n_parties))
    if v.kind is VehicleKind.loan:
        assert v.opening is not None  # a loan's, which compile sets
        lenders = lender_indices(v)
        _, _, left = lender_payments(
            v.opening[:, lenders], v.contributions[:, lenders], s.return_, s.distribution
        )
        owed = np.zeros((left.shape[0], n_parties, 2))
        owed[:, lenders] = left
        unpaid = owed[:, :, 1]
        to_interest = np.minimum(value, unpaid.sum(axis=1))
        interest = to_interest[:, None] * pro_rata(unpaid)
        principal = (value - to_interest)[:, None] * pro_rata(owed[:, :, 0])
        return interest + principal, interest
    t = tiers_of(v, s)
    capital = np.minimum(value, np.maximum(t.owed_capital, 0.0))
    pref = np.minimum(value - capital, np.maximum(t.owed_pref, 0.0))
    profit = value - capital - pref
    gains = pref[:, None] * rows_of(v.hurdle_to, n) + profit[:, None] * rows_of(v.profit_split, n)
    return capital[:, None] * _capital_shares(v, t) + gains, gains



def _capital_shares(v: VehicleInputs, t: Tiers) -> Array:
    """Who a notional repayment of capital after the last period goes to: ``capital_to``, or
    each contributor in proportion to what it is still owed; (n_scenarios, n_parties)."""
    n = t.capital.shape[0]
    if v.capital_to is not None:
        return rows_of(v.capital_to, n)
    paid = rows_of(v.contributions.sum(axis=2), n)
    payers = payer_indices(v.contributions)
    if len(payers) <= 1:
        return pro_rata(paid)
    owed = np.zeros_like(paid)
    owed[:, payers] = capital_by_party(v.contributions[:, payers], t.capital)[1]
    return np.where(owed.sum(axis=1, keepdims=True) > 0, pro_rata(owed), pro_rata(paid))
