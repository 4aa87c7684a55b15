"""A report is replaced only by a report written from the same inputs (issue 13: ``--name``,
``--set name=`` or a file named ``base`` gave a run another scenario's name and replaced its
report)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from openpyxl import Workbook

from finmodel.cli import main
from finmodel.exceptions import InputError
from finmodel.inputs.loader import digest, load, load_with_origins
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


def test_the_workbook_records_the_inputs_it_was_written_from(base_out):
    # the fingerprint is the digest of the resolved base case, worked out apart from the run
    assert written_from(base_out / "base.xlsx") == digest(load("base"))


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "literal", "--name", "base"],
        ["run", "--set", "name=base", "--set", "discount_rate=0.05"],
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


def test_the_same_inputs_replace_their_own_report(out, capsys):
    assert main(["run", "--out", str(out)]) == 0
    assert written_from(out / "base.xlsx") == digest(load("base"))


def test_force_replaces_another_scenarios_report(out):
    assert main(["run", "literal", "--name", "base", "--force", "--out", str(out)]) == 0
    renamed = load_with_origins("literal", ["name=base"]).assumptions
    assert written_from(out / "base.xlsx") == digest(renamed)


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
        with pytest.raises(InputError, match="written from other inputs"):
            check_replaceable(path, now)
    check_replaceable(path, now, force=True)  # --force always replaces


def test_a_file_finmodel_did_not_write_is_not_replaced(tmp_path):
    (tmp_path / "base.xlsx").write_bytes(b"a colleague's workbook")
    with pytest.raises(InputError, match="not written by finmodel"):
        check_replaceable(tmp_path / "base.xlsx", "0" * 64)
