"""finmodel: the reconstruction funds of the November 2025 US-Russia 28-point plan, as cash flows.

Point 14 of the plan moves a few hundred billion dollars of frozen Russian assets and new
European money through four vehicles. finmodel turns assumption files into cash-flow schedules,
runs them through each vehicle's waterfall, and reports who receives what: the US, Ukraine,
Russia, Europe.

Sign convention, everywhere: amounts are from the party's side, in US dollars:
**positive = the party receives, negative = the party pays**. Reports show USD bn.

The data flow, a package per stage: ``inputs`` (files to validated assumptions and the
engine's arrays) -> ``engine`` (schedules, waterfalls, metrics) -> ``studies`` (a run, sweeps,
the tornado, comparisons, simulations, as data) -> ``reports`` (every file written); this
module and ``cli`` are the faces (docs/architecture.md).

Examples
--------
>>> import finmodel
>>> r = finmodel.run(finmodel.load("base"))
>>> sorted(r.summary["parties"])
['europe', 'russia', 'ukraine', 'us', 'world_bank']
>>> r.summary["checks_ok"]
True
>>> s = finmodel.sweep(finmodel.load("base"), {"discount_rate": [0.03, 0.05]})
>>> len(s.table)
2
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from finmodel.api import Result
    from finmodel.exceptions import InputError
    from finmodel.inputs.loader import Loaded, load, load_with_origins, with_overrides
    from finmodel.inputs.models.scenario import Assumptions
    from finmodel.studies.compare import Comparison, compare
    from finmodel.studies.sensitivity import SensitivityResult, sensitivity
    from finmodel.studies.simulation import SimulationResult, simulate
    from finmodel.studies.solve import SolveResult, solve
    from finmodel.studies.sweep import SweepResult, sweep
    from finmodel.studies.tornado import TornadoResult, tornado

__all__ = [
    "Assumptions",
    "Comparison",
    "InputError",
    "Result",
    "SensitivityResult",
    "SimulationResult",
    "SolveResult",
    "SweepResult",
    "TornadoResult",
    "compare",
    "load",
    "load_with_origins",
    "run",
    "sensitivity",
    "simulate",
    "solve",
    "sweep",
    "tornado",
    "with_overrides",
]
#: Where each public name lives. They are imported on first use, so that ``import finmodel``
#: (and the command line, before it knows what it will do) stays light: numpy, pandas and
#: pydantic load only when a name is used.
_PUBLIC = {
    "Assumptions": "finmodel.inputs.models.scenario",
    "Comparison": "finmodel.studies.compare",
    "InputError": "finmodel.exceptions",
    "Loaded": "finmodel.inputs.loader",
    "Result": "finmodel.api",
    "SensitivityResult": "finmodel.studies.sensitivity",
    "SimulationResult": "finmodel.studies.simulation",
    "SolveResult": "finmodel.studies.solve",
    "SweepResult": "finmodel.studies.sweep",
    "TornadoResult": "finmodel.studies.tornado",
    "compare": "finmodel.studies.compare",
    "load": "finmodel.inputs.loader",
    "load_with_origins": "finmodel.inputs.loader",
    "sensitivity": "finmodel.studies.sensitivity",
    "simulate": "finmodel.studies.simulation",
    "solve": "finmodel.studies.solve",
    "sweep": "finmodel.studies.sweep",
    "tornado": "finmodel.studies.tornado",
    "with_overrides": "finmodel.inputs.loader",
}
__version__ = "0.1.0"


def run(assumptions: Assumptions | Loaded) -> Result:
    """Run one scenario through the engine.

    Parameters
    ----------
    assumptions : Assumptions (from :func:`load`) or Loaded (from ``load_with_origins``)

    Returns
    -------
    Result
        ``.flows`` and ``.schedule`` (tidy DataFrames), ``.summary`` (dict), ``.to_excel(path)``
        and ``.write(folder)`` (:mod:`finmodel.api`).
    """
    from finmodel.api import Result
    from finmodel.studies.run import run as run_one

    return run_one(assumptions, Result)


def __getattr__(name: str) -> Any:
    """A public name, or a submodule (``finmodel.reports.run_workbook``), imported on first use."""
    if name in _PUBLIC:
        value = getattr(importlib.import_module(_PUBLIC[name]), name)
    elif importlib.util.find_spec(f"{__name__}.{name}") is not None:
        value = importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
