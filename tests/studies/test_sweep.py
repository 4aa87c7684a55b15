"""Sweeps: a grid of assumption values through one batch (``finmodel sweep``, ``sweep.sweep``).

Every grid point must equal a separate run of the same scenario with the point's values set,
the files must hold one row per point, and bad ``--vary`` input must fail cleanly (the CLI's
bad-input cases for both ``sweep`` and ``simulate`` are in test_simulation.py).
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest

import finmodel
import finmodel.reports.sweep
import finmodel.studies.sweep
from finmodel.cli import main
from finmodel.exceptions import InputError
from finmodel.studies.sweep import parse_vary, sweep

REPO = Path(__file__).resolve().parents[2]
BASE = REPO / "assumptions" / "base.yaml"
PARTY_METRICS = ("received", "net", "npv", "terminal_claim", "npv_with_claims")
VEHICLE_METRICS = ("irr", "moic", "profit")

EUROCLEAR = "pool.holdings.euroclear.amount_bn"
EUR_RATE = "fx.EUR.rate"
US_RATE = "vehicles.us_led_fund.return.rate"
US_TERM = "vehicles.us_led_fund.term_years"
US_PAYOUT = "vehicles.us_led_fund.payout"


def cli(args: list[str]) -> int:
    """``finmodel ARGS``: the exit code (argparse's errors exit through SystemExit)."""
    try:
        return main(args)
    except SystemExit as e:
        return int(e.code)


@pytest.fixture(scope="module")
def base() -> finmodel.Assumptions:
    return finmodel.load(BASE)


def _same(got: float, want: float | None, rel: float = 1e-9, abs_: float = 1e-3) -> None:
    """Equal to ``rel`` (NaN in the table stands for a null in the summary)."""
    if want is None or (isinstance(want, float) and math.isnan(want)):
        assert got is None or math.isnan(got), (got, want)
    else:
        assert got == pytest.approx(want, rel=rel, abs=abs_), (got, want)


def assert_points_equal_separate_runs(
    s, values: dict[str, list[Any]], fixed: dict[str, Any] | None = None
) -> None:
    """Each row of the sweep table equals a separate ``run`` with the row's values set (over
    the base case with ``fixed`` set)."""
    keys = list(values)
    table = s.table
    assert len(table) == math.prod(len(v) for v in values.values())
    for i, combo in enumerate(itertools.product(*values.values())):
        row = table.iloc[i]
        assert [row[k] for k in keys] == list(combo), i
        a = finmodel.load(BASE, {**(fixed or {}), **dict(zip(keys, combo))})
        summary = finmodel.run(a).summary
        for pid, p in summary["parties"].items():
            for m in PARTY_METRICS:
                _same(row[f"{pid}.{m}"], p[m])
        for vid, v in summary["vehicles"].items():
            for m in VEHICLE_METRICS:
                _same(row[f"{vid}.{m}"], v[m], rel=1e-9, abs_=1e-12 if m != "profit" else 1e-3)


# --- every grid point equals a separate run ------------------------------------------------------


def test_two_keys_changing_the_pool(base):
    """Both keys change the pool: they are compiled together over their joint values."""
    values = {EUROCLEAR: [150, 185, 220], EUR_RATE: [1.0, 1.16, 1.3]}
    s = sweep(base, values)
    assert_points_equal_separate_runs(s, values)
    # the keys matter: Russia's receipts differ across the grid
    assert s.table["russia.received"].nunique() == 9


def test_term_years(base):
    values = {US_TERM: [5, 12, 20, 30, 40]}  # 40 runs past the 30-year horizon: a terminal value
    s = sweep(base, values)
    assert_points_equal_separate_runs(s, values)
    irr = s.table["us_led_fund.irr"].to_numpy()
    assert np.all(np.diff(irr[:4]) > 0)  # longer compounding of the reinvested half
    # held past the horizon, the fund is marked at its value: the same IRR as liquidating at 30
    assert irr[4] == pytest.approx(irr[3], rel=1e-9)


def test_term_years_and_payout(base):
    values = {US_TERM: [5, 20, 40], US_PAYOUT: [0.0, 0.5, 1.0]}
    assert_points_equal_separate_runs(sweep(base, values), values)


def test_three_keys_with_a_joint_group_around_an_independent_key(base):
    """Keys 0 and 2 share the pool; key 1 is independent: grid indices must not get crossed."""
    values = {EUR_RATE: [1.0, 1.3], US_RATE: [0.02, 0.06, 0.1], EUROCLEAR: [160, 200]}
    assert_points_equal_separate_runs(sweep(base, values), values)


def test_discount_rate_and_return_rate(base):
    values = {"discount_rate": [0.0, 0.04, 0.1], US_RATE: [-0.05, 0.08]}
    assert_points_equal_separate_runs(sweep(base, values), values)


def test_the_grid_in_parts_gives_the_numbers_of_one_batch(base, monkeypatch):
    # the engine runs POINTS_PER_BATCH grid points at a time; parts of one must give the numbers of
    # the
    # whole grid at once, bit for bit: pool, rates and discount all vary
    values = {EUROCLEAR: [160, 200], US_RATE: [-0.05, 0.02, 0.08], "discount_rate": [0.03, 0.05]}
    # a term within the horizon leaves nothing to claim, one past it leaves a claim: a point's
    # claim must not depend on the other points in its part
    terms = {"vehicles.us_russia_instrument.term_years": [5, 40], US_RATE: [0.02, 0.08]}
    whole = [sweep(base, v).table for v in (values, terms)]
    monkeypatch.setattr(finmodel.studies.sweep, "POINTS_PER_BATCH", 1)
    in_parts = [sweep(base, v).table for v in (values, terms)]
    for a, b in zip(whole, in_parts):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert (whole[1]["russia.terminal_claim"][:2] == 0).all()


@pytest.mark.parametrize(
    "values",
    [
        {"vehicles.us_led_fund.deployment.years": [0, 3, 5]},
        {"vehicles.european_fund.capital.contributions.0.years": [0, 1, 5]},
        {"vehicles.european_fund.capital.contributions.0.amount_bn": [50, 100]},
        {"vehicles.unfrozen_european_assets.release.years": [0, 4]},
        {"vehicles.unfrozen_european_assets.cash_rate": [0.0, 0.03]},
        {"vehicles.us_led_fund.cash_rate": [0.0, 0.05], US_PAYOUT: [0.0, 1.0]},
        {"pool.allocation.0.amount_bn": [50, 100, 150]},
        {"fx.GBP.rate": [1.0, 1.5], "vehicles.us_russia_instrument.return.rate": [0.0, 0.1]},
        # Zaporizhzhia net of its running cost, unit by unit, after its restart capital
        {"vehicles.znpp_output.stream.energy.cost_per_mwh": [0, 25, 120]},
        {"vehicles.znpp_output.stream.energy.restart_capital.amount_bn": [0, 2, 5]},
        {"vehicles.znpp_output.stream.energy.unit_start_years.5": [1, 3.5, 6]},
        {"vehicles.znpp_output.stream.energy.restart_capital.years": [0, 2],
         "vehicles.znpp_output.stream.energy.unit_start_years.0": [0, 2]},
    ],
    ids=lambda v: "+".join(k.rsplit(".", 2)[-2] + "." + k.rsplit(".", 1)[-1] for k in v),
)
def test_other_keys(base, values):
    assert_points_equal_separate_runs(sweep(base, values), values)


FEE_AND_HURDLE = {
    "vehicles.us_led_fund.fee": {"rate": 0.01, "basis": "nav", "to": "us"},
    "vehicles.us_russia_instrument.waterfall.hurdle": {"rate": 0.06, "to": "russia"},
}


def test_fee_and_hurdle_rates():
    a = finmodel.load(BASE, FEE_AND_HURDLE)
    values = {
        "vehicles.us_led_fund.fee.rate": [0.0, 0.02],
        "vehicles.us_russia_instrument.waterfall.hurdle.rate": [0.0, 0.05, 0.12],
    }
    assert_points_equal_separate_runs(sweep(a, values), values, fixed=FEE_AND_HURDLE)


def test_quarterly_timeline():
    fixed = {"timeline.frequency": "quarterly", "timeline.years": 25}
    a = finmodel.load(BASE, fixed)
    values = {US_TERM: [10, 25], US_RATE: [0.03, 0.09]}
    assert_points_equal_separate_runs(sweep(a, values), values, fixed=fixed)


def test_last_key_varies_fastest(base):
    s = sweep(base, {US_RATE: [0.02, 0.08], "discount_rate": [0.03, 0.05, 0.07]})
    assert s.table[US_RATE].tolist() == [0.02] * 3 + [0.08] * 3
    assert s.table["discount_rate"].tolist() == [0.03, 0.05, 0.07] * 2


def test_python_api_refuses_more_than_three_keys(base):
    values = {US_RATE: [0.1], "discount_rate": [0.03], US_PAYOUT: [0.5], US_TERM: [20]}
    with pytest.raises(InputError):
        sweep(base, values)


def test_a_timeline_change_runs_each_structure_as_its_own_batch(base):
    """Points of different structure (here the number of periods) are still single runs."""
    values = {"timeline.years": [10, 40], US_RATE: [0.02, 0.08]}
    assert_points_equal_separate_runs(sweep(base, values), values)


def test_python_api_refuses_a_change_of_the_parties(base):
    # the table has a column per party: a point cannot bring a party of its own (refused
    # where the override is applied, as a --set of an unknown party is)
    with pytest.raises(InputError, match="unknown party 'newcomer'"):
        sweep(base, {"parties.newcomer.name": ["Newcomer"]})


# --- parse_vary ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, key, values",
    [
        ("discount_rate=0.1:0.3:0.1", "discount_rate", [0.1, 0.2, 0.3]),
        (f"{US_RATE}=0.02:0.08:0.02", US_RATE, [0.02, 0.04, 0.06, 0.08]),
        ("discount_rate=0:1:0.1", "discount_rate", [i / 10 for i in range(11)]),
        ("discount_rate=0.3:0.1:-0.1", "discount_rate", [0.3, 0.2, 0.1]),
        ("discount_rate=0:1:0.3", "discount_rate", [0.0, 0.3, 0.6, 0.9]),
        (f"{US_TERM}=5:20:5", US_TERM, [5, 10, 15, 20]),
        (f"{US_TERM}=20:5:-5", US_TERM, [20, 15, 10, 5]),
        (f"{US_TERM}=7:7:1", US_TERM, [7]),
        ("discount_rate=1:2:0.5", "discount_rate", [1.0, 1.5, 2.0]),
        ("discount_rate=0.03,0.05", "discount_rate", [0.03, 0.05]),
        (f"{US_TERM}=10,20", US_TERM, [10, 20]),
        (f" {US_PAYOUT} =0.5", US_PAYOUT, [0.5]),
    ],
)
def test_parse_vary(text, key, values):
    got_key, got = parse_vary(text)
    assert got_key == key
    assert got == values  # exactly: 0.1:0.3:0.1 gives 0.3, not 0.30000000000000004
    assert [type(v) for v in got] == [type(v) for v in values]


