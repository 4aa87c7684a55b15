"""Speed of writing the Excel report, live model included, against baselines in the same process.

Run:  python benchmarks/bench_report.py

For the base case on an annual and on a 30-year monthly timeline (361 periods), prints the
seconds to write the workbook with its live model, and the ratios against two baselines run
here: the same workbook without the live model (the static sheets alone), and the engine's run.
Also the whole of ``finmodel run`` (the run and its four report files). Best of 3. Nothing
here asserts a time: these are figures to read, not tests.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench_engine import _best  # best of n, as the engine's benchmark measures

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's finmodel

import finmodel
from finmodel.reports.run_workbook import write_workbook


def bench(label: str, overrides: dict) -> dict[str, float]:
    a = finmodel.load("base", overrides)
    r = finmodel.run(a)
    _ = r.summary  # metrics computed once, as a run does before its report
    with tempfile.TemporaryDirectory() as d:
        out = Path(d)
        figures = {
            "engine_s": _best(lambda: finmodel.run(a).summary),
            "xlsx_static_s": _best(lambda: write_workbook(r, out / "s.xlsx", live=False)),
            "xlsx_live_s": _best(lambda: write_workbook(r, out / "l.xlsx")),
            "run_and_four_files_s": _best(lambda: finmodel.reports.write(finmodel.run(a), out)),
        }
        figures["xlsx_bytes"] = (out / "l.xlsx").stat().st_size
    figures["periods"] = r.outcome.batch.timeline.columns
    figures["label"] = label
    return figures


def main() -> None:
    for label, overrides in (("annual", {}), ("monthly", {"timeline.frequency": "monthly"})):
        f = bench(label, overrides)
        print(
            f"base case, {label} ({f['periods']} periods): workbook with the live model "
            f"{f['xlsx_live_s']:.2f} s = {f['xlsx_live_s'] / f['xlsx_static_s']:.1f}x the static "
            f"workbook ({f['xlsx_static_s']:.2f} s) and "
            f"{f['xlsx_live_s'] / f['engine_s']:.0f}x the engine's run "
            f"({f['engine_s'] * 1e3:.0f} ms); finmodel run with its four files "
            f"{f['run_and_four_files_s']:.2f} s; {f['xlsx_bytes'] / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
