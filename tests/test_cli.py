"""The command line and its output contract (the output contract in README.md), end to end."""

from __future__ import annotations

import json
import math
import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import finmodel
from finmodel.cli import main

REPO = Path(__file__).resolve().parents[1]
BASE = REPO / "assumptions" / "base.yaml"
OUTPUTS = ("base.xlsx", "base.flows.csv", "base.schedule.csv", "base.summary.json")

FLOW_COLUMNS = ["scenario", "period", "date", "vehicle", "flow", "party", "amount_usd"]
SCHEDULE_COLUMNS = ["scenario", "period", "date", "vehicle", "line", "amount_usd"]
FLOWS = {"contribution", "capital_return", "hurdle", "profit", "income", "fee", "release", "grant"}
LINES = {"contribution", "deployed", "return", "fee", "distribution", "value_end"}
VEHICLE_KEYS = {"contributed", "distributed", "terminal_value", "profit", "moic", "irr", "npv"}
PARTY_KEYS = {"received", "paid", "net", "npv"}


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir()}


@pytest.fixture(scope="module")
def base_run(tmp_path_factory) -> Path:
    """The shipped base case run once through the CLI; the folder holding its four files."""
    out = tmp_path_factory.mktemp("base_run")
    assert main(["run", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def summary(base_run) -> dict:
    return json.loads((base_run / "base.summary.json").read_text())


@pytest.fixture(scope="module")
def workbook(base_run):
    return openpyxl.load_workbook(base_run / "base.xlsx")


@pytest.fixture(scope="module")
def assumptions():
    return finmodel.load(BASE)


# --- finmodel run -------------------------------------------------------------------------------


def test_run_without_arguments_writes_reports(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run"]) == 0
    got = capsys.readouterr()
    assert got.err == ""
    reports = tmp_path / "reports"
    assert sorted(p.name for p in reports.iterdir()) == sorted(OUTPUTS)
    for name in OUTPUTS:
        assert (reports / name).stat().st_size > 0
        assert name in got.out


@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_run_scenario_with_extends_and_set(tmp_path, monkeypatch, capsys, summary, how):
    monkeypatch.chdir(tmp_path)
    parent = os.path.relpath(BASE, tmp_path) if how == "relative" else str(BASE)
    scenario = tmp_path / "scen.yaml"
    scenario.write_text(
        f"extends: {parent}\n"
        "name: low_us\n"
        "description: A lower return in the US-led fund.\n"
        "discount_rate: 0.05\n"
        "vehicles:\n"
        "  us_led_fund:\n"
        "    payout: 0.4\n"
    )
    out = tmp_path / "out"
    setting = "vehicles.us_led_fund.return.rate=0.04"
    assert main(["run", str(scenario), "--set", setting, "--out", str(out)]) == 0
    capsys.readouterr()
    names = sorted(p.name for p in out.iterdir())
    changed = "low_us+us_led_fund.return.rate=0.04"  # a changed run says so in its name
    assert names == sorted(n.replace("base", changed) for n in OUTPUTS)
    s = json.loads((out / f"{changed}.summary.json").read_text())
    assert s["scenario"] == changed
    assert s["overrides"] == [f"--set {setting}"]
    assert s["discount_rate"] == 0.05
    assert s["parties"]["us"]["received"] < summary["parties"]["us"]["received"]
    assert s["vehicles"]["us_led_fund"]["irr"] < summary["vehicles"]["us_led_fund"]["irr"]
    # the same numbers as the Python API with the same override
    api = finmodel.run(finmodel.load(scenario, [setting])).summary
    for pid, p in s["parties"].items():
        for k in PARTY_KEYS:
            assert p[k] == pytest.approx(api["parties"][pid][k], rel=1e-12, abs=1e-6)
    # the file chain is recorded, base first
    assert [Path(f["path"]).name for f in s["files"]] == ["base.yaml", "scen.yaml"]


# --- summary.json -------------------------------------------------------------------------------


def test_summary_has_the_contract_keys(summary, assumptions):
    for key in ("scenario", "assumptions_sha256", "vehicles", "parties", "checks"):
        assert key in summary
    assert summary["scenario"] == "base"
    assert len(summary["assumptions_sha256"]) == 64
    int(summary["assumptions_sha256"], 16)
    assert list(summary["vehicles"]) == list(assumptions.vehicles)
    assert set(summary["parties"]) == set(assumptions.parties)
    for v in summary["vehicles"].values():
        assert set(v) >= VEHICLE_KEYS
    for p in summary["parties"].values():
        assert set(p) >= PARTY_KEYS
        for k in PARTY_KEYS:
            assert isinstance(p[k], float) and math.isfinite(p[k])


def test_summary_checks_pass(summary):
    assert summary["checks"]
    for name, err in summary["checks"].items():
        assert 0 <= err < 0.01, name


def test_irr_null_with_note_where_undefined(summary):
    grant = summary["vehicles"]["european_fund"]
    assert grant["irr"] is None
    assert isinstance(grant.get("irr_note"), str) and grant["irr_note"]
    fund = summary["vehicles"]["us_led_fund"]
    assert isinstance(fund["irr"], float)


def test_summary_is_strict_json(base_run):
    text = (base_run / "base.summary.json").read_text()
    json.loads(text, parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))


# --- the CSVs -----------------------------------------------------------------------------------


def test_flows_csv(base_run, summary):
    flows = pd.read_csv(base_run / "base.flows.csv")
    assert list(flows.columns) == FLOW_COLUMNS
    assert set(flows["flow"]) <= FLOWS
    assert set(flows["scenario"]) == {"base"}
    assert set(flows["party"]) <= set(summary["parties"])
    assert set(flows["vehicle"]) <= set(summary["vehicles"])
    net = flows.groupby("party")["amount_usd"].sum()
    got = flows[flows["amount_usd"] > 0].groupby("party")["amount_usd"].sum()
    paid = -flows[flows["amount_usd"] < 0].groupby("party")["amount_usd"].sum()
    for pid, p in summary["parties"].items():
        assert net.get(pid, 0.0) == pytest.approx(p["net"], rel=1e-6, abs=1.0), pid
        assert got.get(pid, 0.0) == pytest.approx(p["received"], rel=1e-6, abs=1.0), pid
        assert paid.get(pid, 0.0) == pytest.approx(p["paid"], rel=1e-6, abs=1.0), pid


def test_schedule_csv(base_run, summary):
    sched = pd.read_csv(base_run / "base.schedule.csv")
    assert list(sched.columns) == SCHEDULE_COLUMNS
    assert set(sched["line"]) == LINES
    assert set(sched["vehicle"]) == set(summary["vehicles"])
    contributed = sched[sched["line"] == "contribution"].groupby("vehicle")["amount_usd"].sum()
    for vid, v in summary["vehicles"].items():
        assert contributed[vid] == pytest.approx(v["contributed"], rel=1e-9)


# --- the workbook -------------------------------------------------------------------------------


def _rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _table(ws, first: str, must: str) -> tuple[dict[str, int], list[list]]:
    """The table whose header row starts with ``first`` and holds ``must``: header, rows."""
    rows = _rows(ws)
    for i, row in enumerate(rows):
        if row and row[0] == first and must in row:
            header = {str(v): j for j, v in enumerate(row) if v is not None}
            body = []
            for r in rows[i + 1 :]:
                if r[0] is None:
                    break
                body.append(r)
            return header, body
    raise AssertionError(f"no table with header {first!r}, {must!r} on {ws.title}")


def _col(header: dict[str, int], label: str) -> int:
    hits = [j for h, j in header.items() if h.startswith(label)]
    assert len(hits) == 1, (label, header)
    return hits[0]


def _same(cell, expected):
    if expected is None:
        assert cell is None
    else:
        assert cell == pytest.approx(expected, rel=1e-9, abs=1e-6)


def test_xlsx_summary_parties_equal_json(workbook, summary, assumptions):
    header, body = _table(workbook["Summary"], "Party", "Received")
    by_name = {r[0]: r for r in body}
    for pid, p in summary["parties"].items():
        row = by_name[assumptions.parties[pid].name]
        for label, key in (
            ("Received", "received"),
            ("Paid", "paid"),
            ("Net", "net"),
            ("NPV", "npv"),
        ):
            _same(row[_col(header, label)], p[key])


def test_xlsx_summary_vehicles_equal_json(workbook, summary, assumptions):
    header, body = _table(workbook["Summary"], "Vehicle", "Contributed")
    by_name = {r[0]: r for r in body}
    labels = {
        "Contributed": "contributed",
        "Distributed": "distributed",
        "Terminal value": "terminal_value",
        "Profit": "profit",
        "IRR": "irr",
        "MOIC": "moic",
        "NPV": "npv",
    }
    for vid, v in summary["vehicles"].items():
        row = by_name[assumptions.vehicles[vid].name]
        for label, key in labels.items():
            _same(row[_col(header, label)], v[key])


def test_xlsx_flows_rows_equal_csv(workbook, base_run):
    flows = pd.read_csv(base_run / "base.flows.csv")
    header, body = _table(workbook["Flows"], "scenario", "amount_usd")
    assert len(body) == len(flows)
    amounts = [r[header["amount_usd"]] for r in body]
    assert sum(amounts) == pytest.approx(flows["amount_usd"].sum(), rel=1e-9, abs=1.0)


def test_xlsx_checks_all_ok(workbook, summary):
    header, body = _table(workbook["Checks"], "Check", "Status")
    statuses = [r[header["Status"]] for r in body]
    assert len(statuses) == len(summary["checks"])
    assert statuses and all(s == "OK" for s in statuses), statuses


def test_xlsx_sheets(workbook, assumptions):
    names = workbook.sheetnames
    static = ("Summary", "Assumptions", "Sources & Uses", "Reconstruction", "Parties", "Flows",
              "Checks")
    for sheet in static:
        assert sheet in names
    for vid, v in assumptions.vehicles.items():
        assert vid[:31] in names or v.name[:31] in names, vid
    live = ("Inputs", "Timeline", "Calc pool", "Parties (live)", "Checks (live)")
    for sheet in (*live, *(f"Calc {vid}"[:31] for vid in assumptions.vehicles)):
        assert sheet in names
    # a Contents sheet, first; the static sheets; a sheet per vehicle and the live model's
    # sheets, one per vehicle among them
    assert len(names) == 1 + len(static) + len(live) + 2 * len(assumptions.vehicles)


def test_xlsx_contents_links_to_every_sheet(workbook):
    ws = workbook["Contents"]
    assert workbook.sheetnames[0] == "Contents"
    links = {c.value: c.hyperlink.location for c in ws["A"] if c.hyperlink is not None}
    assert set(links) == set(workbook.sheetnames[1:])
    assert all(loc == f"'{name}'!A1" for name, loc in links.items())


def test_xlsx_summary_has_chart(workbook):
    assert workbook["Summary"]._charts


def test_xlsx_native_charts_with_titles_in_usd_bn(workbook):
    """Who receives what (stacked bars), receipts over time (lines), the pool (stacked bars)."""
    kinds = {}
    for sheet in ("Summary", "Parties", "Sources & Uses"):
        (chart,) = workbook[sheet]._charts
        kinds[sheet] = (chart.tagname, getattr(chart, "grouping", None))
        assert chart.y_axis.title is not None and chart.y_axis.numFmt is not None, sheet
    assert kinds == {
        "Summary": ("barChart", "stacked"),
        "Parties": ("lineChart", "standard"),
        "Sources & Uses": ("barChart", "stacked"),
    }


def test_xlsx_assumptions_sheet(workbook, summary, assumptions):
    ws = workbook["Assumptions"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(summary["assumptions_sha256"] in t for t in texts)
    links = {c.hyperlink.target for row in ws.iter_rows() for c in row if c.hyperlink}
    assert links
    for h in assumptions.pool.holdings:
        assert h.source is not None, h.id
        assert h.source.url.startswith("https://"), h.id
        assert h.source.url in links, h.id


# --- schema, validate ---------------------------------------------------------------------------


def test_schema(capsys):
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    for key in ("vehicles", "pool", "timeline"):
        assert key in schema["properties"]


def test_validate_base_relative(monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    assert main(["validate", "assumptions/base.yaml"]) == 0
    got = capsys.readouterr()
    assert got.err == ""
    assert "assumptions/base.yaml" in got.out


# --- atomic writes ------------------------------------------------------------------------------


@pytest.fixture
def earlier(tmp_path, base_run) -> Path:
    out = tmp_path / "out"
    shutil.copytree(base_run, out)
    return out


def _fail_in_workbook(monkeypatch):
    import finmodel.reports.run_files

    def broken(result, path):
        Path(path).write_bytes(b"PK\x03\x04 half a workbook")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(finmodel.reports.run_files, "write_workbook", broken)


def _fail_in_second_csv(monkeypatch):
    import finmodel.reports.run_files

    real = finmodel.reports.run_files.write_table
    calls = []

    def broken(df, path):
        calls.append(path)
        if len(calls) == 2:
            Path(path).write_text("scenario,period\nbase,0\n")
            raise OSError(28, "No space left on device")
        real(df, path)

    monkeypatch.setattr(finmodel.reports.run_files, "write_table", broken)


#: Each breaker, and what the one line says: a bug in a writer is an internal error; a full disk
#: says so (both exit 1).
BREAKERS = [(_fail_in_workbook, "internal error"), (_fail_in_second_csv, "no space left")]


@pytest.mark.parametrize(("breaker", "says"), BREAKERS)
def test_failed_write_leaves_earlier_report(earlier, monkeypatch, capsys, breaker, says):
    monkeypatch.delenv("FINMODEL_DEBUG", raising=False)
    before = snapshot(earlier)
    breaker(monkeypatch)
    assert main(["run", "--out", str(earlier)]) == 1
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert snapshot(earlier) == before


@pytest.mark.parametrize(("breaker", "says"), BREAKERS)
def test_failed_write_leaves_nothing_new(tmp_path, monkeypatch, capsys, breaker, says):
    monkeypatch.delenv("FINMODEL_DEBUG", raising=False)
    breaker(monkeypatch)
    out = tmp_path / "fresh"
    assert main(["run", "--out", str(out)]) == 1
    assert says in capsys.readouterr().err
    assert snapshot(out) == {}


# --- the package --------------------------------------------------------------------------------


def test_python_api(tmp_path):
    r = finmodel.run(finmodel.load(str(BASE)))
    assert isinstance(r.flows, pd.DataFrame)
    assert isinstance(r.schedule, pd.DataFrame)
    assert list(r.flows.columns) == FLOW_COLUMNS
    assert list(r.schedule.columns) == SCHEDULE_COLUMNS
    assert isinstance(r.summary, dict)
    assert set(r.summary["parties"]) == {"us", "ukraine", "russia", "europe", "world_bank"}
    path = tmp_path / "x.xlsx"
    r.to_excel(path)
    assert path.stat().st_size > 0
    assert "Summary" in openpyxl.load_workbook(path).sheetnames
    assert [p.name for p in tmp_path.iterdir()] == ["x.xlsx"]


def test_api_agrees_with_cli(summary):
    api = finmodel.run(finmodel.load("base")).summary
    for pid, p in summary["parties"].items():
        for k in PARTY_KEYS:
            assert api["parties"][pid][k] == pytest.approx(p[k], rel=1e-12, abs=1e-6)


def test_reproducible(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", "--out", str(a)]) == 0
    assert main(["run", "--out", str(b)]) == 0
    capsys.readouterr()
    for name in ("base.summary.json", "base.flows.csv", "base.schedule.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_out_that_is_a_file_is_bad_input_and_the_file_survives(tmp_path, capsys):
    target = tmp_path / "not_a_folder"
    target.write_text("keep me")
    assert main(["run", "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("finmodel: error: --out ") and "is a file, not a folder" in err
    assert target.read_text() == "keep me"


def test_a_folder_given_as_the_scenario_is_bad_input(tmp_path, capsys):
    assert main(["run", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "is a folder, not an assumption file" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_failed_write_leaves_no_new_folder(tmp_path, monkeypatch, capsys):
    def boom(result, path):
        raise RuntimeError("disk full")

    monkeypatch.setattr(finmodel.reports.run_files, "write_workbook", boom)
    out = tmp_path / "new" / "deeper"
    assert main(["run", "--out", str(out)]) == 1
    assert "internal error" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()


def test_set_may_replace_a_sourced_map(tmp_path, capsys):
    # the base cites a source for profit_split.ukraine; replacing the split drops that source
    setting = "vehicles.us_led_fund.waterfall.profit_split={us: 1.0}"
    assert main(["run", "--set", setting, "--out", str(tmp_path)]) == 0
    (written,) = tmp_path.glob("base+*.summary.json")  # named after the override, not base
    s = json.loads(written.read_text())
    assert s["parties"]["ukraine"]["by_vehicle"]["us_led_fund"]["profit_received"] == 0.0


def test_a_folder_named_like_a_shipped_scenario_does_not_hide_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "base").mkdir()
    assert main(["run", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "base.summary.json").exists()


def test_console_shows_claims_when_a_vehicle_outlives_the_horizon(tmp_path, capsys):
    long = tmp_path / "long.yaml"
    long.write_text("name: long\nextends: base\nvehicles:\n  us_led_fund:\n    term_years: 40\n")
    assert main(["run", str(long), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "Terminal claim" in out


@pytest.mark.parametrize("where", ["file", "set"])
def test_a_cross_field_error_names_the_input_the_user_changed(tmp_path, capsys, where):
    # the base deploys over 5 years; a term of 3 makes that impossible. The error must point
    # at the term the user set (their file's line 5, or their --set), not at the base's line.
    child = tmp_path / "c1.yaml"
    child.write_text("name: c1\nextends: base\nvehicles:\n  us_led_fund:\n    term_years: 3\n")
    args = [str(child)] if where == "file" else ["--set", "vehicles.us_led_fund.term_years=3"]
    assert main(["run", *args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    blamed = f"{child}:5: " if where == "file" else "--set vehicles.us_led_fund.term_years=3: "
    assert blamed + "vehicles.us_led_fund.term_years: deploys over 5 years" in err


def test_compare_set_a_key_one_reading_lacks_names_that_reading(tmp_path, capsys):
    # status_quo has no Zaporizhzhia plant: the error said "unknown vehicle" without saying
    # which of the fifteen readings lacked it
    argv = ["compare", "--set", "vehicles.znpp_output.stream.energy.cost_per_mwh=30",
            "--out", str(tmp_path / "c")]  # fmt: skip
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "in reading status_quo: unknown vehicle 'znpp_output'" in err
    assert not (tmp_path / "c").exists()
