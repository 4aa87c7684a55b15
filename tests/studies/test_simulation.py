"""Monte Carlo (``finmodel simulate``, ``simulation.simulate``, ``sampling.draw``), and the bad
input of both ``sweep`` and ``simulate`` through the command line.

Statistical assertions use bounds of 4 standard errors (a false alarm about once in 16,000 runs
for a normal estimate); every draw is seeded, so a run's outcome never changes.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy import special
from strategies import BN, fund, scenario, validated

import finmodel
import finmodel.studies.simulation
from finmodel.cli import main
from finmodel.exceptions import InputError
from finmodel.studies.sampling import CHUNK, Sampled, correlation_factor, draw, sampled_vehicles
from finmodel.studies.simulation import simulate
from finmodel.studies.statistics import histogram

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "assumptions" / "base.yaml"
VOLS = (
    "vehicles.us_led_fund.return.uncertainty.vol",
    "vehicles.us_russia_instrument.return.uncertainty.vol",
)
STAT_COLUMNS = [
    "entity",
    "id",
    "metric",
    "count",
    "mean",
    "std",
    "p5",
    "p25",
    "p50",
    "p75",
    "p95",
    "prob_loss",
    "sem",
]
PARTY_METRICS = ("received", "paid", "net", "npv", "terminal_claim", "npv_with_claims")
VEHICLE_METRICS = ("contributed", "distributed", "profit", "moic", "irr", "npv")


def cli(args: list[str]) -> int:
    """``finmodel ARGS``: the exit code (argparse's errors exit through SystemExit)."""
    try:
        return main(args)
    except SystemExit as e:
        return int(e.code)


def stat(r, ident: str, metric: str) -> pd.Series:
    rows = r.stats[(r.stats["id"] == ident) & (r.stats["metric"] == metric)]
    assert len(rows) == 1, (ident, metric)
    return rows.iloc[0]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file in ``folder`` (hidden ones included) with its bytes."""
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def base() -> finmodel.Assumptions:
    return finmodel.load(BASE)


def one_year_fund(dist: str = "normal", vol: float = 0.2, rate: float = 0.05) -> dict:
    """100bn from the pool, all deployed at once, nothing paid out, liquidated after 1 year:
    it pays 100bn * (1 + r), so its profit, 100bn * r, is linear in the year's return."""
    ret = {"rate": rate, "uncertainty": {"dist": dist, "vol": vol}}
    return scenario({"f": fund(term_years=1, **{"return": ret})}, years=3, pool_bn=100.0)


# --- reproducibility -----------------------------------------------------------------------------


def test_same_seed_same_csv_bytes_different_seed_differs(tmp_path, capsys):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, "11"), (b, "11"), (c, "12")):
        assert cli(["simulate", "-n", "2000", "--seed", seed, "--out", str(out)]) == 0
    capsys.readouterr()
    name = "base.simulation.csv"
    assert sorted(p.name for p in a.iterdir()) == [name, "base.simulation.xlsx"]
    assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / name).read_bytes() != (c / name).read_bytes()


@pytest.mark.parametrize("method", ["mc", "lhs"])
def test_same_seed_same_numbers_api(base, method):
    r1 = simulate(base, 3000, seed=5, method=method)
    r2 = simulate(base, 3000, seed=5, method=method)
    pd.testing.assert_frame_equal(r1.stats, r2.stats, check_exact=True)
    pd.testing.assert_frame_equal(r1.fan, r2.fan, check_exact=True)
    r3 = simulate(base, 3000, seed=6, method=method)
    assert stat(r3, "us", "npv")["mean"] != stat(r1, "us", "npv")["mean"]


def test_mc_and_lhs_differ(base):
    mc = simulate(base, 2000, seed=5, method="mc")
    lhs = simulate(base, 2000, seed=5, method="lhs")
    assert stat(mc, "us", "npv")["mean"] != stat(lhs, "us", "npv")["mean"]


# --- volatility 0: the deterministic run ---------------------------------------------------------


def _assert_collapses_to(r, det: dict, n: int, rel: float) -> None:
    for pid, p in det["parties"].items():
        for m in ("received", "npv", "net", "paid"):
            row = stat(r, pid, m)
            assert row["count"] == n
            for q in ("p5", "p50", "p95", "mean"):
                assert row[q] == pytest.approx(p[m], rel=rel, abs=1e-3), (pid, m, q)
    for vid, v in det["vehicles"].items():
        for m in ("irr", "moic", "profit", "npv"):
            row = stat(r, vid, m)
            if v[m] is None:
                assert row["count"] == 0, (vid, m)
                continue
            assert row["count"] == n
            for q in ("p5", "p50", "p95", "mean"):
                assert row[q] == pytest.approx(v[m], rel=rel, abs=1e-9 if m == "irr" else 1e-3), (
                    vid,
                    m,
                    q,
                )


