"""A vehicle's schedule: contributions, deployment, returns, fees, distributions and value.

All arrays have shape (n_scenarios, n_periods + 1). The recursion runs over periods (time is
sequential); every step is vectorised over scenarios.

Notes
-----
For a ``fund``, in period k >= 1, with cash K and projects I at the end of period k - 1:

- return R_k = I * r_k + K * c (r_k, c per-period rates);
- the contribution C_k arrives in cash; cash moves to projects up to the deployment target
  (a tranche earns the project return from the next period on); in the period the schedule
  completes, all cash left (what it earned while waiting) is invested too, so no idle cash
  lingers once capital is deployed;
- the fee F_k = f * (committed, or V_{k-1}), at most the value on hand;
- the distribution D_k = payout * max(R_k - F_k, 0), at most what is left; at the term
  period D_k is everything left;
- fees and distributions are taken from projects first, then cash;
- V_k = V_{k-1} + C_k + R_k - F_k - D_k.

A ``grant`` passes each contribution straight on (D_k = C_k). A ``release`` keeps the balance
as cash earning c and pays out the scheduled fraction of what is left each period. A ``stream``
passes on what its payer pays (C_k) or what it earns from outside (R_k) at once: D_k = C_k + R_k.

A ``loan`` holds the balance B the borrower owes (V_k = B_k), starting from the ``opening``
balance lent before the start: interest R_k = B_{k-1} i; disbursements C_k go straight to the
borrower (``deployed``); the debt service D_k is interest only before the repayment window,
then interest plus the principal's share due (:func:`repaid_share`: B / (instalments left),
or an annuity's); or, serviced from another vehicle, whatever the borrower received from it in
period k, up to what it owes. B_k = B_{k-1} + C_k + R_k - D_k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodel.engine.batch import VehicleInputs
from finmodel.engine.compiled import c_order, c_rows, compiled
from finmodel.kinds import Array, FeeBasis, RepaymentStyle, VehicleKind


@dataclass(frozen=True)
class Schedule:
    """A vehicle's lines, each of shape (n_scenarios, n_periods + 1), in USD.

    A line that is the same in every scenario (a fund's contributions, whatever its returns)
    may have a leading axis of 1, broadcasting against the batch.
    """

    contribution: Array
    deployed: Array
    return_: Array
    fee: Array
    distribution: Array
    value_end: Array
    #: (n_scenarios,) a loan's balance lent before the start (None: nothing)
    opening: Array | None = None
    #: a fund's return on its projects, I_{k-1} r_k (the return less what its cash earned),
    #: kept when a party pays it in (``return_paid_by``; else None)
    project_return: Array | None = None

    @property
    def terminal_value(self) -> Array:
        """V_N, shape (n_scenarios,): value still in the vehicle at the horizon."""
        return self.value_end[:, -1]

    @property
    def opening_value(self) -> Array:
        """V_{-1}, shape (n_scenarios,) or (1,): the value held before period 0."""
        return self.opening if self.opening is not None else np.zeros(1)


def schedule(v: VehicleInputs, n_scenarios: int, available: Array | None = None) -> Schedule:
    """The schedule of vehicle ``v`` for a batch of ``n_scenarios``.

    Examples
    --------
    100 at period 0, all deployed at once, 10% a year, half the income paid out, 2-year term:

    >>> import numpy as np
    >>> from finmodel.kinds import Basis, FeeBasis, VehicleKind
    >>> one, zero = np.ones((1, 1)), np.zeros((1, 1))
    >>> v = VehicleInputs("f", VehicleKind.fund, Basis.capital_first,
    ...     contributions=np.array([[[100.0, 0, 0]]]), deploy_target=np.ones(3),
    ...     release_share=np.zeros(3), return_rate=np.full((1, 3), 0.10), cash_rate=zero,
    ...     payout=0.5 * one, term=np.array([2]), fee_rate=zero, fee_basis=FeeBasis.committed,
    ...     fee_to=one, hurdle_rate=zero, hurdle_to=one, capital_to=None, profit_split=one)
    >>> s = schedule(v, 1)
    >>> s.distribution.round(6).tolist()   # 5 = half of 10; then 105 * 1.1 = 115.5, all paid
    [[0.0, 5.0, 115.5]]
    >>> s.value_end.round(6).tolist()
    [[100.0, 105.0, 0.0]]

    ``available`` (n_scenarios, columns) is what a loan's borrower received from the vehicle
    that services it (``v.serviced_from``).
    """
    if v.kind is VehicleKind.loan:
        return _loan(v, n_scenarios, available)
    if v.kind is VehicleKind.stream:
        return _stream(v, n_scenarios)
    if v.kind is VehicleKind.grant:
        return _grant(v, n_scenarios)
    if v.kind is VehicleKind.release:
        return _release(v, n_scenarios)
    return _fund(v, n_scenarios)


def _zeros(n: int, cols: int) -> Array:
    return np.zeros((n, cols))


def _fund(v: VehicleInputs, n: int) -> Schedule:
    cols = v.contributions.shape[-1]
    contrib = c_rows(v.contributions.sum(axis=1), n, cols, f"{v.id}: contributions")
    fraction = c_rows(v.deploy_target, n, cols, f"{v.id}: deployment")
    # after the last tranche or contribution nothing deploys
    moves = np.any(np.diff(fraction, axis=1, prepend=0.0) != 0, axis=0) | np.any(contrib, axis=0)
    rates = np.broadcast_arrays(v.cash_rate[:, 0], v.payout[:, 0], v.fee_rate[:, 0])
    deployed, ret, fee, dist, value = (np.zeros((n, cols)) for _ in range(5))
    # the projects' return is kept only for a fund whose return a party pays in
    paid_in = v.return_paid_by is not None
    grown = np.zeros((n, cols) if paid_in else (0, 0))
    _fund_periods(
        contrib,
        contrib.sum(axis=1),
        c_rows(v.return_rate, n, cols, f"{v.id}: return rate"),
        fraction,
        c_rows(np.stack(rates, axis=1), n, 3, f"{v.id}: cash rate, payout, fee rate"),
        c_order(np.broadcast_to(v.term, (n,)), np.int64),
        v.fee_basis is FeeBasis.nav,
        int(np.flatnonzero(moves).max(initial=0)),
        (deployed, ret, fee, dist, value, grown),
    )
    return Schedule(
        contrib, deployed, ret, fee, dist, value, project_return=grown if paid_in else None
    )


@compiled
def _fund_periods(contrib, committed, rate, fraction, rates, term, nav_fee, deploy_until, lines):
    """The fund recursion of the module notes, one scenario at a time, compiled.

    contrib, rate and fraction (n or 1, cols); committed (n or 1,); rates (n or 1, 3): cash
    rate, payout, fee rate per period; term (n,); ``lines``: six arrays of zeros, filled with
    deployed, return, fee, distribution, value at the end (n, cols) and the projects' return
    (n, cols, or (0, 0) when it is not kept). An input of one row applies to every scenario.
    After the latest term nothing moves.
    """
    deployed, ret_line, fee_line, dist_line, value, grow_line = lines
    n, cols = value.shape
    last = min(cols - 1, term.max())
    for i in range(n):
        ci = i if contrib.shape[0] > 1 else 0
        ri = i if rate.shape[0] > 1 else 0
        fi = i if fraction.shape[0] > 1 else 0
        qi = i if rates.shape[0] > 1 else 0
        cash_r, payout, fee_r = rates[qi, 0], rates[qi, 1], rates[qi, 2]
        t = term[i]
        cash = proj = done = 0.0
        for k in range(last + 1):
            ret = fee = grow = 0.0
            value_prev = cash + proj
            if k:
                grow = proj * rate[ri, k]
                earn = cash * cash_r
                ret = grow + earn
                proj = proj + grow
                cash = cash + earn
            cash = cash + contrib[ci, k]
            if k <= deploy_until:
                if fraction[fi, k] >= 1.0 - 1e-12:
                    # once the schedule is complete, what cash earned while waiting goes too
                    dep = cash
                else:
                    dep = min(max(fraction[fi, k] * committed[ci] - done, 0.0), cash)
                cash, proj, done = cash - dep, proj + dep, done + dep
                deployed[i, k] = dep
            gross = cash + proj
            if k and fee_r != 0.0:
                fee = min(fee_r * (value_prev if nav_fee else committed[ci]), gross)
            left = gross - fee
            dist = min(max(ret - fee, 0.0) * payout, left)
            if k == t:  # the term: everything left is paid out
                dist = left
            elif k > t:
                fee = dist = 0.0
            take = fee + dist
            from_proj = min(take, proj)
            proj, cash = proj - from_proj, max(cash - (take - from_proj), 0.0)
            if k >= t:
                proj = cash = 0.0
            ret_line[i, k], fee_line[i, k], dist_line[i, k] = ret, fee, dist
            if grow_line.shape[0]:
                grow_line[i, k] = grow
            value[i, k] = cash + proj


def _grant(v: VehicleInputs, n: int) -> Schedule:
    contrib = np.array(np.broadcast_to(v.contributions.sum(axis=1), (n, v.contributions.shape[-1])))
    zero = np.zeros_like(contrib)
    return Schedule(contrib, zero, zero, zero, contrib.copy(), zero.copy())


def _release(v: VehicleInputs, n: int) -> Schedule:
    contrib = np.array(np.broadcast_to(v.contributions.sum(axis=1), (n, v.contributions.shape[-1])))
    cols = contrib.shape[1]
    cash_r = np.broadcast_to(v.cash_rate[:, 0], (n,))
    ret, dist, value = _zeros(n, cols), _zeros(n, cols), _zeros(n, cols)
    balance = np.zeros(n)
    release = np.broadcast_to(np.atleast_2d(v.release_share), (n, cols))
    for k in range(cols):
        ret[:, k] = balance * cash_r if k else 0.0
        balance = balance + ret[:, k] + contrib[:, k]
        dist[:, k] = balance * release[:, k]
        balance = balance - dist[:, k]
        value[:, k] = balance
    return Schedule(contrib, np.zeros_like(contrib), ret, np.zeros_like(contrib), dist, value)


def _stream(v: VehicleInputs, n: int) -> Schedule:
    contrib = np.array(np.broadcast_to(v.contributions.sum(axis=1), (n, v.contributions.shape[-1])))
    earned = np.zeros_like(contrib)
    if v.revenue is not None:
        earned += v.revenue
    zero = np.zeros_like(contrib)
    return Schedule(contrib, zero, earned, zero, contrib + earned, zero.copy())


def repaid_share(rate: Array, left: int, style: RepaymentStyle) -> Array:
    """The share of a loan's principal repaid in a period with ``left`` instalments to go.

    ``equal_principal``: 1 / left. ``annuity``: i / ((1 + i)^left - 1) at the per-period rate
    i (1 / left at 0%): the principal part of the constant payment that clears the balance in
    ``left`` periods, so that interest on the balance plus it is the same every period.

    Examples
    --------
    100 over 3 periods at 10%: numpy_financial.pmt(0.1, 3, -100) = 40.2115, of which 10 is
    interest: 30.2115 of principal.

    >>> import numpy as np
    >>> (100 * repaid_share(np.array([0.1]), 3, RepaymentStyle.annuity)).round(4).tolist()
    [30.2115]
    >>> (100 * repaid_share(np.array([0.0]), 4, RepaymentStyle.annuity)).tolist()
    [25.0]
    """
    if style is RepaymentStyle.equal_principal:
        return np.full_like(rate, 1.0 / left)
    grown = np.expm1(left * np.log1p(rate))  # (1 + i)^left - 1, accurate for small i
    return np.divide(rate, grown, out=np.full_like(rate, 1.0 / left), where=rate > 0)


def _loan(v: VehicleInputs, n: int, available: Array | None) -> Schedule:
    assert v.loan_rate is not None and v.opening is not None  # a loan's, which compile sets
    contrib = np.array(np.broadcast_to(v.contributions.sum(axis=1), (n, v.contributions.shape[-1])))
    cols = contrib.shape[1]
    rate = np.broadcast_to(v.loan_rate[:, 0], (n,))
    opening = np.broadcast_to(v.opening.sum(axis=1), (n,))
    interest, service, balance = _zeros(n, cols), _zeros(n, cols), _zeros(n, cols)
    owed = np.array(opening, dtype=float)
    if v.serviced_from is not None and available is None:
        available = np.zeros((1, cols))
    for k in range(cols):
        accrued = owed * rate if k else np.zeros(n)
        principal = owed + contrib[:, k]
        if available is not None:
            paid = np.minimum(np.maximum(available[:, k], 0.0), principal + accrued)
        elif v.repay_first <= k <= v.repay_last:
            paid = accrued + principal * repaid_share(rate, v.repay_last - k + 1, v.repay_style)
        else:
            paid = accrued if k else np.zeros(n)
        owed = principal + accrued - paid
        interest[:, k], service[:, k], balance[:, k] = accrued, paid, owed
    return Schedule(
        contribution=contrib,
        deployed=contrib.copy(),
        return_=interest,
        fee=np.zeros_like(contrib),
        distribution=service,
        value_end=balance,
        opening=np.array(opening, dtype=float),
    )
