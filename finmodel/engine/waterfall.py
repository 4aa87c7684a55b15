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
compiled loop over scenarios (:mod:`finmodel.engine.compiled`).

``income_split``: each period's income (what the payout rule pays: ``payout`` x the return
net of fees, if positive) is split by ``profit_split`` as it is paid, the term's period
included. At the term, what is paid beyond that period's income is the liquidation: it repays
capital first (losses reduce the capital repaid) and splits the excess by ``profit_split``.

Who receives capital: ``capital_to``, or, where it is not named, the contributors, each in
proportion to the capital it has paid in and not yet been repaid at that moment
(:func:`capital_by_party`). A loan's lenders likewise: each accrues interest on its own
balance, interest is paid first, to each lender in proportion to its unpaid interest, then
principal, in proportion to its principal outstanding (:func:`lender_payments`). Nobody
receives capital or interest before paying in.

Terminal claims (:func:`claims`): a vehicle still holding V_N at the horizon is wound up there
notionally through its own waterfall, after that period's own payments: V_N repays the capital
still owed, then the preferred return still owed, then the rest is profit. Each claim is >= 0
and at most V_N, and they add up to V_N.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodel.engine.compiled import c_order, c_rows, compiled
from finmodel.engine.schedule import Schedule
from finmodel.inputs.compile import VehicleInputs
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


@dataclass(frozen=True)
class Tiers:
    """A distribution split into its tiers, each (n_scenarios, columns); and what is still
    owed after the last period, each (n_scenarios,): capital not yet repaid, and preferred
    return accrued and not yet paid."""

    capital: Array
    hurdle: Array
    profit: Array
    owed_capital: Array
    owed_pref: Array


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
    owed = np.zeros((n, 2))
    c = c_rows(contribution, n, cols, "contributions")
    d = c_rows(distribution, n, cols, "distributions")
    h = c_rows(hurdle_rate, n, 1, "hurdle rate")
    _tiers_periods(c, d, h, capital, hurdle, profit, owed)
    return Tiers(capital, hurdle, profit, owed_capital=owed[:, 0], owed_pref=owed[:, 1])


