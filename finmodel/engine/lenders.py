"""A loan's lenders: each accrues interest on its own balance; a debt service pays interest
first, to each lender in proportion to its unpaid interest, then principal, in proportion to its
principal outstanding. Nobody receives interest or principal before lending.
"""

from __future__ import annotations

import numpy as np

from finmodel.engine.batch import VehicleInputs
from finmodel.engine.compiled import c_rows, compiled
from finmodel.engine.tiers import c_parties
from finmodel.kinds import Array


def lender_indices(v: VehicleInputs) -> list[int]:
    """The parties that lend anything, before the start or within the timeline."""
    assert v.opening is not None  # a loan's, which compile sets
    lent = np.abs(v.opening).sum(axis=0) + np.abs(v.contributions).sum(axis=(0, 2))
    return [int(p) for p in np.flatnonzero(lent)]



def lender_payments(
    opening: Array, contributions: Array, interest: Array, service: Array
) -> tuple[Array, Array, Array]:
    """Each lender's interest and capital out of a loan's debt service, and what it is owed.

    Parameters
    ----------
    opening : (1 or n_scenarios, n_parties) USD each lender lent before the start
    contributions : (1 or n_scenarios, n_parties, columns) USD each lends in each period
    interest : (1 or n_scenarios, columns) USD of interest the loan accrues (the schedule's R)
    service : (n_scenarios, columns) USD of debt service paid (the schedule's D)

    Returns
    -------
    interest_paid, capital_paid : (n_scenarios, n_parties, columns) USD each lender receives
    owed : (n_scenarios, n_parties, 2) each lender's principal and unpaid interest after the
        last period

    Notes
    -----
    Each lender's balance (principal plus unpaid interest) accrues its share of the period's
    interest, in proportion to its balance at the start of the period: interest on its own
    money only. The debt service pays interest first, to each lender in proportion to its
    unpaid interest, then principal, in proportion to its principal outstanding after the
    period's lending.

    Examples
    --------
    ``a`` lends 100 at period 0 and ``b`` 100 at period 2 at 10%: the interest of periods 1
    and 2 (10 each, all on a's money) is all a's; in period 3, 20 of interest (10 each) and
    100 of principal (50 each) are paid.

    >>> c = np.zeros((1, 2, 4)); c[0, 0, 0] = c[0, 1, 2] = 100.0
    >>> i, k, owed = lender_payments(np.zeros((1, 2)), c, np.array([[0, 10.0, 10, 20]]),
    ...                              np.array([[0, 10.0, 10, 120]]))
    >>> i[0].tolist()
    [[0.0, 10.0, 10.0, 10.0], [0.0, 0.0, 0.0, 10.0]]
    >>> k[0].tolist()
    [[0.0, 0.0, 0.0, 50.0], [0.0, 0.0, 0.0, 50.0]]
    >>> owed[0].tolist()
    [[50.0, 0.0], [50.0, 0.0]]
    """
    n, cols = service.shape
    c = c_parties(contributions, n, cols, "lent by party")
    paid_interest = np.zeros((n, c.shape[1], cols))
    paid_capital = np.zeros((n, c.shape[1], cols))
    owed = np.zeros((n, c.shape[1], 2))
    _lender_periods(
        c_rows(opening, n, c.shape[1], "opening balance"),
        c,
        c_rows(interest, n, cols, "interest accrued"),
        c_rows(service, n, cols, "debt service"),
        paid_interest,
        paid_capital,
        owed,
    )
    return paid_interest, paid_capital, owed



@compiled
def _lender_periods(opening, contrib, accrued, service, paid_interest, paid_capital, owed):
    """:func:`lender_payments`, one scenario at a time, compiled. ``owed`` (n, P, 2) holds
    each lender's principal and unpaid interest as the loop runs, and after the last period."""
    n, cols = service.shape
    n_parties = contrib.shape[1]
    weight = np.zeros(n_parties)
    for i in range(n):
        c = contrib[i if contrib.shape[0] > 1 else 0]
        r = accrued[i if accrued.shape[0] > 1 else 0]
        o = opening[i if opening.shape[0] > 1 else 0]
        for p in range(n_parties):
            owed[i, p, 0], owed[i, p, 1] = o[p], 0.0
        for k in range(cols):
            balance = 0.0
            for p in range(n_parties):
                weight[p] = owed[i, p, 0] + owed[i, p, 1]
                balance += weight[p]
            unpaid = principal = 0.0
            for p in range(n_parties):
                if balance > 0.0:
                    owed[i, p, 1] += r[k] * (weight[p] / balance)
                owed[i, p, 0] += c[p, k]
                unpaid += owed[i, p, 1]
                principal += owed[i, p, 0]
            d = service[i, k]
            to_interest = min(max(d, 0.0), max(unpaid, 0.0))
            to_capital = d - to_interest
            for p in range(n_parties):
                if to_interest != 0.0 and unpaid > 0.0:
                    x = to_interest * (owed[i, p, 1] / unpaid)
                    paid_interest[i, p, k] = x
                    owed[i, p, 1] = max(owed[i, p, 1] - x, 0.0)
                if to_capital != 0.0 and principal > 0.0:
                    x = to_capital * (owed[i, p, 0] / principal)
                    paid_capital[i, p, k] = x
                    owed[i, p, 0] = max(owed[i, p, 0] - x, 0.0)