@pytest.mark.parametrize("method", ["mc", "lhs"])
def test_vol_zero_gives_the_deterministic_run(method):
    a = finmodel.load(BASE, {k: 0.0 for k in VOLS})
    det = finmodel.run(a).summary
    r = simulate(a, 500, seed=3, method=method)
    _assert_collapses_to(r, det, 500, rel=1e-12)
    # no spread beyond the rounding of a mean of equal numbers
    spread = r.stats.dropna(subset=["std"])
    assert (spread["std"] <= 1e-12 * spread["mean"].abs() + 1e-9).all()


def test_vol_zero_with_correlation_gives_the_deterministic_run():
    corr = [[1, 0.5], [0.5, 1]]
    a = finmodel.load(BASE, {**{k: 0.0 for k in VOLS}, "correlation": corr})
    _assert_collapses_to(simulate(a, 300, seed=1), finmodel.run(a).summary, 300, rel=1e-12)


@pytest.mark.parametrize("dist", ["normal", "lognormal", "student_t"])
@pytest.mark.parametrize("frequency", ["annual", "quarterly"])
def test_tiny_vol_gives_the_deterministic_run(dist, frequency):
    """The sampled path through the engine (not only the vol-0 shortcut) is the same model."""
    ret = {"path": [0.02, 0.07, -0.03, 0.05], "uncertainty": {"dist": dist, "vol": 1e-10}}
    d = scenario(
        {
            "f": fund(
                term_years=8, payout=0.5, deployment={"years": 2}, cash_rate=0.03, **{"return": ret}
            )
        },
        years=6,
        frequency=frequency,
    )
    a = validated(d)
    _assert_collapses_to(simulate(a, 200, seed=2), finmodel.run(a).summary, 200, rel=1e-7)


@pytest.mark.parametrize("steps", [1, 5, 29])
def test_npvs_too_close_for_finite_bins_still_give_a_histogram(steps):
    """A tiny volatility (1e-12) moves NPVs of billions by a few rounding steps: numpy cannot
    cut that range into 30 bins of finite width and raises. The histogram bins them as numpy
    bins equal values (their value +-0.5 USD), every scenario counted."""
    npv = 63.4 * BN + np.arange(200) % (steps + 1) * np.spacing(63.4 * BN)
    with pytest.raises(ValueError, match="finite-sized bins"):
        np.histogram(npv, bins=30)  # the case: numpy's own binning refuses it
    edges, counts = histogram(np.append(npv, np.nan))
    assert counts.sum() == 200 and len(edges) == 31
    assert edges[0] < npv.min() and npv.max() < edges[-1]
    assert edges[-1] - edges[0] == pytest.approx(1.0, abs=1e-4)  # their middle +-0.5 USD


# --- statistics against closed forms -------------------------------------------------------------


@pytest.mark.parametrize("dist", ["normal", "lognormal", "student_t"])
@pytest.mark.parametrize("seed", [1, 2])
def test_mean_of_a_linear_metric(dist, seed):
    """Profit = 100bn * r: its mean is 100bn * rate (each distribution has mean = rate)."""
    a = validated(one_year_fund(dist, vol=0.2))
    det = finmodel.run(a).summary["vehicles"]["f"]["profit"]
    assert det == pytest.approx(5 * BN, rel=1e-12)
    row = stat(simulate(a, 20_000, seed=seed, method="mc"), "f", "profit")
    assert row["count"] == 20_000
    assert abs(row["mean"] - 5 * BN) < 4 * row["sem"]
    assert row["sem"] == pytest.approx(row["std"] / math.sqrt(20_000), rel=1e-12)
    assert row["std"] == pytest.approx(0.2 * 100 * BN, rel=0.05)


@pytest.mark.parametrize("seed", [1, 2])
def test_median_of_a_symmetric_case(seed):
    """Normal returns: the median profit is the deterministic one, within 4 SEs of a median."""
    a = validated(one_year_fund("normal", vol=0.2))
    det = finmodel.run(a).summary["vehicles"]["f"]["profit"]
    row = stat(simulate(a, 20_000, seed=seed), "f", "profit")
    se_median = math.sqrt(math.pi / 2) * row["sem"]
    assert abs(row["p50"] - det) < 4 * se_median
    # and the quantiles sit where the normal puts them
    for q, z in (("p5", -1.6449), ("p25", -0.6745), ("p75", 0.6745), ("p95", 1.6449)):
        assert row[q] == pytest.approx(det + z * 20 * BN, abs=0.05 * 20 * BN), q


