"""Break-even solving: each root is the single run's, found to 1e-10 of the input; every root
in the range is found; bad input is one line, exit 2, nothing written."""

from __future__ import annotations

import json

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import separated_roots

import finmodel
from finmodel.cli import main
from finmodel.exceptions import InputError
from finmodel.studies.solve import GRID_POINTS, Probe, find_roots, parse_target, solve
from finmodel.studies.targets import metric
from finmodel.studies.variation import Design

RATE = "vehicles.us_led_fund.return.rate"


@pytest.fixture(scope="module")
def base():
    return finmodel.load("base")


def _party_flows(r, party: str) -> np.ndarray:
    """The party's net receipts per year, summed from the flows table (annual timeline)."""
    f = r.flows.query("party == @party")
    years = r.summary["timeline"]["years"]
    return np.bincount(f.period, weights=f.amount_usd, minlength=years + 1)


def test_discount_rate_that_gives_an_npv_matches_numpy_financial(base):
    # The discount rate moves no money, only the NPV: NPV(r) = sum_k cf_k / (1 + r)^k on an
    # annual timeline. NPV(r) = T is then the IRR of the flows with T paid at time 0, which
    # numpy-financial finds on its own (a polynomial root), independent of finmodel's solver.
    r = finmodel.run(base)
    cf = _party_flows(r, "us")
    target = 50e9
    expected = npf.irr(np.concatenate([[cf[0] - target], cf[1:]]))
    s = solve(base, "discount_rate", (0.0, 0.1), f"parties.us.npv={target}")
    assert len(s.roots) == 1
    assert s.roots[0] == pytest.approx(expected, abs=1e-9)
    # and by hand, the plain loop: the NPV at the root is the target to a few dollars
    npv = sum(c / (1 + s.roots[0]) ** k for k, c in enumerate(cf))
    assert npv == pytest.approx(target, abs=100.0)


def test_each_root_is_the_single_runs_and_the_grid_is_too(base):
    s = solve(base, RATE, (0.0, 0.2), "vehicles.us_led_fund.irr=0.05")
    (x,) = s.roots
    at = finmodel.run(finmodel.with_overrides(base, {RATE: x}))
    assert at.summary["vehicles"]["us_led_fund"]["irr"] == pytest.approx(0.05, abs=1e-9)
    # the grid's points are single runs too
    values, y = s.grid
    assert values.size == GRID_POINTS and values[0] == 0.0 and values[-1] == 0.2
    for i in (0, 17, GRID_POINTS - 1):
        one = finmodel.run(finmodel.with_overrides(base, {RATE: float(values[i])}))
        assert y[i] == one.summary["vehicles"]["us_led_fund"]["irr"]
    # within 1e-10 of the input: the bracket's ends straddle the target
    lo = finmodel.run(finmodel.with_overrides(base, {RATE: x - 2e-10}))
    hi = finmodel.run(finmodel.with_overrides(base, {RATE: x + 2e-10}))
    irr = [v.summary["vehicles"]["us_led_fund"]["irr"] - 0.05 for v in (lo, hi)]
    assert irr[0] < 0 < irr[1]


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(st.floats(0.0, 0.3), st.sampled_from(["parties.us.npv", "parties.ukraine.received",
                                              "vehicles.us_led_fund.moic"]))  # fmt: skip
def test_probe_equals_the_single_run(base, x, name):
    design = Design.grid(base, {RATE: [0.01, 0.02]})
    probe = Probe(design, metric(base, name))
    run = finmodel.run(finmodel.with_overrides(base, {RATE: x}))
    entity, ident, field = name.split(".")
    assert probe(x) == run.summary[entity][ident][field]


@settings(max_examples=60, deadline=None)
@given(separated_roots(), st.sampled_from([1.0, -1.0]))
def test_every_root_in_the_range_is_found(roots, sign):
    # a polynomial with known simple roots: each is found, to 1e-10
    def f(x):
        return sign * np.prod([x - r for r in roots], axis=0)

    x = np.linspace(-1.0, 1.0, GRID_POINTS)
    found = find_roots(x, f(x), lambda t: float(f(t)))
    assert len(found) == len(roots)
    assert np.allclose(found, sorted(roots), atol=1e-10, rtol=0)


def test_reading_target_is_that_readings_figure(base):
    t = parse_target(base, "parties.ukraine.npv=status_quo:parties.ukraine.npv")
    sq = finmodel.run(finmodel.load("status_quo"))
    assert t.value == sq.summary["parties"]["ukraine"]["npv"]
    assert t.reading == "status_quo"


def test_no_root_gives_the_metrics_range(base):
    with pytest.raises(InputError, match=r"runs from 20\.6\d\d bn to 139\.0\d\d bn"):
        solve(base, "discount_rate", (0.0, 0.1), "parties.us.npv=1e15")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--vary", "vehicles.us_led_fund.retrun.rate=0:0.2", "--target", "parties.us.npv=0"],
         "did you mean vehicles.us_led_fund.return.rate"),
        (["--vary", "discount_rate=0:0.1", "--target", "parties.us.nvp=0"],
         "did you mean parties.us.npv"),
        (["--vary", "vehicles.us_led_fund.payout=0:2", "--target", "parties.us.npv=0"],
         "HIGH 2 is refused"),
        (["--vary", "discount_rate=0:0.1", "--target", "parties.us.npv=1e15"],
         "no root in the range"),
        (["--vary", "discount_rate=0.1", "--target", "parties.us.npv=0"], "KEY=LOW:HIGH"),
        (["--vary", "discount_rate=0.1:0.05", "--target", "parties.us.npv=0"], "LOW must be"),
        (["--vary", "discount_rate=0:0.1", "--target", "parties.us.npv=nowhere"],
         "neither a number"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, capsys, args, says):
    out = tmp_path / "out"
    assert main(["solve", *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and says in err and "Traceback" not in err
    assert not out.exists()


def test_cli_writes_roots_and_the_solved_summary(tmp_path, capsys):
    code = main(["solve", "--vary", "discount_rate=0:0.1", "--target", "parties.us.npv=50e9",
                 "--out", str(tmp_path)])  # fmt: skip
    assert code == 0
    doc = json.loads((tmp_path / "base.solve.json").read_text())
    (root,) = doc["roots"]
    assert doc["solved"][0]["summary"]["discount_rate"] == root
    assert doc["solved"][0]["summary"]["parties"]["us"]["npv"] == pytest.approx(50e9, abs=100.0)
    csv = (tmp_path / "base.solve.csv").read_text().splitlines()
    assert len(csv) == 2 and csv[1].startswith("discount_rate,")
    assert "discount_rate = " in capsys.readouterr().out
