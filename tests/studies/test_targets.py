"""The metrics a break-even may target are exactly the numbers the summary carries for each
party (in total and by vehicle) and each vehicle, and each equals the summary's figure."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings

import finmodel
from finmodel.studies.solve import solve
from finmodel.studies.targets import metric, metric_names
from tests.strategies import assumption_dicts, validated


def _summary_metrics(summary: dict) -> dict[str, float | None]:
    """Every number (or null) under the summary's ``parties`` and ``vehicles``, by its dotted
    path: read off the JSON independently of finmodel's list of metrics."""
    out: dict[str, float | None] = {}

    def walk(node, path):
        if isinstance(node, dict):
            for k, v in node.items():
                if k != "irr_note":  # text (null when the IRR is defined), not a metric
                    walk(v, f"{path}.{k}")
        elif node is None or (isinstance(node, (int, float)) and not isinstance(node, bool)):
            out[path] = node

    for entity in ("parties", "vehicles"):
        walk(summary[entity], entity)
    return out


def _agrees(a, r) -> None:
    found = _summary_metrics(r.summary)
    # an undefined IRR is null in the summary, NaN as a metric
    assert set(found) == set(metric_names(a))
    for name, value in found.items():
        got = float(metric(a, name).of(r.outcome)[0])
        if value is None:
            assert math.isnan(got), name
        else:
            assert got == value, (name, got, value)


def test_every_summary_metric_of_the_base_case_is_a_target_with_the_summary_value():
    a = finmodel.load("base")
    _agrees(a, finmodel.run(a))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assumption_dicts())
def test_every_summary_metric_is_a_target_with_the_summary_value(d):
    a = validated(d)
    _agrees(a, finmodel.run(a))


def test_npv_with_claims_is_a_solve_target():
    # status_quo: the whole pool, 298.458 bn, stays frozen and is written off by Russia at the
    # start (its NPV -298.458 bn); the EU takes EUR 45bn x 1.16 = 52.2 bn of it for its loan, so
    # Russia's claim at the horizon is 298.458 - 52.2 = 246.258 bn, valued at recovery r and
    # discounted (30 years, 4%): npv_with_claims(r) = -298.458 + r 246.258 / 1.04^30 (bn).
    # Equal to -250 bn at r = (298.458 - 250) 1.04^30 / 246.258 = 0.638 (by hand).
    a = finmodel.load("status_quo")
    s = solve(a, "claims.recovery", (0.0, 1.0), "parties.russia.npv_with_claims=-250e9")
    assert len(s.roots) == 1
    assert abs(s.roots[0] - (298.458 - 250.0) * 1.04**30 / 246.258) < 1e-9


def test_a_by_vehicle_metric_is_a_solve_target():
    # the US's NPV from the US-led fund alone equal to 40 bn: checked on the single run
    a = finmodel.load("base")
    key = "vehicles.us_led_fund.return.rate"
    s = solve(a, key, (0.0, 0.2), "parties.us.by_vehicle.us_led_fund.npv=40e9")
    r = finmodel.run(finmodel.with_overrides(a, {key: s.roots[0]}))
    got = r.summary["parties"]["us"]["by_vehicle"]["us_led_fund"]["npv"]
    assert np.isclose(got, 40e9, rtol=0, atol=1.0)