def test_lhs_mean_of_a_linear_metric_is_nearly_exact():
    """LHS stratifies the single dimension the profit depends on: far inside MC's error."""
    a = validated(one_year_fund("normal", vol=0.2))
    row = stat(simulate(a, 20_000, seed=4, method="lhs"), "f", "profit")
    assert abs(row["mean"] - 5 * BN) < 0.1 * row["sem"]
    assert row["std"] == pytest.approx(20 * BN, rel=0.01)


@pytest.mark.parametrize("method", ["mc", "lhs"])
def test_base_case_is_reasonable(base, method):
    r = simulate(base, 4000, seed=9, method=method)
    det = finmodel.run(base).summary
    assert list(r.stats.columns) == STAT_COLUMNS
    qs = r.stats[["p5", "p25", "p50", "p75", "p95"]].dropna().to_numpy()
    assert np.all(np.diff(qs, axis=1) >= 0)
    for pid in ("us", "ukraine"):
        row = stat(r, pid, "npv")
        assert row["p5"] < det["parties"][pid]["npv"] < row["p95"]
        assert row["std"] > 0
    for vid in ("us_led_fund", "us_russia_instrument"):
        row = stat(r, vid, "irr")
        assert row["count"] == 4000
        assert abs(row["p50"] - det["vehicles"][vid]["irr"]) < 0.01
    # Russia's contributions are fixed: no spread in what it pays
    assert stat(r, "russia", "paid")["std"] == 0
    assert 0 <= stat(r, "russia", "net")["prob_loss"] <= 1


def test_prob_loss_and_sem(base, monkeypatch):
    """prob_loss is the share of scenarios below 0; sem = std / sqrt(count)."""
    cols = _capture_columns(monkeypatch)
    r = simulate(base, 3000, seed=8)
    for (_, ident, metric), x in cols.items():
        row = stat(r, ident, metric)
        x = x[np.isfinite(x)]
        if x.size == 0:
            continue
        assert row["prob_loss"] == np.mean(x < 0)
        assert row["mean"] == pytest.approx(x.mean(), rel=1e-12, abs=1e-9)
        # a metric no sampled return moves is constant: its std is exactly 0, where numpy's
        # two-pass std of ~1e11 USD values leaves rounding noise (~1e-6 USD)
        std = 0.0 if x.min() == x.max() else x.std(ddof=1)
        assert row["sem"] == pytest.approx(std / math.sqrt(x.size), rel=1e-9, abs=1e-9)


# --- sampling.draw -------------------------------------------------------------------------------


def _base_pair(corr: float, rate2: float = 0.08):
    """Base with its two sampled funds at equal vol (and normal), correlated by ``corr``.

    The base's funds (the vehicles with a return, which ``correlation`` has a row for) are
    us_led_fund and us_russia_instrument.
    """
    c = np.eye(2)
    c[0, 1] = c[1, 0] = corr
    over = {
        "correlation": c.tolist(),
        VOLS[0]: 0.08,
        VOLS[1]: 0.08,
        "vehicles.us_russia_instrument.return.rate": rate2,
    }
    a = finmodel.load(BASE, over)
    vs = sampled_vehicles(a)
    assert [s.vehicle for s in vs] == ["us_led_fund", "us_russia_instrument"]
    return a, vs, correlation_factor(a, vs)


@pytest.mark.parametrize("method", ["mc", "lhs"])
def test_correlation_one_gives_identical_returns(method):
    _, vs, factor = _base_pair(1.0)
    d = draw(vs, factor, 5000, seed=3, chunk=0, method=method)
    x, y = d["us_led_fund"], d["us_russia_instrument"]
    assert x.shape == (5000, 30)
    assert x.std() > 0.07
    np.testing.assert_allclose(x, y, rtol=0, atol=1e-14)


@pytest.mark.parametrize("method", ["mc", "lhs"])
def test_correlation_minus_one_mirrors_around_the_rates(method):
    _, vs, factor = _base_pair(-1.0, rate2=0.05)
    d = draw(vs, factor, 5000, seed=3, chunk=0, method=method)
    x, y = d["us_led_fund"] - 0.08, d["us_russia_instrument"] - 0.05
    assert x.std() > 0.07
    np.testing.assert_allclose(x, -y, rtol=0, atol=1e-14)


@pytest.mark.parametrize("rho", [0.0, 0.5, -0.3])
def test_sample_correlation(rho):
    _, vs, factor = _base_pair(rho)
    d = draw(vs, factor, 4000, seed=1, chunk=0, method="mc")
    got = np.corrcoef(d["us_led_fund"].ravel(), d["us_russia_instrument"].ravel())[0, 1]
    assert got == pytest.approx(rho, abs=0.02)  # 120,000 pairs: sd of the estimate < 0.003


