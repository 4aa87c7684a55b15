"""The notebook face of a run: a :class:`~finmodel.studies.run.Result` that can write itself;
and :func:`explore_page`, the explorer page of readings named as the command line names them.

The run's result is data (:mod:`finmodel.studies.run`), and writing files is
:mod:`finmodel.reports`' job; this subclass, which ``finmodel.run`` returns, sits above both and
joins them, so that notebook code keeps ``r.to_excel(path)`` and ``r.write(folder)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from finmodel import reports
from finmodel.studies import run as single_run

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions


class Result(single_run.Result):
    """A run's result (tables, summary, checks), which can also write its reports."""

    def to_excel(self, path: str | Path) -> Path:
        """Write the Excel report to ``path`` (atomically); the path written."""
        return reports.to_excel(self, path)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write NAME.xlsx, NAME.flows.csv, NAME.schedule.csv and NAME.summary.json to
        ``out_dir`` as one set: replaced whole or not at all."""
        return reports.write(self, out_dir)


def _changed(a: Assumptions, sets: Sequence[str]) -> Assumptions:
    """``a`` as changed by the ``--set`` texts ``sets``, described so (the loader named it
    after them): a page never shows changed numbers under a reading's own name."""
    if not sets:
        return a
    from finmodel.inputs.loader import with_overrides
    from finmodel.inputs.overrides import changes

    said = ", ".join(f"{k}={v}" for k, v in changes(sets))
    return with_overrides(a, {  # the loader named it after the changes already
        "description": f"CHANGED by --set: {said}. {a.description or ''}".strip(),
    }, "--set")  # fmt: skip


def explore_page(
    scenarios: Sequence[str] = (),
    sets: Sequence[str] = (),
    vary: Sequence[str] = (),
    out_dir: str | Path = "reports",
) -> list[Path]:
    """Write NAME.explore.html into ``out_dir``: ``scenarios`` (files or shipped names; every
    shipped reading when none), each with the ``--set`` texts ``sets``, over the sliders of the
    ``--vary`` texts ``vary`` (the defaults when none). ``finmodel explore`` is this.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in explore_page(["literal"], vary=["discount_rate=0.03"], out_dir=d)]
    ['literal.explore.html']
    """
    from finmodel.inputs.loader import load_with_origins
    from finmodel.reports.explore import page_name, write_explore
    from finmodel.reports.files import check_targets, report_paths
    from finmodel.studies.explore import explore, shipped_readings
    from finmodel.studies.sweep import parse_varies

    names = list(scenarios) or shipped_readings()
    readings = [_changed(load_with_origins(s, list(sets)).assumptions, sets) for s in names]
    check_targets(report_paths(out_dir, "explore", page_name([a.name for a in readings])))
    return write_explore(explore(readings, parse_varies(list(vary)) or None), out_dir)
