"""What writing reports as one unit costs, against baselines run in the same process.

Run:  python benchmarks/bench_outputs.py

- a run's four files written as one set (staged, checked, swapped in under a lock) against
  the same four files written straight to their names;
- a workbook saved with fixed timestamps (built in memory, then written in one go) against
  openpyxl's own ``Workbook.save`` of the same workbook;
- a sweep-sized CSV (1,000,000 rows: a varied value, two metrics) written with its text cells
  neutralised, against pandas' ``to_csv`` of the same table;
- a simulation's scratch for N = 2,000,000 made with every block reserved
  (``posix_fallocate``) and unlinked at once, against the same files made sparse.

Best of 3 to 7 each. Nothing here asserts a time: these are figures to read, not tests.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from bench_engine import _best  # best of n, as the engine's benchmark measures
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's finmodel

import finmodel
from finmodel.inputs.compile import compile_batch
from finmodel.reports.cells import save
from finmodel.reports.files import report_paths, write_csv
from finmodel.reports.run_files import write_table
from finmodel.reports.run_workbook import write_workbook
from finmodel.studies import scratch, simulation


def bench_report_set() -> dict[str, float]:
    r = finmodel.run(finmodel.load("base"))
    _ = r.summary, r.flows, r.schedule  # computed once, as a run does before its report
    with tempfile.TemporaryDirectory() as d:
        out = Path(d)

        def straight() -> None:
            xlsx, flows, schedule, summary = report_paths(out / "plain", "run", r.name)
            xlsx.parent.mkdir(exist_ok=True)
            write_workbook(r, xlsx)
            write_table(r.flows, flows)
            write_table(r.schedule, schedule)
            summary.write_text(json.dumps(r.summary, indent=2, allow_nan=False) + "\n")

        plain = _best(straight, repeat=5)
        as_set = _best(lambda: r.write(out / "set"), repeat=5)
        book = out / "set" / "base.xlsx"
        wb = load_workbook(book)
        openpyxl_save = _best(lambda: wb.save(out / "o.xlsx"), repeat=7)
        fixed_save = _best(lambda: save(wb, out / "f.xlsx"), repeat=7)
    return {"plain_s": plain, "set_s": as_set, "openpyxl_save_s": openpyxl_save,
            "fixed_save_s": fixed_save}  # fmt: skip


def bench_csv(rows: int = 1_000_000) -> dict[str, float]:
    import pandas as pd

    rng = np.random.default_rng(1)
    values = np.asarray(np.linspace(0.0, 0.2, rows), dtype=object)  # as a sweep keeps them
    table = pd.DataFrame({"rate": values, "a": rng.normal(size=rows), "b": rng.normal(size=rows)})
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "t.csv"
        plain = _best(lambda: table.to_csv(path, index=False, float_format="%.17g",
                                           lineterminator="\n"), repeat=2)  # fmt: skip
        safe = _best(lambda: write_csv(table, path, "%.17g"), repeat=2)
    return {"to_csv_s": plain, "write_csv_s": safe, "rows": rows}


def bench_scratch(n: int = 2_000_000) -> dict[str, float]:
    shapes = simulation.column_shapes(compile_batch(finmodel.load("base")), n)

    def sparse() -> None:
        folder = Path(tempfile.mkdtemp(prefix="bench-sparse-"))
        try:
            for i, (shape, dtype) in enumerate(shapes.values()):
                a = np.lib.format.open_memmap(folder / f"c{i}.npy", "w+", dtype, shape)
                del a
        finally:
            shutil.rmtree(folder)

    def reserved() -> None:
        with scratch.scratch(shapes, True, n) as store:
            del store

    return {"sparse_s": _best(sparse), "reserved_s": _best(reserved),
            "bytes": scratch.nbytes(shapes), "tmpdir": tempfile.gettempdir()}  # fmt: skip


def main() -> None:
    s = bench_report_set()
    print(
        f"base case report: four files as one set {s['set_s']:.3f} s = "
        f"{s['set_s'] / s['plain_s']:.2f}x writing them straight ({s['plain_s']:.3f} s); "
        f"workbook save with fixed timestamps {s['fixed_save_s']:.3f} s = "
        f"{s['fixed_save_s'] / s['openpyxl_save_s']:.2f}x openpyxl's save "
        f"({s['openpyxl_save_s']:.3f} s)"
    )
    v = bench_csv()
    print(
        f"CSV of {v['rows']:,} rows: neutralised {v['write_csv_s']:.2f} s = "
        f"{v['write_csv_s'] / v['to_csv_s']:.2f}x pandas' to_csv ({v['to_csv_s']:.2f} s)"
    )
    c = bench_scratch()
    print(
        f"simulation scratch for 2,000,000 scenarios ({c['bytes'] / 1e9:.2f} GB in "
        f"{c['tmpdir']}): reserved and unlinked {c['reserved_s']:.3f} s = "
        f"{c['reserved_s'] / c['sparse_s']:.2f}x sparse files ({c['sparse_s']:.3f} s)"
    )


if __name__ == "__main__":
    main()