def test_correlation_one_end_to_end():
    """Two funds alike in every way, perfectly correlated: identical IRRs in every scenario."""
    a, _, _ = _base_pair(1.0)
    r = simulate(a, 3000, seed=4)
    x, y = stat(r, "us_led_fund", "irr"), stat(r, "us_russia_instrument", "irr")
    for q in ("mean", "std", "p5", "p50", "p95"):
        assert x[q] == pytest.approx(y[q], rel=1e-9, abs=1e-12), q
    assert x["std"] > 0


def test_no_correlation_means_independent():
    a = finmodel.load(BASE, {VOLS[1]: 0.08})
    assert a.correlation is None
    vs = sampled_vehicles(a)
    d = draw(vs, correlation_factor(a, vs), 4000, seed=2, chunk=0, method="mc")
    got = np.corrcoef(d["us_led_fund"].ravel(), d["us_russia_instrument"].ravel())[0, 1]
    assert abs(got) < 0.02


def test_only_vehicles_with_vol_are_sampled(base):
    assert [s.vehicle for s in sampled_vehicles(base)] == ["us_led_fund", "us_russia_instrument"]
    a = finmodel.load(BASE, {VOLS[0]: 0.0})
    assert [s.vehicle for s in sampled_vehicles(a)] == ["us_russia_instrument"]


def _one(dist: str, vol: float, rate: float = 0.05, df: float = 5.0, years: int = 5):
    return [Sampled("f", np.full(years, rate), dist, vol, df)]


@pytest.mark.parametrize("vol", [0.1, 0.3, 1.0])
def test_lognormal_draws(vol):
    x = draw(_one("lognormal", vol), np.eye(1), 40_000, seed=7, chunk=0, method="mc")["f"]
    assert np.all(x > -1)
    se = x.std() / math.sqrt(x.size)
    assert abs(x.mean() - 0.05) < 4 * se
    assert x.std() == pytest.approx(vol, rel=0.05 if vol < 1 else 0.15)
    # log(1 + r) is normal: its skew is 0 while r's is positive
    y = np.log1p(x)
    skew = float(np.mean((y - y.mean()) ** 3) / y.std() ** 3)
    assert abs(skew) < 4 * math.sqrt(6 / y.size)
    assert np.mean((x - x.mean()) ** 3) > 0


@pytest.mark.parametrize("df", [5.0, 8.0])
def test_student_t_draws(df):
    x = draw(_one("student_t", 0.1, df=df), np.eye(1), 40_000, seed=7, chunk=0, method="mc")["f"]
    se = x.std() / math.sqrt(x.size)
    assert abs(x.mean() - 0.05) < 4 * se
    assert x.std() == pytest.approx(0.1, rel=0.05)
    kurtosis = np.mean((x - x.mean()) ** 4) / x.var() ** 2
    assert kurtosis > 3.5  # fatter tails than the normal's 3 (t: 3 + 6 / (df - 4))
    assert np.all(x >= -1)


def test_student_t_mixing_quantile_is_scipys_chi2():
    # sampling computes the chi-squared quantile without importing scipy.stats (slow to import)
    from scipy import stats

    p = np.random.default_rng(3).random(10_000)
    for df in (3.0, 5.0, 12.5):
        np.testing.assert_array_equal(2.0 * special.gammaincinv(df / 2, p), stats.chi2.ppf(p, df))


def test_normal_draws():
    x = draw(_one("normal", 0.1), np.eye(1), 40_000, seed=7, chunk=0, method="mc")["f"]
    assert abs(x.mean() - 0.05) < 4 * x.std() / math.sqrt(x.size)
    assert x.std() == pytest.approx(0.1, rel=0.02)


def test_normal_draws_are_floored_at_minus_one():
    x = draw(_one("normal", 2.0), np.eye(1), 2000, seed=1, chunk=0, method="mc")["f"]
    assert x.min() == -1.0
    assert np.mean(x == -1.0) == pytest.approx(special.ndtr(-1.05 / 2.0), abs=0.02)


def test_lhs_is_stratified():
    n = 1000
    x = draw(_one("normal", 0.1, years=4), np.eye(1), n, seed=2, chunk=0, method="lhs")["f"]
    u = special.ndtr((x - 0.05) / 0.1)
    for year in range(4):
        strata = np.floor(u[:, year] * n).astype(int)
        assert sorted(strata.tolist()) == list(range(n)), year