def test_parse_vary_integer_range_stays_int():
    _, got = parse_vary(f"{US_TERM}=1:30:1")
    assert got == list(range(1, 31))
    assert all(type(v) is int for v in got)


@pytest.mark.parametrize(
    "text",
    [
        "discount_rate",  # no =
        "discount_rate=",  # no values
        "=0.1,0.2",  # no key
        "discount_rate=0.1:0.2:0",  # step 0
        "discount_rate=0.3:0.1:0.1",  # wrong sign
        "discount_rate=0.1:0.3:-0.1",  # wrong sign
        "discount_rate=a:b:c",  # not numbers
        "discount_rate=0.1:0.3",  # two parts
        "discount_rate=0.1:0.3:0.1:0.1",  # four parts
        "discount_rate=0:nan:0.1",  # not finite
        "discount_rate=0:inf:1",
        "discount_rate=0:1:0.0000001",  # 10,000,001 values
        "discount_rate=[0.1],0.2",  # not scalars
    ],
)
def test_parse_vary_refuses(text):
    with pytest.raises(InputError):
        parse_vary(text)


# --- the files -----------------------------------------------------------------------------------


def expected_columns(a: finmodel.Assumptions, keys: list[str]) -> list[str]:
    cols = list(keys)
    for p in a.parties:
        cols += [f"{p}.{m}" for m in PARTY_METRICS]
    for v in a.vehicles:
        cols += [f"{v}.{m}" for m in VEHICLE_METRICS]
    return [*cols, "invalid"]


