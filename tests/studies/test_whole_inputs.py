"""Whole-number inputs (years, counts): a sensitivity draws them from the discrete uniform over
their range, as whole numbers the single run takes; a break-even refuses them in one line
that suggests a sweep."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from SALib.sample import sobol as salib_sample

import finmodel
from finmodel.cli import main
from finmodel.studies.factors import Factor, factors
from finmodel.studies.sensitivity import evaluate_points, sensitivity
from finmodel.studies.sobol_indices import sobol_indices

YEARS = "vehicles.reparations_loan_to_ukraine.capital.contributions.1.years"


@given(st.integers(-5, 40), st.integers(1, 30), st.integers(1, 20))
def test_each_whole_number_takes_an_equal_share_of_the_unit_interval(lo, width, m):
    # m k evenly spread points of (0, 1): each of the k whole numbers lo..hi is drawn m times
    hi = lo + width
    k = width + 1
    u = (np.arange(m * k) + 0.5) / (m * k)
    x = Factor("n", "uniform", lo, hi, whole=True).values(u)
    assert np.array_equal(np.bincount((x - lo).astype(int), minlength=k), np.full(k, m))
    ends = Factor("n", "uniform", lo, hi, whole=True).values(np.array([0.0, 1.0]))
    assert ends.tolist() == [lo, hi]


def test_sobol_indices_of_a_discrete_input_are_its_variance_share():
    # y = n + x, n uniform on the whole numbers 1..6 (Var = (6^2 - 1) / 12 = 35/12), x uniform
    # on (0, 6) (Var = 36/12 = 3): S1_n = ST_n = (35/12) / (35/12 + 3) = 35/71, S1_x = 36/71
    problem = {"num_vars": 2, "names": ["n", "x"], "bounds": [[0.0, 1.0]] * 2}
    unit = salib_sample.sample(problem, 4096, calc_second_order=False, seed=3)
    n = Factor("n", "uniform", 1, 6, whole=True).values(unit[:, 0])
    x = Factor("x", "uniform", 0.0, 6.0).values(unit[:, 1])
    s = sobol_indices(n + x, 2, 100, 0.95, 3)
    np.testing.assert_allclose(s["S1"], [35 / 71, 36 / 71], atol=0.01)
    np.testing.assert_allclose(s["ST"], [35 / 71, 36 / 71], atol=0.01)


@pytest.fixture(scope="module")
def reparations():
    return finmodel.load("reparations_loan")


def test_the_file_range_of_a_whole_number_is_whole(reparations):
    f = {x.key: x for x in factors(reparations)}[YEARS]
    assert f.whole and (f.low, f.high) == (1, 6)  # the file's tornado table: [1, 6]


def test_every_point_with_a_whole_number_input_is_the_single_run(reparations):
    fs = factors(reparations, {YEARS: None, "discount_rate": None, "fx.EUR.rate": None})
    unit = np.array([[0.05, 0.5, 0.2], [0.5, 0.1, 0.9], [0.99, 0.7, 0.4]])
    values = np.column_stack([f.values(unit[:, i]) for i, f in enumerate(fs)])
    assert values[:, 0].tolist() == [1.0, 4.0, 6.0]  # 1 + floor(u 6)
    names, y = evaluate_points(reparations, fs, values)
    for i in range(values.shape[0]):
        point = {f.key: f.value(values[i, j]) for j, f in enumerate(fs)}
        assert isinstance(point[YEARS], int)
        s = finmodel.run(finmodel.with_overrides(reparations, point)).summary
        for j, name in enumerate(names):
            entity, ident, field = name.split(".")
            want = s[entity][ident][field]
            assert (y[i, j] == want) or (want is None and np.isnan(y[i, j])), name


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_a_study_of_the_file_ranges_with_a_whole_number_runs(reparations, method):
    r = sensitivity(reparations, 8, seed=1, method=method)
    assert YEARS in set(r.table.input)


def test_a_whole_number_input_needs_whole_bounds(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["sensitivity", "reparations_loan", "-n", "8", "--input", f"{YEARS}=1.5:6",
                 "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "must be whole numbers too" in err, err
    assert not out.exists()


def test_solve_for_a_whole_number_suggests_a_sweep(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["solve", "--vary", "vehicles.us_led_fund.term_years=5:40", "--target",
                 "parties.us.npv=50e9", "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert "a whole number" in err and "no root" in err
    assert "finmodel sweep --vary vehicles.us_led_fund.term_years=5:40:1" in err
    assert not out.exists()
