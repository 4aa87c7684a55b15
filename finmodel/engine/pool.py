"""The frozen-asset pool: sources (holdings) and uses (carve-outs), for a batch of scenarios.

Carve-outs are applied in order. Each selects holdings by region or id and takes a fixed
amount (pro rata to what is left in each, or holding by holding in the order its ``from``
lists them) or the remainder of its selection. Every dollar of the pool must go to exactly one
carve-out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from finmodel.kinds import Array, Method


@dataclass(frozen=True)
class Carve:
    """A carve-out in the engine's terms: which holdings it selects and how much it takes.

    ``amount`` has shape (n_scenarios,) in USD, or is None for the remainder of the selection.
    ``order`` lists the holdings' indices in the order an ``in_order`` carve-out draws on them
    (:func:`draw_order`); None is the holdings' own order.
    """

    use: str
    select: np.ndarray  # (n_holdings,) bool
    amount: Array | None
    method: Method
    order: np.ndarray | None = None


@dataclass(frozen=True)
class PoolSplit:
    """The result of the carve-outs.

    ``taken`` has shape (n_scenarios, n_carveouts, n_holdings): USD each carve-out takes from
    each holding. ``left`` has shape (n_scenarios, n_holdings): what no carve-out took.
    ``shortfall`` has shape (n_scenarios, n_carveouts): USD a carve-out asked for beyond what
    was left in its selection (0 when it fits).
    """

    taken: Array
    left: Array
    shortfall: Array


def split(holdings: Array, carves: list[Carve]) -> PoolSplit:
    """Apply the carve-outs in order to holdings of shape (n_scenarios, n_holdings), in USD.

    Examples
    --------
    Two holdings of 60 and 40; take 50 pro rata from both, then the remainder:

    >>> h = np.array([[60.0, 40.0]])
    >>> both = np.array([True, True])
    >>> s = split(h, [Carve("a", both, np.array([50.0]), Method.pro_rata),
    ...               Carve("b", both, None, Method.pro_rata)])
    >>> s.taken[0].tolist()
    [[30.0, 20.0], [30.0, 20.0]]
    >>> float(s.left.sum())
    0.0
    """
    left = np.array(holdings, dtype=float)
    taken = np.zeros((left.shape[0], len(carves), left.shape[1]))
    short = np.zeros((left.shape[0], len(carves)))
    for c, carve in enumerate(carves):
        avail = np.where(carve.select, left, 0.0)
        total = avail.sum(axis=1)
        want = total if carve.amount is None else np.broadcast_to(carve.amount, total.shape)
        short[:, c] = np.maximum(want - total, 0.0)
        want = np.minimum(want, total)
        if carve.method is Method.pro_rata:
            frac = np.divide(want, total, out=np.zeros_like(total), where=total > 0)
            take = avail * frac[:, None]
        else:
            take = _in_order(avail, want, carve.order)
        if carve.amount is None:
            take = avail  # the remainder is exactly what is left: no rounding residue
        taken[:, c] = take
        left = left - take
    return PoolSplit(taken=taken, left=left, shortfall=short)


def _in_order(avail: Array, want: Array, order: np.ndarray | None) -> Array:
    """Take ``want`` (n,) from ``avail`` (n, n_holdings) holding by holding, in ``order``.

    Examples
    --------
    >>> _in_order(np.array([[10.0, 20.0, 30.0]]), np.array([35.0]), np.array([2, 0, 1])).tolist()
    [[5.0, 0.0, 30.0]]
    """
    order = np.arange(avail.shape[1]) if order is None else order
    ordered = avail[:, order]
    before = np.cumsum(ordered, axis=1) - ordered
    take = np.empty_like(avail)
    take[:, order] = np.clip(want[:, None] - before, 0.0, ordered)
    return take


def draw_order(ids: Sequence[str], regions: Sequence[str], from_: Sequence[str]) -> np.ndarray:
    """The holdings' indices in the order ``from_`` names them, then the others.

    An id names its holding; a region, its holdings in the pool's order. A holding named
    twice is drawn on where it is first named.

    Examples
    --------
    >>> draw_order(["x", "y", "z"], ["europe", "other", "europe"], ["z", "europe"]).tolist()
    [2, 0, 1]
    """
    out: list[int] = []
    for name in from_:
        out += [i for i, (h, r) in enumerate(zip(ids, regions)) if name in (h, r) and i not in out]
    out += [i for i in range(len(ids)) if i not in out]
    return np.array(out, dtype=np.int64)
