"""The command line as an analyst meets it: changed runs named as changed, each command's
headline on screen or as JSON/CSV, errors that say what is unknown, ``finmodel list``, help
with examples."""

from __future__ import annotations

import contextlib
import csv
import io
import json

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import finmodel
from finmodel.cli import main

SET = "vehicles.us_led_fund.return.rate=0.03"
CHANGED = "base+us_led_fund.return.rate=0.03"


def test_a_changed_run_never_replaces_the_base_report(tmp_path, capsys):
    assert main(["run", "--out", str(tmp_path)]) == 0
    base_bytes = (tmp_path / "base.summary.json").read_bytes()
    assert main(["run", "--set", SET, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "base.summary.json").read_bytes() == base_bytes  # untouched
    s = json.loads((tmp_path / f"{CHANGED}.summary.json").read_text())
    words = "US-led reconstruction fund: return rate 3.0% (base 8.0%)"
    assert s["scenario"] == CHANGED and s["changes"] == [words]
    # the console says so before its numbers
    last_run = out[out.index(f"changed: {words}") :]
    assert last_run.index(words) < last_run.index("United States")
    # and so does the workbook's Summary, at the top
    ws = openpyxl.load_workbook(tmp_path / f"{CHANGED}.xlsx", read_only=True)["Summary"]
    top = " ".join(str(c) for row in ws.iter_rows(max_row=8, values_only=True) for c in row if c)
    assert "CHANGED by --set" in top and words in top


def test_the_changed_runs_numbers_are_the_api_run_with_the_same_value(tmp_path, capsys):
    assert main(["run", "--set", SET, "--out", str(tmp_path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)  # stdout holds the JSON alone
    api = finmodel.run(finmodel.load("base", {"vehicles.us_led_fund.return.rate": 0.03}))
    for row in data["rows"]:
        want = api.summary["parties"][row["id"]]["npv"] / 1e9
        assert row["npv"] == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_name_gives_the_reports_name_and_may_not_pass_a_change_off_as_the_base(tmp_path, capsys):
    assert main(["run", "--set", SET, "--name", "low_us", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "low_us.xlsx").exists()
    capsys.readouterr()
    code = main(["run", "--set", SET, "--name", "base", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--name base" in err
    assert not (tmp_path / "x").exists() or not any((tmp_path / "x").iterdir())


def test_compare_prints_npv_change_by_party_against_the_baseline(tmp_path, capsys):
    args = ["compare", "status_quo", "literal", "--out", str(tmp_path), "--format", "csv"]
    assert main(args) == 0
    got = capsys.readouterr()
    row, valued = list(csv.DictReader(io.StringIO(got.out)))  # without, then with claims valued
    assert (row["scenario"], row["measure"], valued["measure"]) == ("literal", "without", "valued")
    lit, sq = (finmodel.run(finmodel.load(n)).summary["parties"] for n in ("literal", "status_quo"))
    for p in ("us", "ukraine", "russia", "europe"):
        want = (lit[p]["npv"] - sq[p]["npv"]) / 1e9
        assert float(row[f"{p}_usd_bn"]) == pytest.approx(want, abs=1e-9)
    assert "wrote" in got.err and "wrote" not in got.out


def test_each_study_prints_its_table(tmp_path, capsys):
    out = str(tmp_path)
    assert main(["sweep", "--vary", "discount_rate=0.03,0.05", "--out", out]) == 0
    assert "NPV United States" in capsys.readouterr().out
    assert main(["tornado", "--out", out]) == 0
    text = capsys.readouterr().out
    assert "Discount rate" in text and "Swing" in text and "United States" in text
    assert main(["simulate", "-n", "20", "--seed", "1", "--out", out]) == 0
    text = capsys.readouterr().out
    assert "P5" in text and "Chance NPV < 0" in text and "Ukraine" in text


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["run", "--set", "vehicles.us_fund.return.rate=0.03"], "nearest: 'us_led_fund'"),
        (["compare", "literall", "status_quo"], "nearest: literal"),
        (["sweep", "--vary", "discount_rat=0.03,0.04"], "nearest: 'discount_rate'"),
    ],
)
def test_an_unknown_name_is_one_line_exit_2_with_the_nearest(tmp_path, capsys, argv, says):
    out = tmp_path / "out"
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    "command", ["run", "sweep", "simulate", "tornado", "compare", "validate", "list", "schema"]
)
def test_every_command_help_has_examples(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    assert "examples:" in text and f"finmodel {command}" in text


def test_list_shows_readings_and_settable_keys_with_values_and_units(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("status_quo", "literal", "foreign_policy"):
        assert name in out
    assert main(["list", "--format", "csv"]) == 0
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    rate = rows["vehicles.us_led_fund.return.rate"]
    # raw numbers for a script, the unit beside (base.yaml: 8% a year; EUR 185bn at Euroclear)
    assert (rate["label"], float(rate["value"]), rate["unit"]) == (
        "US-led reconstruction fund: return rate", 0.08, "%")  # fmt: skip
    euroclear = rows["pool.holdings.euroclear.amount_bn"]
    assert (float(euroclear["value"]), euroclear["unit"]) == (185.0, "EUR bn")


def test_a_changed_compare_goes_beside_the_plain_one_against_the_same_baseline(tmp_path, capsys):
    out = str(tmp_path)
    args = ["compare", "status_quo", "literal", "--out", out, "--format", "json"]
    assert main([*args, "--set", "discount_rate=0.05"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert not (tmp_path / "compare.csv").exists()  # a plain comparison would be there
    assert (tmp_path / "compare+discount_rate=0.05" / "compare.csv").exists()
    row = data["rows"][0]  # without claims (then with them valued)
    assert row["scenario"] == "literal+discount_rate=0.05" and row["measure"] == "without"
    assert "status_quo+discount_rate=0.05" in data["title"]  # the baseline, found by its name
    lit, sq = (
        finmodel.run(finmodel.load(n, {"discount_rate": 0.05})).summary["parties"]
        for n in ("literal", "status_quo")
    )
    assert row["us"] == pytest.approx((lit["us"]["npv"] - sq["us"]["npv"]) / 1e9, abs=1e-9)


def test_a_changed_sweep_is_named_after_its_overrides(tmp_path, capsys):
    argv = ["sweep", "--vary", "discount_rate=0.03,0.05"]
    argv += ["--set", "vehicles.us_led_fund.payout=0.4"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    assert (tmp_path / "base+us_led_fund.payout=0.4.sweep.csv").exists()
    assert not (tmp_path / "base.sweep.csv").exists()


@settings(max_examples=5, deadline=None)
@given(st.integers(5, 120).map(lambda k: k / 1000))
def test_the_cli_json_is_the_api_run_for_any_return_rate(tmp_path_factory, rate):
    out = tmp_path_factory.mktemp("out")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["run", "--set", f"vehicles.us_led_fund.return.rate={rate}",
                     "--out", str(out), "--format", "json"])  # fmt: skip
    assert code == 0
    rows = json.loads(buf.getvalue())["rows"]
    api = finmodel.run(finmodel.load("base", {"vehicles.us_led_fund.return.rate": rate}))
    for row in rows:
        want = api.summary["parties"][row["id"]]["net"]
        assert row["net"] * 1e9 == pytest.approx(want, rel=1e-12, abs=1e-3)
