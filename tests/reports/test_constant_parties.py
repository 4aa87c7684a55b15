"""No histogram or fan for a party whose NPV does not vary (issue 13, point 6)."""

from types import SimpleNamespace

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from finmodel.reports.simulation import constant_parties
from finmodel.studies.simulation import _histogram

npvs = st.floats(-1e11, 1e11, allow_nan=False)


@given(value=npvs, n=st.integers(1, 500), spread=st.floats(2.0, 1e10))
def test_a_constant_npv_is_skipped_and_a_varying_one_drawn(value, n, spread):
    # the same NPV in every scenario: one number, nothing to draw; two scenarios apart by more
    # than a dollar: a histogram worth drawing
    same = np.full(n, value)
    apart = np.array([value, value + spread])
    r = SimpleNamespace(histograms={"same": _histogram(same), "apart": _histogram(apart)})
    assert constant_parties(r) == ["same"]


def test_the_base_europe_grant_does_not_vary():
    # Europe pays $100bn whatever the funds earn: NPV -89.04bn in each of 3 scenarios
    r = SimpleNamespace(histograms={"europe": _histogram(np.full(3, -89.036e9))})
    assert constant_parties(r) == ["europe"]
