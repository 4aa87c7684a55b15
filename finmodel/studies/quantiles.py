"""Exact percentiles of a long 1-D array, without sorting or partitioning all of it.

:func:`percentiles` gives the numbers ``np.percentile(x, q)`` gives (its default "linear"
method) on the float64 values of ``x``, about ten times as fast on a million values in random
order. It is meant for the columns of a simulation's results, done on several threads at once.

Notes
-----
Only the order statistics at the ranks floor(h) and floor(h) + 1, h = (n - 1) q / 100, are
needed. From the least and greatest values lo and hi (numpy's SIMD min and max), a compiled
pass counts the values in 2**16 equal buckets (n / 4 when fewer), value v in bucket
floor((v - lo) * buckets / (hi - lo)), hi in the last. That floating-point formula is monotone
in v, so a bucket's values all lie between those of the buckets before and after it, and the
cumulative counts tell which bucket holds each needed rank and at which rank within it. A
second pass copies out the values of those few buckets. A bucket of at most 1,024 values is
sorted; a larger one (ties, or values crowded into a narrow range beside far outliers: exact,
only slower) is bucketed again between its own least and greatest value, and one that holds a
single value needs nothing more. Each level leaves lo and hi in different buckets, so this
ends. The order statistics are exact, and they are interpolated in float64 as numpy's
``_lerp`` does, so the results are numpy's on ``x.astype(np.float64)`` bit for bit. (On a
float32 ``x``, ``np.percentile`` takes b - a in float32, so may differ by a float32 step.) The
compiled code releases the GIL.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from finmodel.engine.compiled import compiled

_BUCKETS = 1 << 16
_SORT_AT_MOST = 1 << 10  # values: fewer are sorted rather than bucketed


def percentiles(x: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """The ``q`` percentiles (0 to 100) of the 1-D float32 or float64 array ``x``, as float64
    of shape (len(q),): ``np.percentile(x.astype(np.float64), q)``, NaN for all if ``x`` has a
    NaN.

    Examples
    --------
    Four values, n - 1 = 3: the 50th percentile sits at h = 1.5, halfway between the second
    and third smallest; the 90th at h = 2.7.

    >>> x = np.array([4.0, 1.0, 3.0, 2.0], dtype=np.float32)
    >>> percentiles(x, [0, 50, 90, 100]).tolist()
    [1.0, 2.5, 3.7, 4.0]
    """
    x = np.ascontiguousarray(x)
    if x.ndim != 1 or x.size == 0 or x.dtype not in (np.float32, np.float64):
        raise ValueError(f"x must be a non-empty 1-D float32 or float64 array, not {x.dtype}")
    fraction = np.true_divide(np.asarray(q, dtype=np.float64).reshape(-1), 100)
    if not np.all((fraction >= 0) & (fraction <= 1)):
        raise ValueError("Percentiles must be in the range [0, 100]")
    n = x.size
    # numpy's virtual index, its neighbours (the last value past the end) and its weight
    h = (n - 1) * fraction
    below = np.floor(h)
    past_end = h >= n - 1
    below[past_end] = -1
    ranks_below = np.where(past_end, n - 1, below).astype(np.int64)
    ranks_above = np.where(past_end, n - 1, below + 1).astype(np.int64)
    ranks = np.unique(np.concatenate((ranks_below, ranks_above)))
    values = _order_statistics(x, ranks)
    a = values[np.searchsorted(ranks, ranks_below)]
    b = values[np.searchsorted(ranks, ranks_above)]
    t = h - below
    diff = b - a
    return np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)


def _order_statistics(x: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """The ranks-th smallest values of ``x`` (from 0; ranks sorted, distinct), as float64."""
    values = np.empty(ranks.size)
    lo, hi = float(x.min()), float(x.max())  # numpy's min and max: SIMD
    if np.isnan(lo) or np.isnan(hi):  # a NaN makes every percentile NaN, as in numpy
        values[:] = np.nan
        return values
    _select(x, lo, hi, ranks, values)
    return values


@compiled
def _select(x, lo, hi, ranks, out):
    """out[i] = the ranks[i]-th smallest value of x (from 0), for ranks sorted and distinct;
    lo and hi are the least and greatest value of x."""
    n = x.size
    if lo == hi:
        out[:] = lo
        return
    buckets = min(_BUCKETS, n // 4)
    scale = buckets / (hi - lo)
    # few values, or a range too wide (overflows) or too narrow (subnormal) to divide
    if n <= _SORT_AT_MOST or not (np.isfinite(hi - lo) and np.isfinite(scale)):
        out[:] = np.sort(x)[ranks]
        return
    counts = np.zeros(buckets, dtype=np.int64)
    for v in x:
        counts[_bucket(v, lo, scale, buckets)] += 1
    # the bucket of each rank, and how many values the buckets before it hold
    bucket_of = np.empty(ranks.size, dtype=np.int64)
    before = np.empty(ranks.size, dtype=np.int64)
    bucket, below = 0, 0
    for i in range(ranks.size):
        while below + counts[bucket] <= ranks[i]:
            below += counts[bucket]
            bucket += 1
        bucket_of[i], before[i] = bucket, below
    # copy out the values of the buckets needed, each into its own span of `kept`
    start = np.full(buckets, -1, dtype=np.int64)
    size = 0
    for bucket in bucket_of:
        if start[bucket] < 0:
            start[bucket] = size
            size += counts[bucket]
    kept = np.empty(size, dtype=x.dtype)
    filled = start.copy()
    for v in x:
        bucket = _bucket(v, lo, scale, buckets)
        if filled[bucket] >= 0:
            kept[filled[bucket]] = v
            filled[bucket] += 1
    i = 0
    while i < ranks.size:  # the ranks i..j-1 lie in one bucket
        j = i + 1
        while j < ranks.size and bucket_of[j] == bucket_of[i]:
            j += 1
        first = start[bucket_of[i]]
        part = kept[first : first + counts[bucket_of[i]]]
        _select(part, *_min_max(part), ranks[i:j] - before[i], out[i:j])
        i = j


@compiled
def _min_max(x):
    lo = hi = np.float64(x[0])
    for v in x:
        lo = min(lo, np.float64(v))
        hi = max(hi, np.float64(v))
    return lo, hi


@compiled
def _bucket(v, lo, scale, buckets):
    return min(int((np.float64(v) - lo) * scale), buckets - 1)
