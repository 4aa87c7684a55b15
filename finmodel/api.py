"""The notebook face of a run: a :class:`~finmodel.studies.run.Result` that can write itself.

The run's result is data (:mod:`finmodel.studies.run`), and writing files is
:mod:`finmodel.reports`' job; this subclass, which ``finmodel.run`` returns, sits above both and
joins them, so that notebook code keeps ``r.to_excel(path)`` and ``r.write(folder)``.
"""

from __future__ import annotations

from pathlib import Path

from finmodel import reports
from finmodel.studies import run as single_run


class Result(single_run.Result):
    """A run's result (tables, summary, checks), which can also write its reports."""

    def to_excel(self, path: str | Path) -> Path:
        """Write the Excel report to ``path`` (atomically); the path written."""
        return reports.to_excel(self, path)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write NAME.xlsx, NAME.flows.csv, NAME.schedule.csv and NAME.summary.json to
        ``out_dir`` as one set: replaced whole or not at all."""
        return reports.write(self, out_dir)
