"""The wheel ships every module and the one copy of every shipped scenario.

The repository's ``assumptions/`` folder is installed inside the package as
``finmodel/assumptions`` (pyproject.toml maps it), where ``finmodel run`` finds ``base`` and
every reading by name from any folder. The package list in pyproject.toml is written out, so
this also checks that no module is left out of it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: What pip prints when it cannot fetch the build backend (no index, no network).
_NO_BACKEND = ("No matching distribution found", "Could not find a version")


def _left_out(folder: str, names: list[str]) -> list[str]:
    """What the copy leaves out: git's and the tools' folders, and the reports written."""
    skip = {".git", "build", "dist", "__pycache__", ".hypothesis", ".pytest_cache", ".ruff_cache"}
    top = Path(folder) == REPO
    return [n for n in names
            if n in skip or n.endswith(".egg-info") or (top and n == "reports")]  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    build = tmp_path_factory.mktemp("build")
    src = build / "src"  # a copy: building in place would leave build/ and *.egg-info behind
    shutil.copytree(REPO, src, ignore=_left_out)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(out)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if done.returncode != 0 and any(s in done.stderr for s in _NO_BACKEND):
        pytest.skip(f"the build backend cannot be had here: {done.stderr.strip()[-200:]}")
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("finmodel-*.whl")
    return zipfile.ZipFile(path)


def test_every_assumption_file_is_in_the_wheel_once(wheel):
    names = set(wheel.namelist())
    files = sorted(p.relative_to(REPO / "assumptions").as_posix()
                   for p in (REPO / "assumptions").rglob("*.yaml"))  # fmt: skip
    assert files  # base.yaml and the readings
    assert "base.yaml" in files
    for f in files:
        assert f"finmodel/assumptions/{f}" in names, f
        shipped = wheel.read(f"finmodel/assumptions/{f}")
        assert shipped == (REPO / "assumptions" / f).read_bytes(), f
    # one copy: no YAML file anywhere else in the wheel
    others = [n for n in names if n.endswith(".yaml") and not n.startswith("finmodel/assumptions/")]
    assert others == []


def test_every_module_is_in_the_wheel(wheel):
    names = set(wheel.namelist())
    modules = sorted(p.relative_to(REPO).as_posix() for p in (REPO / "finmodel").rglob("*.py"))
    missing = [m for m in modules if m not in names]
    assert missing == []
