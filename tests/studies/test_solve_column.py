"""Solving for a key outside a vehicle (the discount rate, the claims' recovery): the
assumptions are compiled once and the key's input set to a column of values. Each value must
give the single run's figure, bit for bit, on any scenario and for any metric."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.studies.solve import GRID_POINTS, Column, solve
from finmodel.studies.targets import metric, metric_names
from tests.strategies import assumption_dicts, validated

#: Each key with a range of values every scenario accepts.
KEYS = {"discount_rate": (0.0, 0.1), "claims.recovery": (0.0, 1.0)}


def _single(a, key: str, value: float, name: str) -> float:
    """The metric in the single run with ``key`` set to ``value``: the path solve must equal."""
    r = finmodel.run(finmodel.with_overrides(a, {key: value}))
    return float(metric(a, name).of(r.outcome)[0])


def _same(x: float, y: float) -> bool:
    return (math.isnan(x) and math.isnan(y)) or x == y


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(d=assumption_dicts(), data=st.data())
def test_each_value_of_the_column_is_the_single_run(d, data):
    a = validated(d)
    key = data.draw(st.sampled_from(sorted(KEYS)))
    lo, hi = KEYS[key]
    values = data.draw(st.lists(st.floats(lo, hi), min_size=1, max_size=4))
    name = data.draw(st.sampled_from(metric_names(a)))
    got = Column(a, key, metric(a, name))(np.array(values))
    for x, y in zip(values, got):
        assert _same(float(y), _single(a, key, x, name)), (key, x, name)


def test_the_grid_and_the_root_are_single_runs_claims_recovery():
    # status_quo: Russia's NPV with claims is -298.458 + r 298.458 / 1.04^30 bn (see
    # test_targets); every grid point equals the single run at its value
    a = finmodel.load("status_quo")
    name = "parties.russia.npv_with_claims"
    s = solve(a, "claims.recovery", (0.0, 1.0), f"{name}=-250e9")
    values, y = s.grid
    assert values.size == GRID_POINTS
    for i in (0, 31, GRID_POINTS - 1):
        assert y[i] == _single(a, "claims.recovery", float(values[i]), name)
    assert abs(_single(a, "claims.recovery", s.roots[0], name) + 250e9) < 1.0
