"""Global sensitivity: indices checked against closed forms; every point the single run; bad
input is one line, exit 2, nothing written."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.cli import main
from finmodel.exceptions import InputError
from finmodel.studies.factors import Factor, factors
from finmodel.studies.sensitivity import evaluate_points, sensitivity

PRICE = "vehicles.znpp_output.stream.energy.price_per_mwh"
FACTOR = "vehicles.znpp_output.stream.energy.capacity_factor"
GUARANTEE = "vehicles.us_guarantee_compensation.stream.amount_bn"
N = 1024  # base samples: N (D + 2) = 4,096 runs for two inputs


@pytest.fixture(scope="module")
def base():
    return finmodel.load("base")


def _indices(r, output):
    t = r.table.query("output == @output").set_index("input")
    return t


def _npv(a, overrides, party="ukraine"):
    return finmodel.run(finmodel.with_overrides(a, overrides)).summary["parties"][party]["npv"]


def test_additive_inputs_first_order_indices_are_the_variance_shares(base):
    # Ukraine receives half the ZNPP output's revenue (linear in the price) and pays the US
    # guarantee compensation (linear in its amount): NPV = K + a p - b g, additive. For
    # uniform inputs Var(a p) = a^2 (hi - lo)^2 / 12, so S1_p = a^2 w_p^2 / (a^2 w_p^2 + b^2 w_g^2)
    # (the 12s cancel), S1_g = 1 - S1_p, and ST = S1.
    a_slope = (_npv(base, {PRICE: 150}) - _npv(base, {PRICE: 30})) / 120
    b_slope = (_npv(base, {GUARANTEE: 5}) - _npv(base, {GUARANTEE: 0})) / 5
    # linear indeed: the midpoint is the average of the ends
    mid = _npv(base, {PRICE: 90})
    assert mid == pytest.approx((_npv(base, {PRICE: 150}) + _npv(base, {PRICE: 30})) / 2, rel=1e-12)
    vp, vg = (a_slope * 120) ** 2, (b_slope * 5) ** 2
    expected = {PRICE: vp / (vp + vg), GUARANTEE: vg / (vp + vg)}
    r = sensitivity(base, N, seed=3, keys={PRICE: (30, 150), GUARANTEE: (0, 5)})
    t = _indices(r, "parties.ukraine.npv")
    for key, share in expected.items():
        assert t.loc[key, "S1"] == pytest.approx(share, abs=0.02)
        assert t.loc[key, "ST"] == pytest.approx(share, abs=0.02)
    assert t["S1"].sum() == pytest.approx(1.0, abs=0.02)


def test_interaction_total_exceeds_first_order_by_the_analytic_amount(base):
    # Ukraine's NPV from the ZNPP stream is K + k (p - c) q (price p, running cost c a MWh,
    # capacity factor q). With p' = p - c, for independent uniform p', q with means m,
    # variances v: Var(p'q) = (v_p + m_p^2)(v_q + m_q^2) - m_p^2 m_q^2; V_p = v_p m_q^2,
    # V_q = v_q m_p^2, V_pq = v_p v_q; k cancels (p' has p's variance, its mean less c).
    (p0, p1), (q0, q1) = (30.0, 150.0), (0.5, 0.9)
    energy = base.vehicles["znpp_output"].stream.energy
    mp, mq = (p0 + p1) / 2 - energy.cost_per_mwh, (q0 + q1) / 2
    vp, vq = (p1 - p0) ** 2 / 12, (q1 - q0) ** 2 / 12
    total = (vp + mp**2) * (vq + mq**2) - mp**2 * mq**2
    s1 = {PRICE: vp * mq**2 / total, FACTOR: vq * mp**2 / total}
    interaction = vp * vq / total
    r = sensitivity(base, N, seed=5, keys={PRICE: (p0, p1), FACTOR: (q0, q1)})
    t = _indices(r, "parties.ukraine.npv")
    for key in (PRICE, FACTOR):
        assert t.loc[key, "S1"] == pytest.approx(s1[key], abs=0.02)
        assert t.loc[key, "ST"] - t.loc[key, "S1"] == pytest.approx(interaction, abs=0.01)
    assert interaction > 0.005  # the test can tell an interaction from none


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5), st.integers(1, 3))
def test_every_point_is_the_single_run(base, u, rows):
    # array keys (rates, the discount rate) and design keys (fx, a price) together
    fs = [f for f in factors(base) if f.key in (
        "discount_rate", "vehicles.us_led_fund.return.rate", "vehicles.us_led_fund.payout",
        "fx.EUR.rate", PRICE)]  # fmt: skip
    values = np.array([[f.values(np.array([(x + 0.37 * r) % 1.0]))[0] for f, x in zip(fs, u)]
                       for r in range(rows)])  # fmt: skip
    names, y = evaluate_points(base, fs, values)
    for i in range(rows):
        s = finmodel.run(finmodel.with_overrides(base, {f.key: float(values[i, j])
                                                         for j, f in enumerate(fs)})).summary
        for j, name in enumerate(names):
            entity, ident, field = name.split(".")
            want = s[entity][ident][field]
            assert (y[i, j] == want) or (want is None and np.isnan(y[i, j]))


def test_distributions_map_quantiles():
    # the median is the rate; the lognormal keeps the mean rate and the sd vol
    u = (np.arange(200_000) + 0.5) / 200_000
    for dist in ("normal", "student_t", "lognormal"):
        x = Factor("r", dist, 0.08, 0.1, df=5.0).values(u)
        assert x.mean() == pytest.approx(0.08, abs=2e-3)
        assert x.std() == pytest.approx(0.1, rel=0.03)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["-n", "100"], "power of two (got 100): try 64 or 128"),
        (["-n", "64", "--input", "vehicles.us_led_fund.term_years"], "has no range"),
        (["-n", "64", "--input", "vehicles.us_led_fund.fee_rate"], "did you mean"),
        (["-n", "64", "--input", "timeline.start"], "not a number"),
        (["-n", "64", "--input", "vehicles.znpp_output.stream.energy.capacity_gw"], "has no range"),
        (["-n", "64", "--input", "vehicles.us_led_fund.payout=0.5:1.5"], "HIGH 1.5 is refused"),
        (["-n", "64", "--scheduler", "tcp://127.0.0.1:9"], "cannot reach a Dask scheduler"),
        # 2**30 x (D + 2) runs: refused before the sample (256 GiB) is drawn, not a MemoryError
        (["-n", str(2**30)], "runs; at most 50,000,000: lower N"),
        (["-n", str(2**24), "--method", "morris"], "runs; at most 50,000,000: lower N"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, capsys, args, says):
    out = tmp_path / "out"
    assert main(["sensitivity", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and "Traceback" not in err, err
    assert not out.exists()


def test_refused_sample_is_bad_input(base):
    # a normal return with a huge vol draws rates below -100%, which a run refuses
    a = finmodel.with_overrides(base, {"vehicles.us_led_fund.return.uncertainty.vol": 5.0})
    with pytest.raises(InputError, match="narrow its range"):
        sensitivity(a, 64, keys={"vehicles.us_led_fund.return.rate": None})


def test_morris_effects_of_a_linear_output_are_its_slopes(base):
    # Morris moves one input at a time by a step d of the unit interval: for an output linear
    # in p = low + u w, each elementary effect is (a w d) / d = a w exactly, so mu* = |a| w
    # and sigma = 0 (the slope a from two single runs).
    a_slope = (_npv(base, {PRICE: 150}) - _npv(base, {PRICE: 30})) / 120
    b_slope = (_npv(base, {GUARANTEE: 5}) - _npv(base, {GUARANTEE: 0})) / 5
    r = sensitivity(base, 8, seed=4, method="morris", keys={PRICE: (30, 150), GUARANTEE: (0, 5)})
    t = _indices(r, "parties.ukraine.npv")
    assert t.loc[PRICE, "mu_star"] == pytest.approx(abs(a_slope) * 120, rel=1e-9)
    assert t.loc[GUARANTEE, "mu_star"] == pytest.approx(abs(b_slope) * 5, rel=1e-9)
    assert t.loc[GUARANTEE, "mu"] == pytest.approx(b_slope * 5, rel=1e-9)
    assert t.loc[PRICE, "sigma"] == pytest.approx(0.0, abs=1e-6 * abs(a_slope) * 120)