def test_chunks_draw_different_numbers():
    s = _one("normal", 0.1)
    a = draw(s, np.eye(1), 100, seed=1, chunk=0, method="mc")["f"]
    b = draw(s, np.eye(1), 100, seed=1, chunk=1, method="mc")["f"]
    c = draw(s, np.eye(1), 100, seed=2, chunk=0, method="mc")["f"]
    assert not np.array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(a, draw(s, np.eye(1), 100, seed=1, chunk=0, method="mc")["f"])


# --- chunks and memory ---------------------------------------------------------------------------


def _capture_columns(monkeypatch) -> dict:
    """Make ``simulate`` keep a copy of its per-scenario columns (filled in by _stats)."""
    real = finmodel.studies.simulation._stats
    seen: dict = {}

    def spy(cols, *args):
        seen.update({k: np.array(v, dtype=float) for k, v in cols.items()})
        return real(cols, *args)

    monkeypatch.setattr(finmodel.studies.simulation, "_stats", spy)
    return seen


def _always_defined(deterministic: dict, key) -> bool:
    """Whether a metric is defined in every scenario: any vehicle metric the deterministic run
    (its ``summary``) leaves undefined (the IRR of a grant, the MOIC of a stream nobody pays
    into) stays so."""
    entity, ident, metric = key
    if entity != "vehicle":
        return True
    value = deterministic["vehicles"][ident][metric]
    return value is not None and not np.isnan(value)


@pytest.mark.parametrize("method", ["mc", "lhs"])
def test_n_not_a_multiple_of_chunk(base, monkeypatch, method):
    n = 2 * CHUNK + 5
    cols = _capture_columns(monkeypatch)
    r = simulate(base, n, seed=1, method=method)
    assert r.n == n
    deterministic = finmodel.run(base).summary
    for key, x in cols.items():
        assert x.shape == (n,)
        row = stat(r, key[1], key[2])
        if _always_defined(deterministic, key):
            assert not np.isnan(x).any(), key
            assert row["count"] == n, key
        else:  # a grant's or a release's IRR does not exist: null in every scenario
            assert row["count"] == 0, key
    us = cols[("party", "us", "npv")]
    # the last, short chunk holds fresh scenarios, not copies of the first
    assert len(np.unique(us[-5:])) == 5
    assert not np.isin(us[-5:], us[:CHUNK]).any()
    assert r.fan.notna().all().all()


def test_chunk_c_is_the_same_whatever_n(base, monkeypatch):
    cols = _capture_columns(monkeypatch)
    simulate(base, CHUNK + 7, seed=3)
    long = cols[("party", "us", "npv")]
    simulate(base, 10, seed=3)
    short = cols[("party", "us", "npv")]
    np.testing.assert_array_equal(long[:10], short)


def test_memory_mapped_store_gives_the_same_numbers(base, monkeypatch):
    in_memory = simulate(base, 1500, seed=2)
    monkeypatch.setattr(finmodel.studies.simulation, "MEMORY_BUDGET", 0)
    mapped = simulate(base, 1500, seed=2)
    pd.testing.assert_frame_equal(in_memory.stats, mapped.stats, check_exact=True)
    pd.testing.assert_frame_equal(in_memory.fan, mapped.fan, check_exact=True)


# --- the files -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sim_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    assert (
        cli(["simulate", "-n", "3000", "--seed", "42", "--method", "lhs", "--out", str(out)]) == 0
    )
    return out


def test_csv(sim_run, base):
    df = pd.read_csv(sim_run / "base.simulation.csv")
    assert list(df.columns) == STAT_COLUMNS
    want = [("party", p, m) for p in base.parties for m in PARTY_METRICS]
    want += [("vehicle", v, m) for v in base.vehicles for m in VEHICLE_METRICS]
    assert list(df[["entity", "id", "metric"]].itertuples(index=False, name=None)) == want
    api = simulate(base, 3000, seed=42, method="lhs").stats
    num = ["count", "mean", "std", "p5", "p25", "p50", "p75", "p95", "prob_loss", "sem"]
    np.testing.assert_allclose(
        df[num].to_numpy(float), api[num].to_numpy(float), rtol=1e-9, atol=1e-6, equal_nan=True
    )


