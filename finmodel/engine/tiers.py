"""The tiers of a vehicle's distributions: capital, preferred return (hurdle) and profit, and
each contributor's part of a capital repayment.

Notes
-----
``capital_first``: a distribution first repays contributed capital not yet repaid, then the
preferred return (compounding at h on outstanding capital and unpaid preferred return), then the
rest is profit. Without a hurdle the cumulative profit is

    P_k = max(0, max_{j<=k} (sum_{i<=j} D_i - sum_{i<=j} C_i)),

a running maximum. ``income_split``: each period's income (what the payout rule pays) is profit
as it is paid; at the term, the liquidation repays capital first (losses reduce the capital
repaid) and the excess is profit. The tiers are computed period by period in a compiled loop
over scenarios (:mod:`finmodel.engine.compiled`).

A capital repayment goes to the contributors each in proportion to the capital it has paid in
and not yet been repaid at that moment (:func:`capital_by_party`): nobody receives capital
before paying in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodel.engine.batch import VehicleInputs
from finmodel.engine.compiled import c_order, c_rows, compiled
from finmodel.engine.schedule import Schedule
from finmodel.kinds import Array, Basis


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
    c = c_parties(contributions, n, cols, "contributions by party")
    parts = np.zeros((n, c.shape[1], cols))
    owed = np.zeros((n, c.shape[1]))
    _pro_rata_periods(c, c_rows(capital, n, cols, "capital repaid"), parts, owed)
    return parts, owed



def c_parties(x: Array, n: int, cols: int, name: str) -> Array:
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



def tiers_of(v: VehicleInputs, s: Schedule) -> Tiers:
    """The tiers of a fund's, grant's or release's distributions, by its waterfall's basis."""
    if v.basis is Basis.income_split:
        term = np.broadcast_to(v.term, (s.distribution.shape[0],))
        return income_tiers(s.contribution, s.distribution, term, payout_income(v, s))
    return tiers(s.contribution, s.distribution, v.hurdle_rate)



def pro_rata(paid: Array) -> Array:
    total = paid.sum(axis=1, keepdims=True)
    return np.divide(paid, total, out=np.zeros_like(paid), where=total > 0)



def rows_of(shares: Array, n: int) -> Array:
    return np.array(np.broadcast_to(shares, (n, shares.shape[1])))


def payer_indices(contributions: Array) -> list[int]:
    """The parties that pay anything in, in the parties' order."""
    return [p for p in range(contributions.shape[1]) if np.any(contributions[:, p])]
