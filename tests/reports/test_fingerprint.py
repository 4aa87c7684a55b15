"""A report is replaced only by a run of the same scenario: the same file, the same ``--set``
changes, the same name (issue 13: ``--name``, ``--set name=`` or a file named ``base`` gave a
run another scenario's name and replaced its report). Editing one's own file and running it
again replaces its report: that is the everyday loop."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from openpyxl import Workbook

from finmodel.cli import main
from finmodel.exceptions import InputError
from finmodel.inputs.loader import digest, load
from finmodel.inputs.locate import locate
from finmodel.reports.fingerprint import check_replaceable, stamp, written_from
from tests.strategies import fingerprints


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def base_out(tmp_path_factory) -> Path:
    """A folder holding the plain base case's report."""
    out = tmp_path_factory.mktemp("base_out")
    assert main(["run", "--out", str(out)]) == 0
    return out


@pytest.fixture
def out(tmp_path, base_out) -> Path:
    shutil.copytree(base_out, tmp_path / "out")
    return tmp_path / "out"


def _scenario(file: Path, changes: list[str], name: str) -> str:
    """The scenario's fingerprint worked out apart from the code: the sha256 of the canonical
    JSON of the file's full path, the sorted ``key=value`` changes (values as JSON) and the name."""
    key = {"file": str(file.resolve()), "changes": sorted(changes), "name": name}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


def test_the_workbook_records_the_scenario_it_was_written_for(base_out):
    assert written_from(base_out / "base.xlsx") == _scenario(locate("base"), [], "base")


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "literal", "--name", "base"],
        ["run", "literal", "--set", "name=base"],
        ["run", "{own_base}"],  # a file whose own name is base, with other contents
    ],
    ids=["--name", "--set name=", "a file named base"],
)
def test_another_scenario_named_base_is_refused(out, tmp_path, capsys, argv):
    own = tmp_path / "mine.yaml"
    own.write_text("extends: base\ndiscount_rate: 0.07\n")  # name: base, inherited
    before = _files(out)
    argv = [a.replace("{own_base}", str(own)) for a in argv]
    assert main([*argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "base.xlsx" in err and "--name" in err and "--force" in err
    assert _files(out) == before  # nothing replaced, nothing added


def test_a_changed_run_cannot_take_the_files_own_name_through_set_name(out, capsys):
    # as --name base with --set changes: refused before any work, nothing replaced
    before = _files(out)
    argv = ["run", "--set", "name=base", "--set", "discount_rate=0.05", "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--set name=base" in err and "unchanged scenario" in err
    assert _files(out) == before


def test_set_name_to_the_files_own_name_alone_is_no_change(out):
    assert main(["run", "--set", "name=base", "--out", str(out)]) == 0
    assert written_from(out / "base.xlsx") == _scenario(locate("base"), [], "base")


def test_the_same_scenario_replaces_its_own_report(out, capsys):
    assert main(["run", "--out", str(out)]) == 0
    assert written_from(out / "base.xlsx") == _scenario(locate("base"), [], "base")


def test_an_edited_file_run_again_replaces_its_own_report(tmp_path, capsys):
    # the analyst's loop: run my file, edit a figure in it, run it again
    mine, out = tmp_path / "mine.yaml", tmp_path / "out"
    mine.write_text("extends: base\nname: mine\ndiscount_rate: 0.05\n")
    assert main(["run", str(mine), "--out", str(out)]) == 0
    mine.write_text("extends: base\nname: mine\ndiscount_rate: 0.06\n")
    assert main(["run", str(mine), "--out", str(out)]) == 0
    summary = json.loads((out / "mine.summary.json").read_text())
    assert summary["assumptions_sha256"] == digest(load(mine))  # the edited numbers
    assert written_from(out / "mine.xlsx") == _scenario(mine, [], "mine")


def test_the_same_changes_in_another_order_are_the_same_scenario(tmp_path):
    out = tmp_path / "out"
    sets = ["--set", "discount_rate=0.05", "--set", "vehicles.us_led_fund.return.rate=0.03"]
    assert main(["run", *sets, "--name", "mine", "--out", str(out)]) == 0
    swapped = [*sets[2:], *sets[:2]]
    assert main(["run", *swapped, "--name", "mine", "--out", str(out)]) == 0
    changes = ["discount_rate=0.05", "vehicles.us_led_fund.return.rate=0.03"]
    assert written_from(out / "mine.xlsx") == _scenario(locate("base"), changes, "mine")


def test_force_replaces_another_scenarios_report(out):
    assert main(["run", "literal", "--name", "base", "--force", "--out", str(out)]) == 0
    assert written_from(out / "base.xlsx") == _scenario(
        locate("literal"), [], "base"
    )


def test_a_sweep_named_as_another_scenarios_sweep_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    vary = ["--vary", "discount_rate=0.03,0.05"]
    assert main(["sweep", *vary, "--out", str(out)]) == 0
    before = _files(out)
    assert main(["sweep", "literal", "--name", "base", *vary, "--out", str(out)]) == 2
    assert "base.sweep.xlsx" in capsys.readouterr().err
    assert _files(out) == before


@settings(max_examples=50, deadline=None)
@given(earlier=fingerprints, now=fingerprints)
def test_replaced_only_when_the_fingerprints_are_equal(tmp_path_factory, earlier, now):
    path = tmp_path_factory.mktemp("fp") / "x.xlsx"
    wb = Workbook()
    wb.properties.identifier = stamp(earlier)
    wb.save(path)
    assert written_from(path) == earlier
    if earlier == now:
        check_replaceable(path, now)
    else:
        with pytest.raises(InputError, match="written for another scenario"):
            check_replaceable(path, now)
    check_replaceable(path, now, force=True)  # --force always replaces


def test_a_file_finmodel_did_not_write_is_not_replaced(tmp_path):
    (tmp_path / "base.xlsx").write_bytes(b"a colleague's workbook")
    with pytest.raises(InputError, match="not written by finmodel"):
        check_replaceable(tmp_path / "base.xlsx", "0" * 64)
