"""No histogram or fan for a party whose NPV does not vary (issue 13, point 6)."""

from types import SimpleNamespace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from finmodel.reports.simulation import constant_parties
from finmodel.studies.statistics import histogram

npvs = st.floats(-1e11, 1e11, allow_nan=False)


@given(value=npvs, n=st.integers(1, 500), spread=st.floats(2.0, 1e10))
def test_a_constant_npv_is_skipped_and_a_varying_one_drawn(value, n, spread):
    # the same NPV in every scenario: one number, nothing to draw; two scenarios apart by more
    # than a dollar: a histogram worth drawing
    same = np.full(n, value)
    apart = np.array([value, value + spread])
    r = SimpleNamespace(histograms={"same": histogram(same), "apart": histogram(apart)})
    assert constant_parties(r) == ["same"]


def test_the_base_europe_grant_does_not_vary():
    # Europe pays $100bn whatever the funds earn: NPV -89.04bn in each of 3 scenarios
    r = SimpleNamespace(histograms={"europe": histogram(np.full(3, -89.036e9))})
    assert constant_parties(r) == ["europe"]


@given(value=npvs, n=st.integers(2, 500), steps=st.integers(1, 29))
def test_npvs_a_few_rounding_steps_apart_are_one_number(value, n, steps):
    # a volatility of 1e-12 moves an NPV by a few rounding steps: numpy cannot bin that, the
    # histogram widens it as a constant, and it is one number, not a chart
    close = value + np.arange(n) % (steps + 1) * np.spacing(value)
    r = SimpleNamespace(histograms={"close": histogram(close)})
    assert constant_parties(r) == ["close"]
