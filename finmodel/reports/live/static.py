"""A vehicle the live model has no formulas for: the engine's own numbers.

The engine may gain kinds before the live model learns them, and some inputs have no live form
yet (a stream given as a per-year ``path_bn``, money in a currency whose exchange rate follows a
path: :func:`finmodel.reports.live.streams.has_live_flows`). Such a vehicle's
calculation sheet holds finmodel's rows, payments by party and metrics as values (grey italic,
never in the input style), under a note saying so; the party totals on ``Parties (live)`` add
them up like any other vehicle's, so the workbook never breaks. Its metrics are the engine's, as
a kind may define them its own way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from finmodel.engine.batch import VehicleInputs
from finmodel.reports.cells import ENGINE_FONT, MOIC, PCT, USD_BN
from finmodel.reports.live.grid import Grid

if TYPE_CHECKING:
    from finmodel.studies.run import Result

#: A vehicle's metrics: key -> (label, units, number format).
METRICS = {
    "contributed": ("Contributed", "USD bn", USD_BN),
    "distributed": ("Distributed", "USD bn", USD_BN),
    "terminal_value": ("Terminal value at the horizon", "USD bn", USD_BN),
    "profit": ("Profit", "USD bn", USD_BN),
    "moic": ("MOIC", "x", MOIC),
    "irr": ("IRR (annualised)", "% a year", PCT),
    "npv": ("NPV at the discount rate", "USD bn", USD_BN),
}


def engine_rows(g: Grid, result: Result, v: VehicleInputs) -> None:
    """A vehicle the live model cannot follow yet: the engine's rows, as values (not inputs)."""
    g.note(
        f"This {v.kind.value} has no live formulas yet: the rows below are finmodel's own "
        "numbers (grey italic), not inputs, and so are its metrics (a kind may define them its "
        "own way)."
    )
    s = result.outcome.schedules[v.id]
    for key, label, arr, total in (
        ("contribution", "Contribution", s.contribution, True),
        ("return", "Return", s.return_, True),
        ("fee", "Fee", s.fee, True),
        ("distribution", "Distribution", s.distribution, True),
        ("value", "Value at the end of the period", s.value_end, False),
    ):
        g.values(key, label, "USD bn", arr[0], total, font=ENGINE_FONT)
    lines = (s.contribution, s.deployed, s.return_, s.fee, s.distribution, s.value_end)
    gross = sum(np.abs(x[0]) for x in lines)
    gross[0] += abs(float(s.opening_value[0]))
    g.values("gross", "Gross: every line's absolute amount (the checks' scale)", "USD bn",
             gross, font=ENGINE_FONT)  # fmt: skip
    g.section("Payments by party (party view: + received, - paid; finmodel's values)")
    _engine_payments(g, result, v)
    g.section("Metrics (finmodel's values: the kind may define them its own way)")
    m = result.summary["vehicles"][v.id]
    for key, (label, units, fmt) in METRICS.items():
        g.metric(key, label, units, m[key] if m[key] is not None else "n/a", fmt)


def _engine_payments(g: Grid, result: Result, v: VehicleInputs) -> None:
    """Receipts and payments of each party, the engine's numbers, one row each."""
    allocs = [a for a in result.outcome.allocations if a.vehicle == v.id]
    for j, p in enumerate(result.outcome.batch.parties):
        for key, paid in (("receipts", False), ("payments", True)):
            amounts = np.zeros(result.outcome.batch.timeline.columns)
            for a in allocs:
                if a.flow.is_paid is paid:
                    amounts = amounts + a.by_party()[0, j]
            if key == "receipts" or amounts.any():
                g.values(
                    f"{key}:{p}",
                    f"{key.capitalize()}: {result.assumptions.parties[p].name}",
                    "USD bn",
                    amounts,
                    font=ENGINE_FONT,
                )
