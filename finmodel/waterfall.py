"""The waterfall: who receives each distribution of a vehicle, and who paid its contributions.

A vehicle's payments are returned as :class:`Allocation` s: a flow kind, the amounts over time
(from the parties' side: + received, - paid) and each party's share of them.

Notes
-----
``capital_first``: a distribution first repays contributed capital not yet repaid (to
``capital_to``), then the preferred return (hurdle, compounding at h on outstanding capital
and unpaid preferred return, to ``hurdle_to``), then the rest is profit split by
``profit_split``. Without a hurdle the cumulative profit is

    P_k = max(0, max_{j<=k} (sum_{i<=j} D_i - sum_{i<=j} C_i)),

a running maximum, so each party's profit is exactly its share of the vehicle's profit. The
tiers are computed period by period (capital still owed, preferred return still owed), in a
compiled loop over scenarios (:mod:`finmodel.compiled`).

``income_split``: distributions before the term are income split by ``profit_split``; the
liquidation at the term repays capital first (losses reduce it) and splits the excess.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodel.batch import VehicleInputs
from finmodel.compiled import c_rows, compiled
from finmodel.kinds import Array, Basis, Flow, VehicleKind
from finmodel.schedule import Schedule

_CAPITAL_FLOW = {
    VehicleKind.fund: Flow.capital_return,
    VehicleKind.grant: Flow.grant,
    VehicleKind.release: Flow.release,
}


@dataclass(frozen=True)
class Allocation:
    """One kind of payment of one vehicle, split among parties.

    amount : (n_scenarios, columns) USD, from the parties' side (+ received, - paid)
    shares : (n_scenarios, n_parties), each row summing to 1
    """

    vehicle: str
    flow: Flow
    amount: Array
    shares: Array

    def by_party(self) -> Array:
        """Each party's amounts, shape (n_scenarios, n_parties, columns)."""
        return self.amount[:, None, :] * self.shares[:, :, None]


@dataclass(frozen=True)
class Tiers:
    """A distribution split into its tiers, each (n_scenarios, columns)."""

    capital: Array
    hurdle: Array
    profit: Array


def tiers(contribution: Array, distribution: Array, hurdle_rate: Array) -> Tiers:
    """Split distributions capital first, then hurdle, then profit (European waterfall).

    Parameters
    ----------
    contribution, distribution : (n_scenarios, columns) USD
    hurdle_rate : (n_scenarios, 1) per-period preferred return (0 for none)

    Examples
    --------
    Paid 100, then 30 and 90 back: 100 repays capital, 20 is profit.

    >>> t = tiers(np.array([[100.0, 0, 0]]), np.array([[0, 30.0, 90.0]]), np.zeros((1, 1)))
    >>> t.capital.tolist(), t.profit.tolist()
    ([[0.0, 30.0, 70.0]], [[0.0, 0.0, 20.0]])

    With an 8% hurdle on the same flows: 8 accrues on 100 in period 1, then 8% on the 78
    outstanding (70 capital and 8 unpaid preferred return) in period 2: 6.24. Preferred
    return due 14.24, all of it paid from the 20 left after capital; 5.76 is profit.

    >>> t = tiers(np.array([[100.0, 0, 0]]), np.array([[0, 30.0, 90.0]]), np.full((1, 1), 0.08))
    >>> t.hurdle.round(10).tolist(), t.profit.round(10).tolist()
    ([[0.0, 0.0, 14.24]], [[0.0, 0.0, 5.76]])
    """
    n, cols = distribution.shape
    capital, hurdle, profit = (np.zeros((n, cols)) for _ in range(3))
    c = c_rows(contribution, n, cols, "contributions")
    d = c_rows(distribution, n, cols, "distributions")
    _tiers_periods(c, d, c_rows(hurdle_rate, n, 1, "hurdle rate"), capital, hurdle, profit)
    return Tiers(capital=capital, hurdle=hurdle, profit=profit)


@compiled
def _tiers_periods(contribution, distribution, hurdle_rate, capital, hurdle, profit):
    """Capital first, then preferred return, then profit, period by period, compiled.

    contribution (n or 1, columns), distribution (n, columns), hurdle_rate (n or 1, 1);
    ``capital``, ``hurdle`` and ``profit`` (n, columns) receive the tiers.
    """
    n, cols = distribution.shape
    for i in range(n):
        c = contribution[i if contribution.shape[0] > 1 else 0]
        h = hurdle_rate[i if hurdle_rate.shape[0] > 1 else 0, 0]
        owed_capital = owed_pref = 0.0
        for k in range(cols):
            if k:
                owed_pref += h * (owed_capital + owed_pref)
            owed_capital += c[k]
            d = distribution[i, k]
            cap = min(d, owed_capital)
            pref = min(d - cap, owed_pref)
            owed_capital, owed_pref = owed_capital - cap, owed_pref - pref
            capital[i, k], hurdle[i, k], profit[i, k] = cap, pref, d - cap - pref