def test_xlsx(sim_run, base):
    wb = openpyxl.load_workbook(sim_run / "base.simulation.xlsx")
    assert wb.sheetnames == ["Statistics", "Histograms", "Fan charts"]
    n_parties = len(base.parties)
    # Europe pays its $100bn grant whatever the returns and the World Bank lends nothing:
    # their NPVs do not vary, so they get no histogram and no fan (the sheets say why)
    assert len(wb["Histograms"]._charts) == n_parties - 2
    assert len(wb["Fan charts"]._charts) == n_parties - 2
    ws = wb["Statistics"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("3,000 scenarios" in t and "seed 42" in t for t in texts)
    header = [c.value for c in ws[5]]
    assert header == STAT_COLUMNS
    assert ws.max_row == 5 + n_parties * len(PARTY_METRICS) + len(base.vehicles) * 6


def test_fan_is_cumulative_and_ordered(base):
    r = simulate(base, 2000, seed=1)
    assert set(r.fan["party"]) == set(base.parties)
    for _, f in r.fan.groupby("party"):
        assert f["year"].tolist() == list(range(31))
        q = f[["p5", "p25", "p50", "p75", "p95"]].to_numpy()
        assert np.all(np.diff(q, axis=1) >= -1e-3 * np.abs(q).max() - 1)
        assert np.all(np.diff(f["p50"].to_numpy()) >= -1)  # receipts only accumulate
    for p, (edges, counts) in r.histograms.items():
        assert counts.sum() == 2000, p
        assert len(edges) == len(counts) + 1


# --- Python API bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n": 0, "seed": 1},
        {"n": -3, "seed": 1},
        {"n": 1.5, "seed": 1},
        {"n": True, "seed": 1},
        {"n": 10, "seed": -1},
        {"n": 10, "seed": 1.5},
        {"n": 10, "seed": "1"},
        {"n": 10, "seed": 1, "method": "sobol"},
    ],
)
def test_simulate_api_refuses(base, kwargs):
    with pytest.raises(InputError):
        simulate(base, **kwargs)


# --- the command line: bad input -----------------------------------------------------------------

# for the base's two funds and a third one (_correlation_file): one row per fund
NOT_PSD = [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]
NOT_SYMMETRIC = [[1, 0.5, 0], [0.2, 1, 0], [0, 0, 1]]
DIAGONAL_NOT_ONE = [[1, 0, 0], [0, 0.9, 0], [0, 0, 1]]
WRONG_SHAPE = [[1, 0.5], [0.5, 1]]


def test_not_psd_really_is_not():
    c = np.asarray(NOT_PSD, dtype=float)
    assert np.allclose(c, c.T) and np.all(np.diag(c) == 1)
    assert np.linalg.eigvalsh(c).min() < -0.1


def _correlation_file(tmp: Path, matrix) -> str:
    p = tmp / "corr.yaml"
    third = (
        "vehicles:\n  third_fund:\n    name: A third fund\n    kind: fund\n"
        "    capital: {contributions: [{party: us, amount_bn: 1}]}\n    term_years: 5\n"
        "    waterfall: {profit_split: {us: 1.0}}\n"
    )
    text = f"extends: {BASE}\nname: base\n{third}correlation: {matrix}\n"
    p.write_text(text, encoding="utf-8")
    return str(p)