@pytest.fixture(scope="module")
def two_key_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweep2")
    args = [
        "sweep",
        str(BASE),
        "--vary",
        f"{US_RATE}=0.02:0.1:0.02",
        "--vary",
        "discount_rate=0.03,0.05",
        "--out",
        str(out),
    ]
    assert cli(args) == 0
    return out


@pytest.fixture(scope="module")
def one_key_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweep1")
    assert cli(["sweep", "--vary", f"{US_TERM}=5:20:5", "--out", str(out)]) == 0
    return out


def test_csv_columns_and_rows(two_key_run, base):
    assert sorted(p.name for p in two_key_run.iterdir()) == ["base.sweep.csv", "base.sweep.xlsx"]
    df = pd.read_csv(two_key_run / "base.sweep.csv")
    assert list(df.columns) == expected_columns(base, [US_RATE, "discount_rate"])
    assert len(df) == 5 * 2
    assert df[US_RATE].tolist() == pytest.approx(
        [0.02, 0.02, 0.04, 0.04, 0.06, 0.06, 0.08, 0.08, 0.1, 0.1]
    )
    assert df["discount_rate"].tolist() == [0.03, 0.05] * 5


def test_csv_numbers_equal_the_python_api(two_key_run, base):
    df = pd.read_csv(two_key_run / "base.sweep.csv")
    api = sweep(base, {US_RATE: [0.02, 0.04, 0.06, 0.08, 0.1], "discount_rate": [0.03, 0.05]})
    assert df["invalid"].isna().all() and (api.table["invalid"] == "").all()
    for col in api.table.columns.drop("invalid"):
        got, want = df[col].to_numpy(float), api.table[col].to_numpy(float)
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-6, equal_nan=True, err_msg=col)