@compiled
def _tiers_periods(contribution, distribution, hurdle_rate, capital, hurdle, profit, owed):
    """Capital first, then preferred return, then profit, period by period, compiled.

    contribution (n or 1, columns), distribution (n, columns), hurdle_rate (n or 1, 1);
    ``capital``, ``hurdle`` and ``profit`` (n, columns) receive the tiers, ``owed`` (n, 2)
    the capital and preferred return still owed after the last period.
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
        owed[i, 0], owed[i, 1] = owed_capital, owed_pref


def income_tiers(
    contribution: Array, distribution: Array, term: np.ndarray, income: Array
) -> Tiers:
    """Split distributions as income, and at the term the liquidation capital first.

    Parameters
    ----------
    contribution, distribution : (n_scenarios, columns) USD
    term : (n_scenarios,) the liquidation period
    income : (n_scenarios, columns) USD the payout rule pays as income each period (payout x
        the return net of fees, if positive): at the term, the part of the distribution that
        is that period's income; the rest is the liquidation

    Examples
    --------
    100 in; 5 of income in period 1; at the term (period 2) 108 paid: 5 of it is the period's
    income, and the liquidation's 103 repays the 100 of capital, 3 is profit.

    >>> t = income_tiers(np.array([[100.0, 0, 0]]), np.array([[0, 5.0, 108.0]]), np.array([2]),
    ...                  np.array([[0, 5.0, 5.0]]))
    >>> t.profit.tolist(), t.capital.tolist()
    ([[0.0, 5.0, 8.0]], [[0.0, 0.0, 100.0]])

    With a loss: the term pays 5 of income and 98 of liquidation; capital gets the 98.

    >>> t = income_tiers(np.array([[100.0, 0, 0]]), np.array([[0, 5.0, 103.0]]), np.array([2]),
    ...                  np.array([[0, 5.0, 5.0]]))
    >>> t.profit.tolist(), t.capital.tolist(), t.owed_capital.tolist()
    ([[0.0, 5.0, 5.0]], [[0.0, 0.0, 98.0]], [2.0])
    """
    n, cols = distribution.shape
    at_term = np.arange(cols)[None, :] == np.reshape(term, (-1, 1))
    liquidation = distribution - np.minimum(income, distribution)
    paid_in = contribution.sum(axis=1, keepdims=True)
    capital = np.where(at_term, np.minimum(liquidation, paid_in), 0.0)
    owed = np.broadcast_to(paid_in[:, 0] - capital.sum(axis=1), (n,))
    zero = np.zeros(n)
    return Tiers(capital, np.zeros((n, cols)), distribution - capital, owed.copy(), zero)


def payout_income(v: VehicleInputs, s: Schedule) -> Array:
    """What a fund's payout rule pays in each period: payout x max(R - F, 0), at most the
    distribution; (n_scenarios, columns). The term pays more: the liquidation."""
    return np.minimum(np.maximum(s.return_ - s.fee, 0.0) * v.payout, s.distribution)


def capital_by_party(contributions: Array, capital: Array) -> tuple[Array, Array]:
    """Each contributor's part of each capital repayment: pro rata to the capital it has paid
    in and not yet been repaid at that moment.

    Parameters
    ----------
    contributions : (1 or n_scenarios, n_parties, columns) USD each party pays in
    capital : (n_scenarios, columns) USD of capital repaid

    Returns
    -------
    parts : (n_scenarios, n_parties, columns) USD each party receives
    owed : (n_scenarios, n_parties) USD each party is still owed after the last period

    Notes
    -----
    With o_p the capital party p has paid in and not been repaid, a repayment x in period k
    (after that period's contributions) gives p the part x o_p / sum_q o_q.

    Examples
    --------
    ``a`` pays 50 at period 0 and ``b`` 50 at period 2; 5 is repaid at period 1 (all to a,
    who is owed 45 after it), 19 at period 2: of the 95 owed, a's 45 and b's 50: 9 and 10.

    >>> c = np.array([[[50.0, 0, 0], [0, 0, 50.0]]])
    >>> parts, owed = capital_by_party(c, np.array([[0, 5.0, 19.0]]))
    >>> parts[0].round(9).tolist(), owed.round(9).tolist()
    ([[0.0, 5.0, 9.0], [0.0, 0.0, 10.0]], [[36.0, 40.0]])
    """
    n, cols = capital.shape
    c = _c_parties(contributions, n, cols, "contributions by party")
    parts = np.zeros((n, c.shape[1], cols))
    owed = np.zeros((n, c.shape[1]))
    _pro_rata_periods(c, c_rows(capital, n, cols, "capital repaid"), parts, owed)
    return parts, owed


def _c_parties(x: Array, n: int, cols: int, name: str) -> Array:
    """``x`` (1 or n, parties, cols) as the compiled loops take it (see :func:`c_rows`)."""
    if x.ndim != 3 or x.shape[0] not in (1, n) or x.shape[2] != cols:
        raise ValueError(f"{name}: shape {x.shape}, expected (1 or {n}, parties, {cols})")
    if not np.isfinite(x).all():
        raise ValueError(f"{name}: a NaN or infinite value")
    return c_order(x)


@compiled
def _pro_rata_periods(contrib, capital, parts, owed):
    """:func:`capital_by_party`, one scenario at a time, compiled.

    contrib (n or 1, P, cols), capital (n, cols); ``parts`` (n, P, cols) and ``owed`` (n, P),
    zeros, receive each party's part and what it is still owed. A repayment when nothing is
    recorded as owed (a rounding residue of the tiers) goes pro rata to what each paid in.
    """
    n, cols = capital.shape
    n_parties = contrib.shape[1]
    paid = np.zeros(n_parties)
    for i in range(n):
        c = contrib[i if contrib.shape[0] > 1 else 0]
        paid[:] = 0.0
        for k in range(cols):
            total = paid_total = 0.0
            for p in range(n_parties):
                owed[i, p] += c[p, k]
                paid[p] += c[p, k]
                total += owed[i, p]
                paid_total += paid[p]
            x = capital[i, k]
            if x == 0.0:
                continue
            for p in range(n_parties):
                if total > 0.0:
                    part = x * (owed[i, p] / total)
                elif paid_total > 0.0:
                    part = x * (paid[p] / paid_total)
                else:  # nobody paid in: nothing to repay (the checks would see the money)
                    part = 0.0
                parts[i, p, k] = part
                owed[i, p] = max(owed[i, p] - part, 0.0)


def allocations(v: VehicleInputs, s: Schedule) -> list[Allocation]:
    """Every payment between the parties and vehicle ``v``, with its schedule ``s``."""
    n = s.distribution.shape[0]
    out = _contributions(v)
    if v.kind is VehicleKind.stream:
        flow = Flow.income if v.revenue is not None else Flow.payment
        out.append(Allocation(v.id, flow, s.distribution, _rows(v.profit_split, n)))
        return [a for a in out if np.any(a.amount)]
    if v.kind is VehicleKind.loan:
        return [a for a in out + _loan_payments(v, s) if np.any(a.amount)]
    t = _tiers_of(v, s)
    out += _capital(v, t.capital, _CAPITAL_FLOW[v.kind])
    out.append(Allocation(v.id, Flow.hurdle, t.hurdle, _rows(v.hurdle_to, n)))
    if v.basis is Basis.income_split:
        # at the term: the period's income, then the liquidation's excess over capital
        term_col = np.arange(t.profit.shape[1])[None, :] == np.reshape(v.term, (-1, 1))
        income = payout_income(v, s)
        excess = np.where(term_col, (s.distribution - income) - t.capital, 0.0)
        income = np.where(term_col, income, t.profit)
        out.append(Allocation(v.id, Flow.income, income, _rows(v.profit_split, n)))
        out.append(Allocation(v.id, Flow.profit, excess, _rows(v.profit_split, n)))
    else:
        out.append(Allocation(v.id, Flow.profit, t.profit, _rows(v.profit_split, n)))
    out.append(Allocation(v.id, Flow.fee, s.fee, _rows(v.fee_to, n)))
    return [a for a in out if np.any(a.amount)]


def _tiers_of(v: VehicleInputs, s: Schedule) -> Tiers:
    """The tiers of a fund's, grant's or release's distributions, by its waterfall's basis."""
    if v.basis is Basis.income_split:
        term = np.broadcast_to(v.term, (s.distribution.shape[0],))
        return income_tiers(s.contribution, s.distribution, term, payout_income(v, s))
    return tiers(s.contribution, s.distribution, v.hurdle_rate)


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
    payers = _payers(v.contributions)
    if v.capital_to is not None or len(payers) <= 1:
        shares = v.capital_to if v.capital_to is not None else _pro_rata(v.contributions.sum(2))
        return [Allocation(v.id, flow, capital, _rows(shares, n))]
    parts, _ = capital_by_party(v.contributions[:, payers], capital)  # the payers' only
    return [
        Allocation(v.id, flow, parts[:, i], _one_hot(v.contributions, p))
        for i, p in enumerate(payers)
    ]


def _payers(contributions: Array) -> list[int]:
    """The parties that pay anything in, in the parties' order."""
    return [p for p in range(contributions.shape[1]) if np.any(contributions[:, p])]


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
    n = s.distribution.shape[0]
    borrower = _rows(v.borrower, n)
    lenders = _lenders(v)  # the loops run over the lenders only
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


def _lenders(v: VehicleInputs) -> list[int]:
    """The parties that lend anything, before the start or within the timeline."""
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
    c = _c_parties(contributions, n, cols, "lent by party")
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

    >>> from finmodel.kinds import FeeBasis
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
        lenders = _lenders(v)
        _, _, left = lender_payments(
            v.opening[:, lenders], v.contributions[:, lenders], s.return_, s.distribution
        )
        owed = np.zeros((left.shape[0], n_parties, 2))
        owed[:, lenders] = left
        unpaid = owed[:, :, 1]
        to_interest = np.minimum(value, unpaid.sum(axis=1))
        interest = to_interest[:, None] * _pro_rata(unpaid)
        principal = (value - to_interest)[:, None] * _pro_rata(owed[:, :, 0])
        return interest + principal, interest
    t = _tiers_of(v, s)
    capital = np.minimum(value, np.maximum(t.owed_capital, 0.0))
    pref = np.minimum(value - capital, np.maximum(t.owed_pref, 0.0))
    profit = value - capital - pref
    gains = pref[:, None] * _rows(v.hurdle_to, n) + profit[:, None] * _rows(v.profit_split, n)
    return capital[:, None] * _capital_shares(v, t) + gains, gains


def _capital_shares(v: VehicleInputs, t: Tiers) -> Array:
    """Who a notional repayment of capital after the last period goes to: ``capital_to``, or
    each contributor in proportion to what it is still owed; (n_scenarios, n_parties)."""
    n = t.capital.shape[0]
    if v.capital_to is not None:
        return _rows(v.capital_to, n)
    paid = _rows(v.contributions.sum(axis=2), n)
    payers = _payers(v.contributions)
    if len(payers) <= 1:
        return _pro_rata(paid)
    owed = np.zeros_like(paid)
    owed[:, payers] = capital_by_party(v.contributions[:, payers], t.capital)[1]
    return np.where(owed.sum(axis=1, keepdims=True) > 0, _pro_rata(owed), _pro_rata(paid))


def _pro_rata(paid: Array) -> Array:
    total = paid.sum(axis=1, keepdims=True)
    return np.divide(paid, total, out=np.zeros_like(paid), where=total > 0)


def _rows(shares: Array, n: int) -> Array:
    return np.array(np.broadcast_to(shares, (n, shares.shape[1])))