def income_tiers(contribution: Array, distribution: Array, term: np.ndarray) -> Tiers:
    """Split distributions as income before the term; at the term, capital first.

    Examples
    --------
    >>> t = income_tiers(np.array([[100.0, 0, 0]]), np.array([[0, 5.0, 108.0]]), np.array([2]))
    >>> t.profit.tolist(), t.capital.tolist()
    ([[0.0, 5.0, 8.0]], [[0.0, 0.0, 100.0]])
    """
    n, cols = distribution.shape
    at_term = np.arange(cols)[None, :] == np.reshape(term, (-1, 1))
    capital_paid = contribution.sum(axis=1, keepdims=True)
    capital = np.where(at_term, np.minimum(distribution, capital_paid), 0.0)
    return Tiers(capital=capital, hurdle=np.zeros((n, cols)), profit=distribution - capital)


def allocations(v: VehicleInputs, s: Schedule) -> list[Allocation]:
    """Every payment between the parties and vehicle ``v``, with its schedule ``s``."""
    n = s.distribution.shape[0]
    contrib = v.contributions  # (1, parties, columns) when the same in every scenario
    paid = contrib.sum(axis=2)
    out = []
    for p in range(contrib.shape[1]):
        if np.any(contrib[:, p]):
            shares = np.zeros((contrib.shape[0], contrib.shape[1]))
            shares[:, p] = 1.0
            out.append(Allocation(v.id, Flow.contribution, -contrib[:, p], shares))
    if v.kind is VehicleKind.stream:
        flow = Flow.income if v.revenue is not None else Flow.payment
        out.append(Allocation(v.id, flow, s.distribution, _rows(v.profit_split, n)))
        return [a for a in out if np.any(a.amount)]
    if v.kind is VehicleKind.loan:
        return [a for a in out + _loan_payments(v, s) if np.any(a.amount)]
    if v.basis is Basis.income_split:
        t = income_tiers(s.contribution, s.distribution, np.broadcast_to(v.term, (n,)))
        profit_flow = Flow.income
    else:
        t = tiers(s.contribution, s.distribution, v.hurdle_rate)
        profit_flow = Flow.profit
    capital_to = v.capital_to if v.capital_to is not None else _pro_rata(paid)
    out.append(Allocation(v.id, _CAPITAL_FLOW[v.kind], t.capital, _rows(capital_to, n)))
    out.append(Allocation(v.id, Flow.hurdle, t.hurdle, _rows(v.hurdle_to, n)))
    if v.basis is Basis.income_split:
        term_col = np.arange(t.profit.shape[1])[None, :] == np.reshape(v.term, (-1, 1))
        income = np.where(term_col, 0.0, t.profit)
        out.append(Allocation(v.id, profit_flow, income, _rows(v.profit_split, n)))
        out.append(Allocation(v.id, Flow.profit, t.profit - income, _rows(v.profit_split, n)))
    else:
        out.append(Allocation(v.id, profit_flow, t.profit, _rows(v.profit_split, n)))
    out.append(Allocation(v.id, Flow.fee, s.fee, _rows(v.fee_to, n)))
    return [a for a in out if np.any(a.amount)]


def _loan_payments(v: VehicleInputs, s: Schedule) -> list[Allocation]:
    """A loan's disbursements to its borrower, its debt service, and what lenders receive.

    Debt service pays interest first (unpaid interest carried forward), then principal. The
    cumulative interest paid by period k is min(sum D, sum R) in its running form,
    sum_{i<=k} D_i + min(0, min_{j<=k} (sum_{i<=j} R_i - sum_{i<=j} D_i)).

    Examples
    --------
    >>> import numpy as np
    >>> from finmodel.schedule import Schedule
    >>> z = np.zeros((1, 3))
    >>> s = Schedule(z, z, np.array([[0, 5.0, 5]]), z, np.array([[0, 2.0, 10]]), z)
    >>> v = type("V", (), {"id": "l", "borrower": np.array([[0, 1.0]]),
    ...                    "capital_to": np.array([[1.0, 0]])})()
    >>> [(a.flow.value, a.amount.tolist()) for a in _loan_payments(v, s)][2:]
    [('interest', [[0.0, 2.0, 8.0]]), ('capital_return', [[0.0, 0.0, 2.0]])]
    """
    n = s.distribution.shape[0]
    borrower, lenders = _rows(v.borrower, n), _rows(v.capital_to, n)
    cum_paid = np.cumsum(s.distribution, axis=1)
    unpaid = np.minimum.accumulate(np.cumsum(s.return_, axis=1) - cum_paid, axis=1)
    interest = np.diff(cum_paid + np.minimum(unpaid, 0.0), axis=1, prepend=0.0)
    return [
        Allocation(v.id, Flow.disbursement, s.deployed, borrower),
        Allocation(v.id, Flow.debt_service, -s.distribution, borrower),
        Allocation(v.id, Flow.interest, interest, lenders),
        Allocation(v.id, Flow.capital_return, s.distribution - interest, lenders),
    ]


def _pro_rata(paid: Array) -> Array:
    total = paid.sum(axis=1, keepdims=True)
    return np.divide(paid, total, out=np.zeros_like(paid), where=total > 0)


def _rows(shares: Array, n: int) -> Array:
    return np.array(np.broadcast_to(shares, (n, shares.shape[1])))
