"""The vectorised Sobol estimator (finmodel.studies.sobol_indices) against SALib's own
``sobol.analyze`` on the same outputs and seed, and against closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from SALib.analyze import sobol as salib_analyze
from SALib.sample import sobol as salib_sample

from finmodel.studies.sobol_indices import sobol_indices

KEYS = ("S1", "S1_conf", "ST", "ST_conf")


def _problem(d: int) -> dict:
    return {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d}


def _salib(y: np.ndarray, d: int, resamples: int, conf: float, seed: int) -> dict:
    s = salib_analyze.analyze(_problem(d), y, calc_second_order=False, num_resamples=resamples,
                              conf_level=conf, seed=seed)  # fmt: skip
    return {k: np.asarray(s[k]) for k in KEYS}


@settings(max_examples=25, deadline=None)
@given(
    d=st.integers(1, 6),
    log2n=st.integers(3, 9),
    seed=st.integers(1, 2**31),  # SALib seeds its resamples only for a seed > 0
    resamples=st.integers(2, 40),
    conf=st.floats(0.5, 0.99),
    weights=st.lists(st.floats(-5, 5), min_size=6, max_size=6),
    interaction=st.floats(-3, 3),
)
def test_equals_salib_analyze_on_the_same_outputs_and_seed(
    d, log2n, seed, resamples, conf, weights, interaction
):
    # a smooth function with an interaction between the first and the last input
    x = salib_sample.sample(_problem(d), 2**log2n, calc_second_order=False, seed=seed % 1000)
    y = np.sin(3 * x) @ np.array(weights[:d]) + interaction * x[:, 0] * x[:, -1]
    ours = sobol_indices(y, d, resamples, conf, seed)
    theirs = _salib(y, d, resamples, conf, seed)
    for k in KEYS:
        np.testing.assert_allclose(ours[k], theirs[k], rtol=0, atol=1e-12, err_msg=k)


def test_a_constant_output_gives_zero_indices_as_salib_does():
    d = 3
    y = np.full(16 * (d + 2), 7.0)
    with pytest.warns(RuntimeWarning):  # SALib and numpy both warn: 0/0 standardising
        theirs = _salib(y, d, 10, 0.95, 5)
        ours = sobol_indices(y, d, 10, 0.95, 5)
    for k in KEYS:
        np.testing.assert_array_equal(np.nan_to_num(ours[k]), np.nan_to_num(theirs[k]))


def test_seed_zero_gives_the_same_confidence_intervals_each_time():
    # SALib's analyze draws unseeded resamples for seed 0; finmodel's always seeds them
    x = salib_sample.sample(_problem(2), 256, calc_second_order=False, seed=0)
    y = x[:, 0] + x[:, 0] * x[:, 1]
    first, second = sobol_indices(y, 2, 50, 0.95, 0), sobol_indices(y, 2, 50, 0.95, 0)
    for k in KEYS:
        np.testing.assert_array_equal(first[k], second[k])


def test_additive_function_indices_are_the_analytic_variance_shares():
    # y = x0 + 2 x1 + 3 x2, independent U(0, 1): Var(a_i x_i) = a_i^2 / 12, so
    # S1_i = ST_i = a_i^2 / (1 + 4 + 9) = 1/14, 4/14, 9/14
    x = salib_sample.sample(_problem(3), 4096, calc_second_order=False, seed=2)
    s = sobol_indices(x @ np.array([1.0, 2.0, 3.0]), 3, 100, 0.95, 2)
    shares = np.array([1.0, 4.0, 9.0]) / 14.0
    np.testing.assert_allclose(s["S1"], shares, atol=0.01)
    np.testing.assert_allclose(s["ST"], shares, atol=0.01)


def test_a_sample_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="not N"):
        sobol_indices(np.zeros(13), 3, 10, 0.95, 1)
