"""Report sets written as one unit: replaced whole or not at all, never mixed by two writers,
a full disk or an unwritable target in one line with the earlier set untouched; output names
that never collide across commands; CSV cells a spreadsheet would read as formulas."""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import cell_texts, report_set_writes, scenario_names

from finmodel.cli import main
from finmodel.exceptions import InputError, ResourceError
from finmodel.inputs.names import OUTPUTS, name_problem
from finmodel.reports.files import STALE_AFTER, report_paths, write_all, write_csv

REPO = Path(__file__).resolve().parents[2]
RUN_FILES = ("base.xlsx", "base.flows.csv", "base.schedule.csv", "base.summary.json")


def state(folder: Path) -> dict[str, tuple[str, bytes]]:
    """Everything in ``folder``: each entry's kind and content (a link: where it points)."""
    out = {}
    for p in sorted(folder.iterdir()):
        if p.is_symlink():
            out[p.name] = ("link", os.readlink(p).encode())
        elif p.is_dir():
            out[p.name] = ("folder", b"")
        else:
            out[p.name] = ("file", p.read_bytes())
    return out


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment of a child ``python``: this worktree's finmodel first, no debug."""
    env = {k: v for k, v in os.environ.items() if k != "FINMODEL_DEBUG"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env | extra


# --- replaced whole or not at all ---------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(report_set_writes())
def test_a_report_set_is_replaced_whole_or_not_at_all(case):
    """Whatever stood there (nothing, a file, a link) and wherever the write fails (a writer
    out of space or broken, a rename refused, a folder in the way): success replaces every
    target by a file with the new content and leaves nothing else; failure leaves the folder
    exactly as it was (an earlier set untouched, no temporary file, no link written through)."""
    files, earlier, failure = case["files"], case["earlier"], case["failure"]
    with tempfile.TemporaryDirectory() as tmp:
        out, elsewhere = Path(tmp, "out"), Path(tmp, "elsewhere")
        out.mkdir()
        elsewhere.mkdir()
        for name, what in earlier.items():
            if what == "file":
                (out / name).write_bytes(b"earlier " + name.encode())
            elif what == "link":
                (elsewhere / name).write_bytes(b"not mine")
                (out / name).symlink_to(elsewhere / name)
        if failure and failure[0] == "folder":
            target = out / files[failure[1]]
            if target.is_symlink() or target.exists():
                target.unlink()
            target.mkdir()
        before, outside = state(out), state(elsewhere)

        def writer(i: int, name: str):
            def write(path: Path) -> None:
                path.write_bytes(b"new " + name.encode())
                if failure and failure[0] == "writer" and failure[1] == i:
                    if failure[2] == "enospc":
                        raise OSError(errno.ENOSPC, "No space left on device")
                    raise RuntimeError("a bug in a writer")

            return write

        real_replace, renames = os.replace, []

        def replace(src, dst):
            if Path(dst).parent == out and Path(src).parent != out:
                renames.append(dst)
                if failure == ("replace", len(renames) - 1) and len(renames) == failure[1] + 1:
                    raise OSError(errno.EIO, "Input/output error")
            return real_replace(src, dst)

        targets = {out / name: writer(i, name) for i, name in enumerate(files)}
        expected_error = {
            None: None,
            "writer": ResourceError if failure and failure[-1] == "enospc" else RuntimeError,
            "replace": OSError,
            "folder": InputError,
        }[failure[0] if failure else None]
        with mock.patch("os.replace", replace):
            if expected_error is None:
                write_all(targets)
            else:
                with pytest.raises(expected_error):
                    write_all(targets)
        assert state(elsewhere) == outside  # a link is replaced, never written through
        if expected_error is None:
            want = dict(before)
            want |= {name: ("file", b"new " + name.encode()) for name in files}
            assert state(out) == want
        else:
            assert state(out) == before


def test_a_folder_in_the_way_is_refused_before_anything_is_replaced(tmp_path, capsys):
    """The issue's example: a folder named base.summary.json beside an earlier report. Exit 2,
    one line naming it, and the xlsx and CSVs of the earlier report are not replaced."""
    out = tmp_path / "out"
    # a run named "same", so that a changed run can take the same name (the file's own name,
    # base, a changed run may not take)
    assert main(["run", "--name", "same", "--out", str(out)]) == 0
    (out / "same.summary.json").unlink()
    (out / "same.summary.json").mkdir()
    before = state(out)
    capsys.readouterr()
    again = ["run", "--set", "discount_rate=0.04", "--set", "name=same"]  # the same report set
    assert main([*again, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "same.summary.json is a folder" in err, err
    assert state(out) == before


def test_a_read_only_folder_is_bad_input_and_nothing_changes(tmp_path, capsys):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders")
    out = tmp_path / "out"
    assert main(["run", "--out", str(out)]) == 0
    before = state(out)
    out.chmod(0o555)
    try:
        assert main(["run", "--set", "discount_rate=0.04", "--out", str(out)]) == 2
    finally:
        out.chmod(0o755)
    assert capsys.readouterr().err.count("\n") == 1
    assert state(out) == before


# --- two writers into one folder ----------------------------------------------------------------


@settings(max_examples=4, deadline=None)
@given(st.integers(0, 2))
def test_two_writers_take_turns(pause_after):
    """Writer 1 pauses after renaming file ``pause_after`` of its set into place, until writer 2
    has finished or half a second has passed. Writer 2 must wait for writer 1's set to be
    complete: the folder ends with writer 2's set, whole. (Without the lock, writer 2 finishes
    during the pause and writer 1's later renames mix the sets.)"""
    names = ["s.xlsx", "s.flows.csv", "s.schedule.csv"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        one_paused, two_done = threading.Event(), threading.Event()
        real_replace, done_by_one = os.replace, []

        def replace(src, dst):
            real_replace(src, dst)
            if threading.current_thread().name == "one" and Path(dst).parent == out:
                done_by_one.append(dst)
                if len(done_by_one) == pause_after + 1:
                    one_paused.set()
                    two_done.wait(timeout=0.5)

        def write(tag: str) -> None:
            write_all({out / n: (lambda p, n=n: p.write_text(f"{tag} {n}")) for n in names})

        def second() -> None:
            one_paused.wait(timeout=30)
            write("two")
            two_done.set()

        with mock.patch("os.replace", replace):
            threads = [threading.Thread(target=write, args=("one",), name="one"),
                       threading.Thread(target=second, name="two")]  # fmt: skip
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
        assert {p.name: p.read_text() for p in out.iterdir()} == {n: f"two {n}" for n in names}


_SLOW_RUN = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    import finmodel.reports.files as files
    from finmodel.cli import main

    real, out, count = os.replace, Path(sys.argv[1]), []

    def slow_replace(src, dst):
        real(src, dst)
        if Path(dst).parent == out:
            count.append(dst)
            if len(count) == 1:  # one file of the set is in place: let the other run finish
                (out.parent / "first_in_place").touch()
                deadline = time.monotonic() + 60
                while not (out.parent / "other_staged").exists() and time.monotonic() < deadline:
                    time.sleep(0.05)
                time.sleep(1.0)  # the other run, unlocked, would finish its renames in this time

    files.os.replace = slow_replace
    sys.exit(main(["run", "--set", "vehicles.us_led_fund.return.rate=0.03", "--set", "name=same",
                   "--force", "--out", str(out)]))  # both named same: one set, two writers
    """
)

_NOTE_STAGED = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import finmodel.reports.files as files
    from finmodel.cli import main

    real_locked, out = files._locked, Path(sys.argv[1])

    def locked(folder):
        (out.parent / "other_staged").touch()  # staged, about to take the lock
        return real_locked(folder)

    files._locked = locked
    sys.exit(main(["run", "--set", "vehicles.us_led_fund.return.rate=0.09", "--set", "name=same",
                   "--force", "--out", str(out)]))  # both named same: one set, two writers
    """
)


def test_two_runs_into_one_out_never_mix(tmp_path):
    """The issue's reproduction: two `finmodel run` into one --out, the first slowed half way
    through replacing its set. Both exit 0 and the folder holds one run's four files."""
    import json

    import openpyxl
    import pandas as pd

    out = tmp_path / "out"
    env = subprocess_env()
    slow = subprocess.Popen([sys.executable, "-c", _SLOW_RUN, str(out)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    deadline = time.monotonic() + 120
    while not (tmp_path / "first_in_place").exists():
        assert slow.poll() is None, slow.communicate()
        assert time.monotonic() < deadline, "the slowed run never started replacing"
        time.sleep(0.05)
    other = subprocess.run([sys.executable, "-c", _NOTE_STAGED, str(out)], cwd=REPO, env=env,
                           capture_output=True, timeout=180)  # fmt: skip
    _, slow_err = slow.communicate(timeout=180)
    assert slow.returncode == 0, slow_err
    assert other.returncode == 0, other.stderr
    same = sorted(f.replace("base.", "same.") for f in RUN_FILES)
    assert sorted(p.name for p in out.iterdir()) == same
    # each file says which run wrote it: the summary and the workbook name the override; the
    # CSVs' numbers must be the summary's (a fund's profit is its returns less its fees)
    summary = json.loads((out / "same.summary.json").read_text())
    later = ["--set vehicles.us_led_fund.return.rate=0.09", "--set name=same"]
    assert summary["overrides"] == later
    wb = openpyxl.load_workbook(out / "same.xlsx", read_only=True)
    overrides = [r[1] for r in wb["Assumptions"].iter_rows(values_only=True) if r[0] == "Override"]
    assert overrides == summary["overrides"]
    schedule = pd.read_csv(out / "same.schedule.csv")
    fund = schedule[schedule["vehicle"] == "us_led_fund"].groupby("line")["amount_usd"].sum()
    profit = summary["vehicles"]["us_led_fund"]["profit"]
    assert fund["return"] - fund["fee"] == pytest.approx(profit, rel=1e-9)
    flows = pd.read_csv(out / "same.flows.csv")
    us = flows[(flows["party"] == "us") & (flows["amount_usd"] > 0)]["amount_usd"].sum()
    assert us == pytest.approx(summary["parties"]["us"]["received"], rel=1e-9)


# --- a full disk --------------------------------------------------------------------------------

_FULL_DISK_AT_XLSX = textwrap.dedent(
    """
    import builtins, errno, io, sys
    from finmodel.cli import main

    real_open = builtins.open

    class Full(io.RawIOBase):
        # a file on a disk with 10 KB left: writing past that fails as the disk would
        def __init__(self, f):
            self.f, self.n = f, 0
        def writable(self):
            return True
        def write(self, b):
            self.n += len(b)
            if self.n > 10_000:
                raise OSError(errno.ENOSPC, "No space left on device")
            return self.f.write(b)
        def seekable(self):
            return self.f.seekable()
        def seek(self, *a):
            return self.f.seek(*a)
        def tell(self):
            return self.f.tell()
        def close(self):
            self.f.close()
            super().close()

    def full_open(file, mode="r", *args, **kwargs):
        f = real_open(file, mode, *args, **kwargs)
        return Full(f) if str(file).endswith(".xlsx") and "w" in mode else f

    builtins.open = full_open
    import io as _io
    _io.open = full_open
    sys.exit(main(["run", "--set", "discount_rate=0.04", "--out", sys.argv[1]]))
    """
)


def test_a_full_disk_is_one_line_and_the_earlier_set_stays(tmp_path):
    """The disk fills while the workbook is written: exit 1, one line saying so (no ZipFile
    traceback after it), the earlier set untouched, nothing left behind."""
    out = tmp_path / "out"
    assert main(["run", "--out", str(out)]) == 0
    before = state(out)
    argv = [sys.executable, "-c", _FULL_DISK_AT_XLSX, str(out)]
    r = subprocess.run(
        argv, cwd=REPO, env=subprocess_env(), capture_output=True, text=True, timeout=180
    )
    assert r.returncode == 1, r.stderr
    assert r.stderr.count("\n") == 1 and "no space left" in r.stderr, r.stderr
    assert state(out) == before


def _unshare_works() -> bool:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        r = subprocess.run(["unshare", "-rm", "true"], capture_output=True, timeout=30)
        return r.returncode == 0
    return False


_ON_A_SMALL_DISK = textwrap.dedent(
    """
    import hashlib, json, subprocess, sys
    from pathlib import Path
    out = Path(sys.argv[1])
    cli = [sys.executable, "-m", "finmodel.cli", "run", "--out", str(out)]
    first = subprocess.run(cli, capture_output=True, text=True)
    digests = lambda: {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.iterdir()}
    before = digests()
    used = sum(p.stat().st_size for p in out.iterdir())
    # leave less room than a set needs: fill all but half of a set's size
    free = int(subprocess.run(["df", "-B1", "--output=avail", str(out)], capture_output=True,
                              text=True).stdout.split()[-1])
    (out / "fill").write_bytes(b"x" * max(0, free - used // 2))
    before = digests()
    second = subprocess.run(cli + ["--set", "discount_rate=0.04"], capture_output=True, text=True)
    print(json.dumps({"first": first.returncode, "rc": second.returncode, "err": second.stderr,
                      "same": digests() == before}))
    """
)


@pytest.mark.skipif(not _unshare_works(), reason="needs `unshare -rm` to mount a small tmpfs")
def test_a_real_full_disk(tmp_path):
    """On a real 1 MB file system, filled until a new set cannot fit: exit 1, one line, the
    earlier set and everything else untouched."""
    import json

    mount, steps = tmp_path / "small", tmp_path / "steps.py"
    mount.mkdir()
    steps.write_text(_ON_A_SMALL_DISK)
    script = f"mount -t tmpfs -o size=1m none {mount} && {sys.executable} {steps} {mount}"
    r = subprocess.run(["unshare", "-rm", "sh", "-c", script], cwd=REPO, env=subprocess_env(),
                       capture_output=True, text=True, timeout=300)  # fmt: skip
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout.strip().splitlines()[-1])
    assert got["first"] == 0
    assert got["rc"] == 1, got["err"]
    assert got["err"].count("\n") == 1 and "no space left" in got["err"], got["err"]
    assert got["same"]


# --- what a killed writer leaves ----------------------------------------------------------------


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_a_killed_writers_staging_folder_is_removed_later(tmp_path):
    """A writer killed mid-write (SIGKILL) leaves its hidden staging folder; the next write into
    the folder removes it once its process is gone and it is old, and only then."""
    gone, alive = _dead_pid(), os.getppid()
    old = time.time() - STALE_AFTER - 60
    leftovers = {
        f".finmodel-{gone}-old": (old, False),  # dead and old: removed
        f".finmodel-{gone}-new": (time.time(), True),  # dead but recent: maybe still writing
        f".finmodel-{alive}-old": (old, True),  # its process lives
        ".finmodel-notapid": (old, True),  # not ours
    }
    for name, (mtime, _) in leftovers.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "base.xlsx").write_text("half")
        os.utime(tmp_path / name, (mtime, mtime))
    write_all({tmp_path / "r.csv": lambda p: p.write_text("x")})
    for name, (_, stays) in leftovers.items():
        assert (tmp_path / name).exists() == stays, name


# --- names that never collide -------------------------------------------------------------------

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.=+-]*$"  # the scenario name's pattern in assumptions.py


def accepted(name: str) -> bool:
    """Whether the model takes ``name`` as a scenario's name (validated as a file would be)."""
    import re

    import finmodel

    if not re.match(NAME_PATTERN, name):
        return False
    try:
        finmodel.with_overrides(finmodel.load("base"), {"name": name})
    except InputError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(scenario_names(), scenario_names(), st.sampled_from(list(OUTPUTS)),
       st.sampled_from(list(OUTPUTS)))  # fmt: skip
def test_names_the_model_accepts_never_give_another_reports_files(a, b, cmd_a, cmd_b):
    """Two reports share a file only when they are the same command's report of the same
    scenario (names compared ignoring case, as a macOS or Windows disk does)."""
    if name_problem(a) or name_problem(b):  # cheap filter; the model's own check is below
        return
    files_a = {p.name.casefold() for p in report_paths("out", cmd_a, a)}
    files_b = {p.name.casefold() for p in report_paths("out", cmd_b, b)}
    same_report = cmd_a == cmd_b and (cmd_a == "compare" or a.casefold() == b.casefold())
    assert bool(files_a & files_b) == same_report, (cmd_a, a, cmd_b, b)


@pytest.mark.parametrize(
    ("name", "clashes_with"),
    [("base.sweep", "base.sweep.xlsx"), ("base.Simulation", "base.simulation.xlsx"),
     ("x.tornado", "x.tornado.xlsx"), ("compare", "compare.xlsx"), ("COMPARE", "compare.xlsx")],
)  # fmt: skip
def test_a_name_that_would_write_another_commands_file_is_refused(name, clashes_with):
    """Each of these names would make `run` write ``clashes_with`` (another command's file):
    the model refuses it, so validate does too."""
    xlsx = report_paths("out", "run", name)[0].name
    others = {p.name.casefold() for c in OUTPUTS if c != "run"
              for p in report_paths("out", c, name.rsplit(".", 1)[0])}  # fmt: skip
    assert xlsx.casefold() == clashes_with and clashes_with in others
    assert not accepted(name)


def test_a_scenario_named_base_sweep_leaves_the_sweep_of_base_alone(tmp_path, capsys):
    """The issue's example, end to end: the sweep of base is written; `run --set
    name=base.sweep` and `validate` refuse the name (exit 2, one line naming the field), and
    the sweep's files are untouched."""
    out = tmp_path / "out"
    vary = ["--vary", "discount_rate=0.03,0.05"]
    assert main(["sweep", *vary, "--out", str(out)]) == 0
    before = state(out)
    capsys.readouterr()
    assert main(["run", "--set", "name=base.sweep", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "name: ends in '.sweep'" in err, err
    assert main(["validate", str(REPO / "assumptions" / "base.yaml"),
                 "--set", "name=base.sweep"]) == 2  # fmt: skip
    assert state(out) == before


# --- CSV cells that a spreadsheet would read as a formula ---------------------------------------


def is_plain_number(text: str) -> bool:
    """Text a spreadsheet reads as a number: digits, one sign, a point, an exponent."""
    if not text or any(c not in "0123456789+-.eE" for c in text):
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(st.lists(cell_texts(), min_size=1, max_size=8),
       st.lists(st.floats(-1e12, 1e12, allow_nan=False), min_size=1, max_size=8))  # fmt: skip
def test_csv_text_cells_never_start_a_formula_and_numbers_stay_numbers(texts, numbers):
    """Read back as a spreadsheet would: no text cell starts with = + - @ tab or CR unless it is
    a plain number; a neutralised cell is the original text after one quote (a CR inside it
    read as a line break); every number (negative ones too) is written as the number; no row
    is split."""
    import csv

    import pandas as pd

    rows = max(len(texts), len(numbers))
    texts = (texts * rows)[:rows]
    numbers = (numbers * rows)[:rows]
    mixed = [t if i % 2 else n for i, (t, n) in enumerate(zip(texts, numbers))]  # one column
    table = pd.DataFrame({"text": texts, "number": numbers,
                          "mixed": pd.Series(mixed, dtype=object)})  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        write_csv(table, path, float_format="%.17g")
        with open(path, newline="") as f:
            got = list(csv.reader(f))[1:]
    assert len(got) == rows and all(len(row) == 3 for row in got)
    formula = ("=", "+", "-", "@", "\t", "\r")
    for (text, number, mixed_cell), want_text, want_number, want_mixed in zip(
        got, texts, numbers, mixed
    ):
        for cell, want in ((text, want_text), (mixed_cell, want_mixed)):
            if not isinstance(want, str):
                assert float(cell) == want
                continue
            if want.startswith(formula) and not is_plain_number(want):
                want = "'" + want
            assert cell == want.replace("\r\n", "\n").replace("\r", "\n")
        assert float(number) == want_number


def test_the_issues_sweep_writes_no_formula_into_its_csv(tmp_path, capsys):
    """`sweep --vary 'description==1+1,+cmd|calc!A0'`: both cells are quoted text in the
    CSV; the numbers beside them (negative NPVs among them) are plain numbers."""
    import csv

    out = tmp_path / "out"
    assert main(["sweep", "--vary", "description==1+1,+cmd|calc!A0", "--out", str(out)]) == 0
    with open(out / "base.sweep.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["description"] for r in rows] == ["'=1+1", "'+cmd|calc!A0"]
    npv = [float(r["russia.npv"]) for r in rows]  # Russia's NPV is negative in the base case
    assert all(x < 0 for x in npv)


def test_every_csv_goes_through_the_one_writer():
    """Only finmodel/reports/files.py calls DataFrame.to_csv: every CSV the tool writes is
    neutralised."""
    root = REPO / "finmodel"
    callers = [p.relative_to(root).as_posix() for p in root.rglob("*.py")
               if ".to_csv(" in p.read_text()]  # fmt: skip
    assert callers == ["reports/files.py"]
