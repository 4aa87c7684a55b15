"""How far money may be off before a check calls it wrong: a cent, or a few rounding steps of
the money involved, whichever is larger.

Float64 holds about 16 significant digits: a pool of USD 5.6e13 (the property tests scale
amounts up to that) rounds in steps of 0.0078 USD, so a cent is only a few steps there and sums
of pro-rata shares can miss it by more. Every check of money (the engine's identities, the
pool's allocation checks) allows :func:`tolerance` of the money it involves.
"""

from __future__ import annotations

import numpy as np

from finmodel.kinds import Array

#: Every check allows at least a cent...
CENT = 0.01
#: ...or this many units in the last place (ulps, 2**-52 relative) of the money it involves.
ULPS = 8


def tolerance(scale: Array | float) -> Array:
    """What a check of money ``scale`` allows: a cent, or :data:`ULPS` ulps of the money,
    whichever is larger.

    Examples
    --------
    >>> tolerance(np.array([1e9, 1e15])).tolist()   # a cent; 8 x 2**-52 x 1e15 = 1.78 USD
    [0.01, 1.7763568394002505]
    """
    money = np.abs(np.asarray(scale, dtype=float))
    return np.maximum(CENT, ULPS * np.finfo(np.float64).eps * money)
