"""Prove a refactor changed no number: run every shipped scenario at every frequency, then diff.

Usage:
    python scripts/check_reports_identical.py write DIR     # run everything into DIR
    python scripts/check_reports_identical.py diff DIR_A DIR_B

`write` runs `finmodel run NAME --set timeline.frequency=F` for every shipped scenario and F in
annual, quarterly, monthly, keeping the CSV and JSON files (the workbook's bytes hold the
package layout in nothing, but it is not compared: only the numbers' files are). `diff` prints
every file that differs and exits 1 if any does. In summary.json, the path of each assumption
file is where the checkout keeps it, so it is set aside (its sha256 is compared: the same bytes).
Slow (a minute or two): not part of CI.
"""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

FREQUENCIES = ("annual", "quarterly", "monthly")


def scenarios(root: Path) -> list[str]:
    folder = root / "assumptions"
    return ["base", *sorted(p.stem for p in (folder / "scenarios").glob("*.yaml"))]


def write(out: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    for name in scenarios(root):
        for freq in FREQUENCIES:
            target = out / f"{name}.{freq}"
            target.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [sys.executable, "-m", "finmodel.cli", "run", name,
                 "--set", f"timeline.frequency={freq}", "--out", str(target)],
                check=True, cwd=root, capture_output=True,
            )
            for p in target.glob("*.xlsx"):
                p.unlink()
            print(f"wrote {target}")


def diff(a: Path, b: Path) -> int:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    bad = sorted(set(files_a) ^ set(files_b))
    for rel in sorted(set(files_a) & set(files_b)):
        same = filecmp.cmp(a / rel, b / rel, shallow=False) or _same_summary(a / rel, b / rel)
        if not same:
            bad.append(rel)
    for rel in bad:
        print(f"differs: {rel}")
    print(f"{len(files_a)} files compared, {len(bad)} differ")
    return 1 if bad else 0


def _same_summary(a: Path, b: Path) -> bool:
    """Two summary.json files equal but for where their assumption files sit on disk."""
    if not a.name.endswith(".summary.json"):
        return False
    ja, jb = json.loads(a.read_text()), json.loads(b.read_text())
    for j in (ja, jb):
        for f in j.get("files", []):
            f.pop("path", None)
    return ja == jb


if __name__ == "__main__":
    if sys.argv[1:2] == ["write"] and len(sys.argv) == 3:
        write(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["diff"] and len(sys.argv) == 4:
        sys.exit(diff(Path(sys.argv[2]), Path(sys.argv[3])))
    else:
        sys.exit(__doc__)
