"""What a party's claims at the horizon are worth today, to stand beside its NPV.

The NPV counts only the money that moves within the horizon. A party that still owns value at
the horizon (Russia's immobilised principal, an investor's share of a fund still running, a
lender's balance) holds a claim the NPV leaves out. ``npv_with_claims`` adds it back, each claim
discounted from the horizon and weighted by the chance it is recovered: ``claims.recovery`` for
the pool's owner (whose assets are immobilised), in full for everyone else.
"""

from __future__ import annotations

import numpy as np

from finmodel.kinds import Array


def claims_weights(recovery: Array, n_parties: int, owner: int) -> Array:
    """The share of each party's claims counted: ``recovery`` for the owner, 1 for the rest.

    Returns shape (n_scenarios or 1, n_parties).

    Examples
    --------
    >>> claims_weights(np.array([0.3]), 3, owner=2).tolist()
    [[1.0, 1.0, 0.3]]
    """
    r = np.asarray(recovery, dtype=float).reshape(-1, 1)
    w = np.ones((r.shape[0], n_parties))
    w[:, owner] = r[:, 0]
    return w


def claims_present_value(
    claims: Array, recovery: Array, df_end: Array, owner: int, owes: Array
) -> Array:
    """Each party's claims at the horizon, weighted, less the debts it owes, discounted.

    Parameters
    ----------
    claims : (n_scenarios, n_vehicles, n_parties) USD each party would receive if each vehicle
        were wound up at the horizon (:func:`finmodel.engine.metrics.terminal_claims`)
    recovery : (n_scenarios,) or (1,) the share of the owner's claims it recovers
    df_end : the discount factor of the horizon, (1 + r)^-N: (n_scenarios,) or (1,) at one rate,
        or (n_scenarios or 1, n_parties) at each party's own
    owner : the pool owner's index
    owes : (n_vehicles, n_parties) 1 where a party owes a vehicle's value: the borrower of a
        loan repaid on a schedule (a loan serviced from another vehicle is without recourse)

    Notes
    -----
    value_p = df_N * sum_v (w_p * claim_vp - owes_vp * sum_q w_q * claim_vq), with
    w_owner = recovery and w_p = 1 otherwise: what a borrower owes is what its lenders' claims
    are worth, so a loan's claims add up to 0 over the parties.

    Examples
    --------
    Russia (index 1) holds a 298.5bn claim on a fund at year 30 and recovers 30% of it; at 4%,
    (1.04)^-30 = 0.30832: 0.3 x 298.5 x 0.30832 = 27.61bn. The US's 10bn counts in full: 3.08bn.

    >>> df = np.array([1.04 ** -30])
    >>> v = claims_present_value(np.array([[[10.0, 298.5]]]), np.array([0.3]), df, 1,
    ...                          owes=np.zeros((1, 2)))
    >>> v.round(2).tolist()
    [[3.08, 27.61]]

    The same claim on a loan to party 0: party 0 owes what Russia's claim is worth.

    >>> v = claims_present_value(np.array([[[0.0, 298.5]]]), np.array([0.3]), df, 1,
    ...                          owes=np.array([[1.0, 0.0]]))
    >>> v.round(2).tolist()
    [[-27.61, 27.61]]
    """
    w = claims_weights(recovery, claims.shape[2], owner)[:, None, :]  # (n or 1, 1, parties)
    valued = claims * w
    debts = valued.sum(axis=2, keepdims=True) * owes[None]
    df = np.asarray(df_end, dtype=float)
    return (valued - debts).sum(axis=1) * (df if df.ndim == 2 else df.reshape(-1, 1))
