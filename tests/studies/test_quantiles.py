"""finmodel.studies.quantiles.percentiles against numpy's percentile and by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from finmodel.studies.quantiles import _order_statistics, percentiles

Q = (0, 5, 25, 50, 75, 95, 100)


def _check(x, q=Q):
    """The order statistics numpy interpolates between are exactly the k-th smallest values,
    the results numpy's on the float64 values (bit for bit: the interpolation is numpy's), and
    within one float32 step of np.percentile computed on float32 (which takes b - a in float32).
    """
    n = x.size
    h = (n - 1) * (np.asarray(q, dtype=np.float64) / 100)
    ranks = np.unique(np.minimum(np.concatenate((np.floor(h), np.floor(h) + 1)), n - 1))
    ranks = ranks.astype(np.int64)
    np.testing.assert_array_equal(_order_statistics(x, ranks), np.sort(x)[ranks])

    got = percentiles(x, q)
    expected = np.percentile(x.astype(np.float64), q)
    assert got.dtype == np.float64 and got.shape == (len(q),)
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_array_equal(got, expected)
    if x.dtype == np.float32:
        step = np.spacing(np.abs(x).max())
        np.testing.assert_allclose(got, np.percentile(x, q), rtol=0, atol=step)


@pytest.mark.parametrize(
    ("x", "q", "expected"),
    [
        ([1, 2, 3, 4], [50], [2.5]),
        ([4, 1, 3, 2], [0, 100], [1, 4]),
        ([1, 2, 3, 4], [25, 75], [1.75, 3.25]),  # h = 0.75 and 2.25
        ([10, 20], [0, 10, 50, 100], [10, 11, 15, 20]),
        ([7], [0, 5, 50, 100], [7, 7, 7, 7]),
        ([-3, -1, -2, 5], [50], [-1.5]),
        ([2, 2, 2], [0, 33, 100], [2, 2, 2]),
    ],
)
def test_by_hand(x, q, expected):
    for dtype in (np.float32, np.float64):
        assert percentiles(np.array(x, dtype=dtype), q).tolist() == expected


def test_bad_input():
    with pytest.raises(ValueError, match="range"):
        percentiles(np.ones(3), [101])
    with pytest.raises(ValueError, match="1-D"):
        percentiles(np.ones((2, 2)), [50])
    with pytest.raises(ValueError, match="1-D"):
        percentiles(np.array([], dtype=np.float32), [50])


def _arrays(dtype):
    width = 32 if dtype == np.float32 else 64
    wide = st.floats(-(2.0**100), 2.0**100, width=width)  # no float64 difference overflows
    few = st.sampled_from([-2.5, -1.0, 0.0, 0.5, 3.0, 1e6])  # many ties
    near = st.floats(99.0, 101.0, width=width)  # crowded into a few buckets, with far outliers
    elements = st.one_of(wide, few, near)
    shape = st.integers(1, 5000)
    return st.one_of(
        hnp.arrays(dtype, shape, elements=wide),
        hnp.arrays(dtype, shape, elements=few),
        hnp.arrays(dtype, shape, elements=st.one_of(few, near)),
        hnp.arrays(dtype, shape, elements=elements),
        hnp.arrays(dtype, shape, elements=elements, fill=st.just(dtype(42))),  # near-constant
        st.builds(lambda n, v: np.full(n, v, dtype=dtype), shape, wide),
    )


@settings(max_examples=300, deadline=None)
@given(
    x=st.one_of(_arrays(np.float32), _arrays(np.float64)),
    q=st.lists(st.floats(0, 100), min_size=1, max_size=8),
)
def test_against_numpy(x, q):
    _check(x, q)


def test_large_normal():
    rng = np.random.default_rng(1)
    _check(rng.standard_normal(1_000_000).astype(np.float32))
    _check(rng.standard_normal(1_000_000))


def test_large_skewed():
    """99% of a million values identical; the rest spread on both sides, one far out."""
    rng = np.random.default_rng(2)
    x = np.where(rng.random(1_000_000) < 0.99, 7.0, rng.standard_normal(1_000_000) * 100)
    x[12345] = 1e9
    _check(x.astype(np.float32), (0, 0.4, 0.5, 1, 5, 50, 95, 99.5, 99.6, 100))
    _check(x, (0, 0.4, 0.5, 1, 5, 50, 95, 99.5, 99.6, 100))
    heavy = rng.lognormal(0, 3, 1_000_000).astype(np.float32)  # most in the first bucket
    _check(heavy)


def test_ranges_too_wide_or_narrow_to_divide():
    rng = np.random.default_rng(3)
    wide = rng.choice([-1.7e308, -1.0, 0.0, 2.0, 1.7e308], 3000)  # max - min overflows
    tiny = rng.choice([0.0, 5e-324, 1e-323, 1e-310], 3000)  # subnormal range: 2**16 / range = inf
    for x in (wide, tiny):
        ranks = np.array([0, 1, 1499, 1500, 2999])
        np.testing.assert_array_equal(_order_statistics(x, ranks), np.sort(x)[ranks])
    np.testing.assert_array_equal(percentiles(tiny, Q), np.percentile(tiny, Q))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_nan_makes_every_percentile_nan_as_in_numpy(dtype):
    x = np.arange(2000, dtype=dtype)
    x[700] = np.nan
    q = [0, 5, 50, 95, 100]
    assert np.isnan(np.percentile(x, q)).all()
    assert np.isnan(percentiles(x, q)).all()