def test_csv_integer_key_column(one_key_run, base):
    df = pd.read_csv(one_key_run / "base.sweep.csv")
    assert list(df.columns) == expected_columns(base, [US_TERM])
    assert df[US_TERM].tolist() == [5, 10, 15, 20]
    assert df[US_TERM].dtype.kind == "i"


def _charts(ws) -> list:
    return list(ws._charts)


def test_xlsx_two_keys(two_key_run):
    wb = openpyxl.load_workbook(two_key_run / "base.sweep.xlsx")
    assert wb.sheetnames == ["Sweep", "Charts", "Matrix"]
    assert len(_charts(wb["Charts"])) == 2
    ws = wb["Sweep"]
    # the headings are the inputs' names and units (the key paths are in row 2, for --set)
    header = [c.value for c in ws[5]]
    assert header[:2] == ["US-led reconstruction fund: return rate, % a year",
                          "Discount rate, % a year"]  # fmt: skip
    assert US_RATE in ws["A2"].value and "discount_rate" in ws["A2"].value
    assert ws.max_row == 5 + 10
    texts = [c.value for row in wb["Matrix"].iter_rows() for c in row if isinstance(c.value, str)]
    for p in ("United States", "Ukraine", "Russia (Central Bank of Russia)",
              "EU and European states"):  # fmt: skip
        assert f"NPV of {p}" in texts


def test_xlsx_matrix_numbers(two_key_run, base):
    """The matrix for each party holds its NPV at (first key down, second key across)."""
    df = pd.read_csv(two_key_run / "base.sweep.csv")
    ws = openpyxl.load_workbook(two_key_run / "base.sweep.xlsx")["Matrix"]
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    start = next(i for i, r in enumerate(cells) if r[0] == "NPV of United States")
    header = cells[start + 2]
    assert [float(h) for h in header[1:3]] == [0.03, 0.05]
    for i in range(5):
        row = cells[start + 3 + i]
        for j, d in enumerate((0.03, 0.05)):
            want = df[(np.isclose(df[US_RATE], row[0])) & (df["discount_rate"] == d)]["us.npv"]
            assert row[1 + j] == pytest.approx(float(want.iloc[0]), rel=1e-9)


def test_xlsx_one_key_has_no_matrix(one_key_run):
    wb = openpyxl.load_workbook(one_key_run / "base.sweep.xlsx")
    assert wb.sheetnames == ["Sweep", "Charts"]
    assert len(_charts(wb["Charts"])) == 2


