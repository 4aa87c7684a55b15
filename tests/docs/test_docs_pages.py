"""The docs say what the code does: the numbers they quote come from a fresh run, and nothing
in the repository sends a reader to a file a clone does not have.

The site itself (every page in the nav, every link and anchor resolving) is checked by
``mkdocs build --strict`` in ``.ci/run``; these tests check what a build cannot.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

import finmodel
from finmodel.studies.compare import DEFAULT_SET, compare

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
READINGS = list(DEFAULT_SET)  # the readings `finmodel compare` runs by default


def bn(x: float) -> str:
    """USD as the docs show it: USD bn, one decimal, never "-0.0"."""
    return f"{round(x / 1e9, 1) + 0.0:.1f}"


def table_rows(text: str, first_header: str) -> dict[str, list[str]]:
    """The rows of the markdown table whose header starts with ``first_header``: {first cell:
    the other cells}, backticks dropped.

    >>> table_rows("| a | b |\\n|---|--:|\\n| `x` | 1.0 |\\n\\nafter", "a")
    {'x': ['1.0']}
    """
    lines = text.splitlines()
    start = next(i for i, s in enumerate(lines) if re.match(rf"\|\s*{first_header}\s*\|", s))
    rows = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        rows[cells[0]] = cells[1:]
    return rows


def console_rows(text: str, names: dict[str, str]) -> dict[str, list[str]]:
    """The party rows of ``finmodel run``'s table as quoted in a page: {party id: numbers};
    ``names`` maps each party's name (as the table shows it) to its id."""
    block = text[text.index("base: who receives what") :]
    lines = block.splitlines()
    start = next(i for i, s in enumerate(lines) if s.startswith("─")) + 1
    rows = {}
    for line in lines[start:]:
        m = re.match(r"^\s*(.+?)\s{2,}(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*$", line)
        if m is None:
            break
        rows[names[m.group(1)]] = list(m.groups()[1:])
    return rows


@pytest.fixture(scope="module")
def base_run():
    return finmodel.run(finmodel.load("base"))


def expected(summary: dict, party: str) -> list[str]:
    p = summary["parties"][party]
    return [bn(p[k]) for k in ("received", "paid", "net", "npv")]


def test_home_page_table_is_the_base_run(base_run):
    rows = table_rows((DOCS / "index.md").read_text(), "party")
    names = {p.name: pid for pid, p in base_run.assumptions.parties.items()}
    assert {names[n] for n in rows} == set(base_run.summary["parties"])
    for name, cells in rows.items():
        assert cells == expected(base_run.summary, names[name]), name


def readme() -> Path:
    """The README for users."""
    return ROOT / "README.md"


@pytest.mark.parametrize("page", [readme(), DOCS / "getting-started.md", DOCS / "cli.md"])
def test_quoted_console_output_is_the_base_run(base_run, page):
    names = {p.name: pid for pid, p in base_run.assumptions.parties.items()}
    rows = console_rows(page.read_text(), names)
    assert set(rows) == set(base_run.summary["parties"])
    for pid, cells in rows.items():
        assert cells == expected(base_run.summary, pid), (page, pid)


def test_readings_table_is_a_fresh_comparison():
    text = (DOCS / "readings.md").read_text()
    npv_table = text[text.index("## Each party's NPV under each reading") :]
    rows = table_rows(npv_table, "reading")
    header = next(s for s in npv_table.splitlines() if s.startswith("| reading"))
    parties = [c.strip() for c in header.strip().strip("|").split("|")][1:]
    results = {r.name: r for r in (finmodel.run(finmodel.load(n)) for n in READINGS)}
    table = compare(list(results.values())).table
    assert list(rows) == READINGS
    for reading, cells in rows.items():
        npv = table.query(f"scenario == '{reading}' and entity == 'party' and metric == 'npv'")
        by_party = dict(zip(npv["id"], npv["value"]))
        assert cells == [bn(by_party.get(p, 0.0)) for p in parties], reading


def test_nothing_points_to_files_a_clone_lacks():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    here = Path(__file__).relative_to(ROOT).as_posix()
    offenders = []
    for name in tracked:
        path = ROOT / name
        if name == here or path.suffix not in {".md", ".py", ".yaml", ".yml", ".toml", ".ipynb"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if "MODEL.md" in text or "../shared" in text:
            offenders.append(name)
    assert offenders == []


def test_every_page_is_in_the_sites_nav():
    """A page left out of mkdocs.yml's nav is built but linked from nowhere: a reader never
    finds it (mkdocs only logs it, even with --strict)."""
    nav = (ROOT / "mkdocs.yml").read_text()
    listed = set(re.findall(r":\s*([\w-]+\.md)\s*$", nav, re.M))
    pages = {p.name for p in (ROOT / "docs").glob("*.md")}
    assert pages - listed == set()
