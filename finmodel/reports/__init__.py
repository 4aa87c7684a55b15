"""Reports: every file finmodel writes, from the results of :mod:`finmodel.studies`.

A result is data; writing it is this package's job, one writer per kind of result, each writing
its set of files as one unit (:mod:`finmodel.reports.files`): replaced whole, or not at all.

- :func:`write` writes any result's report set into a folder (``run``: NAME.xlsx,
  NAME.flows.csv, NAME.schedule.csv, NAME.summary.json; a sweep, simulation or tornado: a CSV
  and a workbook; a comparison: compare.csv and compare.xlsx; an exploration:
  NAME.explore.html; a break-even: NAME.solve.csv and NAME.solve.json; a sensitivity: a CSV
  and a workbook);
- :func:`to_excel` writes a run's workbook alone to a path.

Examples
--------
>>> import tempfile
>>> import finmodel
>>> from finmodel import reports
>>> r = finmodel.run(finmodel.load("base"))
>>> with tempfile.TemporaryDirectory() as d:
...     print(sorted(p.name for p in reports.write(r, d)))
['base.flows.csv', 'base.schedule.csv', 'base.summary.json', 'base.xlsx']
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from finmodel.studies.run import Result


def write(result: Any, out_dir: str | Path) -> list[Path]:
    """Write ``result``'s report set into ``out_dir`` and return the paths written.

    ``result`` is a run's :class:`~finmodel.studies.run.Result`, a
    :class:`~finmodel.studies.sweep.SweepResult`, a
    :class:`~finmodel.studies.simulation.SimulationResult`, a
    :class:`~finmodel.studies.tornado.TornadoResult` or a
    :class:`~finmodel.studies.compare.Comparison`. (The writers are imported here, when used:
    ``import finmodel.reports`` stays light.)
    """
    import importlib

    for kind in type(result).__mro__:  # only the one writer needed is imported
        where = _WRITERS.get(f"{kind.__module__}.{kind.__qualname__}")
        if where is not None:
            module, function = where
            return getattr(importlib.import_module(module), function)(result, out_dir)
    raise TypeError(f"finmodel has no report for a {type(result).__name__}")


#: Each study's result class and its writer, as (module, function).
_WRITERS = {
    "finmodel.studies.run.Result": ("finmodel.reports.run_files", "write_run"),
    "finmodel.studies.sweep.SweepResult": ("finmodel.reports.sweep", "write_sweep"),
    "finmodel.studies.simulation.SimulationResult": (
        "finmodel.reports.simulation",
        "write_simulation",
    ),
    "finmodel.studies.tornado.TornadoResult": ("finmodel.reports.tornado", "write_tornado"),
    "finmodel.studies.compare.Comparison": ("finmodel.reports.compare", "write_comparison"),
    "finmodel.studies.explore.Exploration": ("finmodel.reports.explore", "write_explore"),
    "finmodel.studies.solve.SolveResult": ("finmodel.reports.solve", "write_solve"),
    "finmodel.studies.sensitivity.SensitivityResult": (
        "finmodel.reports.sensitivity",
        "write_sensitivity",
    ),
}


def to_excel(result: Result, path: str | Path) -> Path:
    """Write a run's Excel report to ``path`` (atomically) and return the path."""
    from finmodel.reports.run_files import to_excel as run_to_excel

    return run_to_excel(result, path)
