"""The statistics a simulation reports of its per-scenario numbers: each column's mean,
spread, percentiles and chance of a loss, and a histogram of each party's NPV.
"""

from __future__ import annotations

import numpy as np

from finmodel.kinds import Array
from finmodel.studies.quantiles import percentiles

#: The percentiles reported of every metric and of each party's receipts over time.
PERCENTILES = (5, 25, 50, 75, 95)
#: Bins of each party's NPV histogram.
HISTOGRAM_BINS = 30


def column_stats(key: tuple[str, str, str], col: Array) -> dict:
    """count, mean, std, the :data:`PERCENTILES`, the chance of a loss and the standard error
    of the mean of one column of per-scenario numbers (NaN left out); ``key`` is its
    (entity, id, metric).

    Examples
    --------
    >>> row = column_stats(("party", "us", "npv"), np.array([-1.0, 1.0, 3.0, np.nan]))
    >>> row["count"], row["mean"], row["p50"], round(row["prob_loss"], 4)
    (3, 1.0, 1.0, 0.3333)
    """
    entity, ident, metric = key
    x = np.asarray(col)
    x = x[np.isfinite(x)]
    row = {"entity": entity, "id": ident, "metric": metric, "count": x.size}
    if not x.size:
        return row
    if x.min() == x.max():  # a metric no sampled return moves: no sorting
        std, mean, points = 0.0, float(x[0]), [float(x[0])] * len(PERCENTILES)
    else:
        std = float(x.std(ddof=1)) if x.size > 1 else 0.0
        mean, points = float(x.mean()), [float(p) for p in percentiles(x, PERCENTILES)]
    row |= {"mean": mean, "std": std}
    row |= {f"p{q}": float(v) for q, v in zip(PERCENTILES, points)}
    breakeven = 1.0 if metric == "moic" else 0.0  # a MOIC below 1 is a loss
    return row | {"prob_loss": float(np.mean(x < breakeven)), "sem": std / np.sqrt(x.size)}


def histogram(x: Array) -> tuple[Array, Array]:
    """Edges and counts of :data:`HISTOGRAM_BINS` bins over the finite values of ``x``.

    Values too close together for bins of finite width (a volatility of 1e-12 moves an NPV of
    billions by less than a rounding step) are binned as equal values are: over their middle
    +-0.5 USD, as numpy does for constant data, instead of failing.

    Examples
    --------
    >>> edges, counts = histogram(np.array([1e9, 1e9 + 1e-6, np.nan]))
    >>> int(counts.sum()), len(edges), round(float(edges[0]), 3), round(float(edges[-1]), 3)
    (2, 31, 999999999.5, 1000000000.5)
    """
    x = x[np.isfinite(x)]
    lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
    edges = np.linspace(lo, hi, HISTOGRAM_BINS + 1)
    mid = lo + (hi - lo) / 2
    span = (mid - 0.5, mid + 0.5) if not np.all(np.diff(edges) > 0) else None
    counts, edges = np.histogram(x, bins=HISTOGRAM_BINS, range=span)
    return edges, counts