BIG = "0:1:0.001"  # 1,001 values
SWEEP_BAD = {
    "no_equals": ["--vary", "discount_rate"],
    "no_values": ["--vary", "discount_rate="],
    "unknown_key": ["--vary", "discount_ratee=0.01,0.02"],
    "unknown_vehicle": ["--vary", "vehicles.no_such_fund.payout=0.1,0.2"],
    "step_zero": ["--vary", "discount_rate=0.01:0.05:0"],
    "step_wrong_sign": ["--vary", "discount_rate=0.05:0.01:0.01"],
    "step_wrong_sign_down": ["--vary", "discount_rate=0.01:0.05:-0.01"],
    "non_numeric_range": ["--vary", "discount_rate=a:0.05:0.01"],
    "range_two_parts": ["--vary", "discount_rate=0.01:0.05"],
    "one_key_too_many_points": ["--vary", "discount_rate=0:1:0.0000001"],
    "grid_too_many_points": [
        "--vary",
        f"discount_rate={BIG}",
        "--vary",
        f"vehicles.us_led_fund.payout={BIG}",
    ],
    "four_keys": [
        "--vary",
        "discount_rate=0.03,0.05",
        "--vary",
        "vehicles.us_led_fund.payout=0.2,0.5",
        "--vary",
        "vehicles.us_led_fund.return.rate=0.05,0.08",
        "--vary",
        "vehicles.us_led_fund.term_years=10,20",
    ],
    "same_key_twice": ["--vary", "discount_rate=0.03,0.05", "--vary", "discount_rate=0.06"],
    "no_vary": [],
    # a point a single run rejects is not computed; when that is every point, nothing is
    "every_value_invalid": ["--vary", "vehicles.us_led_fund.payout=1.5,2"],
    "term_never_whole": ["--vary", "vehicles.us_led_fund.term_years=10.5:20:2.5"],
    "pool_too_small_at_every_point": ["--vary", "pool.holdings.euroclear.amount_bn=10,20"],
    "range_overflows": ["--vary", "discount_rate=0:1e308:1e-308"],
    "value_not_finite": ["--vary", "discount_rate=0.03,.nan"],
}
SIMULATE_BAD = {
    "n_zero": ["-n", "0", "--seed", "1"],
    "n_negative": ["-n", "-5", "--seed", "1"],
    "n_not_integer": ["-n", "1.5", "--seed", "1"],
    "n_text": ["-n", "many", "--seed", "1"],
    "seed_negative": ["-n", "10", "--seed", "-1"],
    "seed_not_integer": ["-n", "10", "--seed", "1.5"],
    "seed_missing": ["-n", "10"],
    "method_unknown": ["-n", "10", "--seed", "1", "--method", "sobol"],
    "unknown_set_key": ["-n", "10", "--seed", "1", "--set", "vehicles.us_led_fund.retrun=0.1"],
    "negative_vol": ["-n", "10", "--seed", "1", "--set", f"{VOLS[0]}=-0.1"],
    "unknown_dist": [
        "-n",
        "10",
        "--seed",
        "1",
        "--set",
        "vehicles.us_led_fund.return.uncertainty.dist=cauchy",
    ],
}
CORRELATION_BAD = {
    "correlation_not_psd": (NOT_PSD, "positive semi-definite"),
    "correlation_not_symmetric": (NOT_SYMMETRIC, "symmetric"),
    "correlation_diagonal_not_one": (DIAGONAL_NOT_ONE, "diagonal"),
    "correlation_wrong_shape": (WRONG_SHAPE, "3x3"),
}


def _bad_args(kind: str, name: str, tmp: Path) -> tuple[list[str], tuple[str, ...]]:
    if kind == "sweep":
        return ["sweep", *SWEEP_BAD[name]], ()
    if kind == "simulate":
        return ["simulate", *SIMULATE_BAD[name]], ()
    matrix, says = CORRELATION_BAD[name]
    return ["simulate", _correlation_file(tmp, matrix), "-n", "10", "--seed", "1"], (
        "correlation",
        says,
    )


BAD = (
    [("sweep", k) for k in SWEEP_BAD]
    + [("simulate", k) for k in SIMULATE_BAD]
    + [("correlation", k) for k in CORRELATION_BAD]
)