def _sheet_texts(ws) -> list[str]:
    return [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


def test_xlsx_of_a_grid_too_large_for_a_sheet_points_to_the_csv(tmp_path, monkeypatch):
    # 5 x 2 = 10 grid points, a sheet here holding at most 149 cells: the table (10 rows x
    # (2 keys + 5 parties x 4 + 7 vehicles x 3) columns) and the matrices (5 parties x (5 + 5)
    # rows x 3 columns) give way to a note naming the CSV, which has every point; the first
    # key's line (2 x 5 rows x 6 columns) still fits, with its charts
    monkeypatch.setattr(finmodel.reports.sweep, "MAX_SHEET_CELLS", 149)
    args = ["sweep", "--vary", f"{US_RATE}=0.02:0.1:0.02", "--vary", "discount_rate=0.03,0.05"]
    assert cli([*args, "--out", str(tmp_path)]) == 0
    assert len(pd.read_csv(tmp_path / "base.sweep.csv")) == 10
    wb = openpyxl.load_workbook(tmp_path / "base.sweep.xlsx")
    for sheet, rows in (("Sweep", "10 rows"), ("Matrix", "rows x 3 columns")):
        texts = _sheet_texts(wb[sheet])
        assert rows in texts[0], sheet
        assert "base.sweep.csv (10 rows)" in texts[1], sheet
        assert wb[sheet].max_row == 2, sheet
    assert len(_charts(wb["Charts"])) == 2


def test_xlsx_matrix_wider_than_a_sheet_points_to_the_csv(tmp_path, monkeypatch):
    # Excel takes at most 16,384 columns; here 3, so two values of the second key (and the
    # row label) are too many
    monkeypatch.setattr(finmodel.reports.sweep, "MAX_SHEET_COLUMNS", 2)
    args = ["sweep", "--vary", f"{US_RATE}=0.02,0.04", "--vary", "discount_rate=0.03,0.05"]
    assert cli([*args, "--out", str(tmp_path)]) == 0
    wb = openpyxl.load_workbook(tmp_path / "base.sweep.xlsx")
    assert "x 3 columns" in _sheet_texts(wb["Matrix"])[0]
    assert wb["Matrix"].max_row == 2


def test_three_keys_cli(tmp_path, base):
    args = [
        "sweep",
        "--vary",
        f"{US_RATE}=0.04,0.08",
        "--vary",
        f"{EUR_RATE}=1.0:1.2:0.1",
        "--vary",
        f"{US_TERM}=10,20",
        "--out",
        str(tmp_path),
    ]
    assert cli(args) == 0
    df = pd.read_csv(tmp_path / "base.sweep.csv")
    assert len(df) == 2 * 3 * 2
    assert list(df.columns) == expected_columns(base, [US_RATE, EUR_RATE, US_TERM])
    wb = openpyxl.load_workbook(tmp_path / "base.sweep.xlsx")
    assert wb.sheetnames == ["Sweep", "Charts", "Matrix"]


def test_sweep_with_set(tmp_path):
    """--set applies to every grid point."""
    args = [
        "sweep",
        "--set",
        "discount_rate=0.07",
        "--vary",
        f"{US_RATE}=0.05,0.09",
        "--out",
        str(tmp_path),
    ]
    assert cli(args) == 0
    df = pd.read_csv(tmp_path / "base+discount_rate=0.07.sweep.csv")  # named after the --set
    for rate in (0.05, 0.09):
        a = finmodel.load(BASE, {"discount_rate": 0.07, US_RATE: rate})
        want = finmodel.run(a).summary["parties"]["us"]["npv"]
        got = df.loc[df[US_RATE] == rate, "us.npv"].iloc[0]
        assert got == pytest.approx(want, rel=1e-9)


def test_a_change_of_the_parties_refused_by_the_cli(tmp_path, capsys):
    out = tmp_path / "out"
    assert cli(["sweep", "--vary", "parties.newcomer.name=A,B", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("finmodel: error: ")
    assert len(err.strip().splitlines()) == 1
    assert "parties.newcomer.name" in err
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_flows_of_a_batch_list_every_scenario(base):
    # a fund's contributions are one row shared by every scenario of a batch; the flows table
    # still lists them for each scenario
    from finmodel.engine.evaluate import evaluate
    from finmodel.studies.run import Result
    from finmodel.studies.variation import Design

    d = Design.grid(base, {US_RATE: [0.02, 0.08]})
    o = evaluate(d.chunk(0, d.n).parts[0].batch)
    f = Result(assumptions=base, outcome=o, files=(), overrides=(), sha256="").flows
    paid = f[(f.vehicle == "us_led_fund") & (f.flow == "contribution")]
    assert paid.groupby("scenario")["amount_usd"].sum().tolist() == [-100e9, -100e9]
