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
compiled loop over scenarios (:mod:`finmodel.engine.tiers`).

``income_split``: each period's income (what the payout rule pays: ``payout`` x the return
net of fees, if positive) is split by ``profit_split`` as it is paid, the term's period
included. At the term, what is paid beyond that period's income is the liquidation: it repays
capital first (losses reduce the capital repaid) and splits the excess by ``profit_split``.

Who receives capital: ``capital_to``, or, where it is not named, the contributors, each in
proportion to the capital it has paid in and not yet been repaid at that moment
(:func:`finmodel.engine.tiers.capital_by_party`). A loan's lenders likewise: each accrues interest
on its own
balance, interest is paid first, to each lender in proportion to its unpaid interest, then
principal, in proportion to its principal outstanding
(:func:`finmodel.engine.lenders.lender_payments`). Nobody
receives capital or interest before paying in.

Terminal claims (:func:`finmodel.engine.claims.claims`): a vehicle still holding V_N at the horizon
is wound up there
notionally through its own waterfall, after that period's own payments: V_N repays the capital
still owed, then the preferred return still owed, then the rest is profit. Each claim is >= 0
and at most V_N, and they add up to V_N.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodel.engine.batch import VehicleInputs
from finmodel.engine.lenders import lender_indices, lender_payments
from finmodel.engine.schedule import Schedule
from finmodel.engine.tiers import (
    capital_by_party,
    payer_indices,
    payout_income,
    pro_rata,
    rows_of,
    tiers_of,
)
from finmodel.kinds import Array, Basis, Flow, VehicleKind

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


















def allocations(v: VehicleInputs, s: Schedule) -> list[Allocation]:
    """Every payment between the parties and vehicle ``v``, with its schedule ``s``."""
    n = s.distribution.shape[0]
    out = _contributions(v)
    if v.kind is VehicleKind.stream:
        flow = Flow.income if v.revenue is not None else Flow.payment
        out.append(Allocation(v.id, flow, s.distribution, rows_of(v.profit_split, n)))
        return [a for a in out if np.any(a.amount)]
    if v.kind is VehicleKind.loan:
        return [a for a in out + _loan_payments(v, s) if np.any(a.amount)]
    t = tiers_of(v, s)
    out += _capital(v, t.capital, _CAPITAL_FLOW[v.kind])
    out.append(Allocation(v.id, Flow.hurdle, t.hurdle, rows_of(v.hurdle_to, n)))
    if v.basis is Basis.income_split:
        # at the term: the period's income, then the liquidation's excess over capital
        term_col = np.arange(t.profit.shape[1])[None, :] == np.reshape(v.term, (-1, 1))
        income = payout_income(v, s)
        excess = np.where(term_col, (s.distribution - income) - t.capital, 0.0)
        income = np.where(term_col, income, t.profit)
        out.append(Allocation(v.id, Flow.income, income, rows_of(v.profit_split, n)))
        out.append(Allocation(v.id, Flow.profit, excess, rows_of(v.profit_split, n)))
    else:
        out.append(Allocation(v.id, Flow.profit, t.profit, rows_of(v.profit_split, n)))
    out.append(Allocation(v.id, Flow.fee, s.fee, rows_of(v.fee_to, n)))
    if v.return_paid_by is not None:
        payer = rows_of(v.return_paid_by, n)
        out.append(Allocation(v.id, Flow.return_paid, -paid_return(s), payer))
    return [a for a in out if np.any(a.amount)]


def paid_return(s: Schedule) -> Array:
    """What a fund's return payer (``return.paid_by``) pays in each period: the projects'
    return I_{k-1} r_k when positive. A period's loss is the fund's own: nobody is paid back
    for it; what the fund's cash earns comes from outside.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.zeros((1, 3))
    >>> grew = np.array([[0, 8.0, -3]])
    >>> s = Schedule(z, z, np.array([[0, 9.0, -2]]), z, z, z, project_return=grew)
    >>> paid_return(s).tolist()
    [[0.0, 8.0, 0.0]]
    """
    if s.project_return is None:
        return np.zeros_like(s.return_)
    return np.maximum(s.project_return, 0.0)




def _contributions(v: VehicleInputs) -> list[Allocation]:
    """What each party pays in, an allocation each (one-hot shares)."""
    contrib = v.contributions  # (1, parties, columns) when the same in every scenario
    return [
        Allocation(v.id, Flow.contribution, -contrib[:, p], _one_hot(contrib, p))
        for p in range(contrib.shape[1])
        if np.any(contrib[:, p])
    ]


def _one_hot(contrib: Array, p: int) -> Array:
    shares = np.zeros((contrib.shape[0], contrib.shape[1]))
    shares[:, p] = 1.0
    return shares


def _capital(v: VehicleInputs, capital: Array, flow: Flow) -> list[Allocation]:
    """The capital tier: to ``capital_to``, or to the contributors, each its part
    (:func:`capital_by_party`); one allocation when a single party paid in."""
    n = capital.shape[0]
    payers = payer_indices(v.contributions)
    if v.capital_to is not None or len(payers) <= 1:
        shares = v.capital_to if v.capital_to is not None else pro_rata(v.contributions.sum(2))
        return [Allocation(v.id, flow, capital, rows_of(shares, n))]
    parts, _ = capital_by_party(v.contributions[:, payers], capital)  # the payers' only
    return [
        Allocation(v.id, flow, parts[:, i], _one_hot(v.contributions, p))
        for i, p in enumerate(payers)
    ]




def _loan_payments(v: VehicleInputs, s: Schedule) -> list[Allocation]:
    """A loan's disbursements to its borrower, its debt service, and what each lender receives
    (:func:`lender_payments`): interest, then capital.

    Examples
    --------
    >>> import numpy as np
    >>> from finmodel.engine.schedule import Schedule
    >>> z = np.zeros((1, 3))
    >>> s = Schedule(z, z, np.array([[0, 5.0, 5]]), z, np.array([[0, 2.0, 10]]), z,
    ...              opening=np.array([50.0]))
    >>> v = type("V", (), {"id": "l", "borrower": np.array([[0, 1.0]]),
    ...                    "opening": np.array([[50.0, 0]]),
    ...                    "contributions": np.zeros((1, 2, 3))})()
    >>> [(a.flow.value, a.amount.tolist()) for a in _loan_payments(v, s)][2:]
    [('interest', [[0.0, 2.0, 8.0]]), ('capital_return', [[0.0, 0.0, 2.0]])]
    """
    assert v.borrower is not None and v.opening is not None  # a loan's, which compile sets
    n = s.distribution.shape[0]
    borrower = rows_of(v.borrower, n)
    lenders = lender_indices(v)  # the loops run over the lenders only
    interest, capital, _ = lender_payments(
        v.opening[:, lenders], v.contributions[:, lenders], s.return_, s.distribution
    )
    out = [
        Allocation(v.id, Flow.disbursement, s.deployed, borrower),
        Allocation(v.id, Flow.debt_service, -s.distribution, borrower),
    ]
    for flow, parts in ((Flow.interest, interest), (Flow.capital_return, capital)):
        out += [
            Allocation(v.id, flow, parts[:, i], _one_hot(v.contributions, p))
            for i, p in enumerate(lenders)
        ]
    return out
