"""A run's report set: ``NAME.xlsx``, ``NAME.flows.csv``, ``NAME.schedule.csv`` and
``NAME.summary.json`` (the output contract, docs/model.md), written as one unit.

The CSV files hold the result's tidy tables with dates as ``YYYY-MM-DD`` and amounts to six
decimals (a millionth of a dollar); the JSON file is the result's summary, amounts in USD, an
undefined number as null, never NaN.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from finmodel.reports.files import report_paths, write_all, write_csv
from finmodel.reports.run_workbook import write_workbook
from finmodel.studies.run import Result


def write_run(result: Result, out_dir: str | Path) -> list[Path]:
    """Write NAME.xlsx, NAME.flows.csv, NAME.schedule.csv and NAME.summary.json to ``out_dir``.

    The four are one set (:func:`finmodel.reports.files.write_all`): replaced whole or not at
    all, and on any failure nothing new is left in ``out_dir``.
    """
    xlsx, flows, schedule, summary = report_paths(out_dir, "run", result.name)
    return write_all(
        {
            xlsx: lambda p: write_workbook(result, p),
            flows: lambda p: write_table(result.flows, p),
            schedule: lambda p: write_table(result.schedule, p),
            summary: lambda p: write_summary(result, p),
        }
    )


def to_excel(result: Result, path: str | Path) -> Path:
    """Write the run's Excel report to ``path`` (atomically) and return the path."""
    path = Path(path)
    write_all({path: lambda p: write_workbook(result, p)})
    return path


def write_table(df: pd.DataFrame, path: Path) -> None:
    """A run's tidy table (flows or schedule) as CSV: dates as YYYY-MM-DD, six decimals."""
    out = df.copy()
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    write_csv(out, path, float_format="%.6f")


def write_summary(result: Result, path: Path) -> None:
    """The run's summary as JSON, indented, no NaN (an undefined number is null)."""
    path.write_text(json.dumps(result.summary, indent=2, allow_nan=False) + "\n")
