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


def claims_present_value(claims: Array, recovery: Array, df_end: Array, owner: int) -> Array:
    """Each party's claims at the horizon, weighted and discounted to the start.

    Parameters
    ----------
    claims : (n_scenarios, n_parties) USD each party would receive if every vehicle were wound
        up at the horizon (:func:`finmodel.engine.metrics.terminal_claims`, summed over vehicles)
    recovery : (n_scenarios,) or (1,) the share of the owner's claims it recovers
    df_end : (n_scenarios,) or (1,) the discount factor of the horizon, (1 + r)^-N
    owner : the pool owner's index

    Notes
    -----
    value_p = w_p * claim_p * df_N, with w_owner = recovery and w_p = 1 otherwise.

    Examples
    --------
    Russia (index 1) holds a 298.5bn claim at year 30 and recovers 30% of it; at 4%,
    (1.04)^-30 = 0.30832: 0.3 x 298.5 x 0.30832 = 27.61bn. The US's 10bn counts in full: 3.08bn.

    >>> v = claims_present_value(np.array([[10.0, 298.5]]), np.array([0.3]),
    ...                          np.array([1.04 ** -30]), owner=1)
    >>> v.round(2).tolist()
    [[3.08, 27.61]]
    """
    w = claims_weights(recovery, claims.shape[1], owner)
    return claims * w * np.asarray(df_end, dtype=float).reshape(-1, 1)