@pytest.fixture(scope="module")
def earlier_reports(tmp_path_factory) -> Path:
    """A sweep and a simulation of the base case, to be copied into --out before a failing run."""
    out = tmp_path_factory.mktemp("earlier")
    assert cli(["sweep", "--vary", "discount_rate=0.03,0.05", "--out", str(out)]) == 0
    assert cli(["simulate", "-n", "100", "--seed", "1", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "base.simulation.csv",
        "base.simulation.xlsx",
        "base.sweep.csv",
        "base.sweep.xlsx",
    ]
    return out


def _check_one_error_line(err: str) -> str:
    assert "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{err}"
    assert lines[0].startswith("finmodel: error: "), lines[0]
    return lines[0]


@pytest.mark.parametrize("kind, name", BAD, ids=[n for _, n in BAD])
def test_bad_input_writes_nothing(kind, name, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("FINMODEL_DEBUG", raising=False)
    args, says = _bad_args(kind, name, tmp_path)
    out = tmp_path / "fresh"
    assert cli([*args, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    msg = _check_one_error_line(captured.err)
    for s in says:
        assert s in msg, (s, msg)
    assert "wrote" not in captured.out
    assert snapshot(out) == {}


@pytest.mark.parametrize("kind, name", BAD, ids=[n for _, n in BAD])
def test_bad_input_leaves_an_earlier_report(kind, name, tmp_path, capsys, earlier_reports):
    args, _ = _bad_args(kind, name, tmp_path)
    out = tmp_path / "out"
    shutil.copytree(earlier_reports, out)
    before = snapshot(out)
    assert cli([*args, "--out", str(out)]) == 2
    _check_one_error_line(capsys.readouterr().err)
    assert snapshot(out) == before


def test_bad_vary_messages_name_the_key(tmp_path, capsys):
    assert cli(["sweep", "--vary", "discount_rate=0.01:0.05:0", "--out", str(tmp_path)]) == 2
    msg = _check_one_error_line(capsys.readouterr().err)
    assert "discount_rate" in msg
    assert (
        cli(
            [
                "sweep",
                "--vary",
                "discount_rate=0.03",
                "--vary",
                "discount_rate=0.04",
                "--out",
                str(tmp_path),
            ]
        )
        == 2
    )
    msg = _check_one_error_line(capsys.readouterr().err)
    assert "twice" in msg


# --- Ctrl-C --------------------------------------------------------------------------------------


def _interrupt_second_chunk(monkeypatch):
    real = finmodel.studies.simulation.evaluate
    calls = []

    def interrupted(batch):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(batch)

    monkeypatch.setattr(finmodel.studies.simulation, "evaluate", interrupted)


def _interrupt_in_workbook(monkeypatch):
    import finmodel.reports.simulation

    def interrupted(result, path):
        Path(path).write_bytes(b"PK\x03\x04 half a workbook")
        raise KeyboardInterrupt

    monkeypatch.setattr(finmodel.reports.simulation, "write_simulation_workbook", interrupted)


@pytest.mark.parametrize("breaker", [_interrupt_second_chunk, _interrupt_in_workbook])
@pytest.mark.parametrize("earlier", [False, True])
def test_ctrl_c_leaves_no_partial_files(
    breaker, earlier, tmp_path, capsys, monkeypatch, earlier_reports
):
    out = tmp_path / "out"
    if earlier:
        shutil.copytree(earlier_reports, out)
    before = snapshot(out)
    breaker(monkeypatch)
    assert cli(["simulate", "-n", str(CHUNK + 5), "--seed", "1", "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(out) == before


def test_prob_loss_of_a_moic_is_the_share_below_one(base):
    # volatile enough that many scenarios lose money: profit < 0 exactly when MOIC < 1, so the
    # two shares of losing scenarios agree (a MOIC is never below 0)
    a = finmodel.with_overrides(base, {"vehicles.us_russia_instrument.return.uncertainty.vol": 0.3})
    r = simulate(a, 3000, seed=11)
    moic = r.stats.query("id == 'us_russia_instrument' and metric == 'moic'").iloc[0]
    profit = r.stats.query("id == 'us_russia_instrument' and metric == 'profit'").iloc[0]
    assert profit["prob_loss"] > 0.05
    assert moic["prob_loss"] == profit["prob_loss"]


def test_worker_processes_give_the_same_numbers(base):
    # two chunks, each in a process of its own, writing into shared files: the numbers of one
    # process, bit for bit
    here = simulate(base, CHUNK + 300, seed=5, workers=1)
    there = simulate(base, CHUNK + 300, seed=5, workers=2)
    pd.testing.assert_frame_equal(here.stats, there.stats, check_exact=True)
    pd.testing.assert_frame_equal(here.fan, there.fan, check_exact=True)


def test_columns_left_by_some_chunks_are_filled_in(base, monkeypatch):
    # a chunk leaves unwritten a column that equals the deterministic run in all its
    # scenarios; here chunk 0 writes every column instead, so that each constant column is
    # written by one chunk and left by the other: the numbers must not change
    usual = simulate(base, CHUNK + 40, seed=9, workers=1)
    real = finmodel.studies.simulation._chunk

    def chunk_0_writes_all(plan, arrays, c, start, size):
        left = real(plan, arrays, c, start, size)
        if c:
            return left
        for key in left:
            arrays[key][..., start : start + size] = plan.reference[key]
        return []

    monkeypatch.setattr(finmodel.studies.simulation, "_chunk", chunk_0_writes_all)
    mixed = simulate(base, CHUNK + 40, seed=9, workers=1)
    pd.testing.assert_frame_equal(usual.stats, mixed.stats, check_exact=True)
    pd.testing.assert_frame_equal(usual.fan, mixed.fan, check_exact=True)


def test_percentiles_are_numpys_over_every_scenario(base, monkeypatch):
    cols = _capture_columns(monkeypatch)
    real_fan, fans = finmodel.studies.simulation._fan, {}

    def spy(f, *args):
        fans.update({p: np.array(x) for p, x in f.items()})
        return real_fan(f, *args)

    monkeypatch.setattr(finmodel.studies.simulation, "_fan", spy)
    r = simulate(base, 5000, seed=4)
    q = ["p5", "p25", "p50", "p75", "p95"]
    for key, x in cols.items():
        x = x[np.isfinite(x)]
        if x.size:
            want = np.percentile(x, (5, 25, 50, 75, 95))
            np.testing.assert_array_equal(stat(r, key[1], key[2])[q].to_numpy(float), want)
    for p, f in fans.items():
        got = r.fan[r.fan["party"] == p][q].to_numpy()
        want = np.percentile(f.astype(np.float64), (5, 25, 50, 75, 95), axis=1).T
        np.testing.assert_array_equal(got, want)
