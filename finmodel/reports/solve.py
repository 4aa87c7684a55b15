"""A break-even's files: NAME.solve.csv (a row per root) and NAME.solve.json (the roots, the
grid that bracketed them and the summary of the single run at each root)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from finmodel.reports.files import report_paths, write_all, write_csv
from finmodel.studies.solve import SolveResult, roots_table, solved_runs


def solve_document(s: SolveResult, runs: list) -> dict[str, Any]:
    """The contents of NAME.solve.json: plain JSON (None where a grid value is undefined).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> from finmodel.studies.solve import solve
    >>> s = solve(load("base"), "discount_rate", (0.0, 0.1), "parties.us.npv=50e9")
    >>> d = solve_document(s, solved_runs(s))
    >>> d["key"], len(d["roots"]) == len(d["solved"]), d["solved"][0]["summary"]["checks_ok"]
    ('discount_rate', True, True)
    """
    t = s.target
    values, y = s.grid
    return {
        "scenario": s.name,
        "key": s.key,
        "bounds": list(s.bounds),
        "target": {
            "metric": t.metric.name, "value": t.value, "reading": t.reading,
            "reading_metric": t.other,
        },
        "roots": list(s.roots),
        "grid": [
            {"value": float(x), "metric": float(v) if math.isfinite(v) else None}
            for x, v in zip(values, y)
        ],
        "solved": [{"value": x, "summary": r.summary} for x, r in zip(s.roots, runs)],
    }


def _write_text(path: Path, text: str) -> None:
    path.write_text(text)


def write_solve(s: SolveResult, out_dir: str | Path) -> list[Path]:
    """Write NAME.solve.csv and NAME.solve.json to ``out_dir`` as one set."""
    runs = solved_runs(s)
    csv, doc = report_paths(out_dir, "solve", s.name)
    text = json.dumps(solve_document(s, runs), indent=2, allow_nan=False) + "\n"
    return write_all({
        csv: lambda p: write_csv(roots_table(s, runs), p, float_format="%.17g"),
        doc: lambda p: _write_text(p, text),
    })  # fmt: skip
