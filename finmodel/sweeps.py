"""Sweeps: a full grid of values of one to three assumptions, run as one batch.

The engine runs :data:`BATCH` grid points at a time, so that its working memory stays bounded
however large the grid (the varied inputs themselves are built for every point at once: a
return path is columns x 8 bytes a point). A grid point's numbers do not depend on the points it
runs with.

``finmodel sweep SCENARIO --vary KEY=START:STOP:STEP --vary KEY=v1,v2,v3`` writes
``NAME.sweep.csv`` (a row per grid point) and ``NAME.sweep.xlsx`` (the table and charts).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finmodel.assumptions import Assumptions
from finmodel.engine import Outcome, evaluate
from finmodel.exceptions import InputError
from finmodel.files import write_table_and_workbook
from finmodel.loader import read_value
from finmodel.metrics import party_metrics, terminal_claims, vehicle_metrics
from finmodel.variation import MAX_POINTS, grid, grid_batch, part

MAX_KEYS = 3
#: Grid points the engine runs at once.
BATCH = 16_384


@dataclass(frozen=True)
class SweepResult:
    """Every grid point's metrics.

    values : the varied keys and their values, in order (the last key varies fastest)
    table : one row per grid point: the varied values, then per party ``received``, ``net``,
        ``npv``, ``terminal_claim`` (USD) and per vehicle ``irr``, ``moic``, ``profit``
    """

    assumptions: Assumptions
    values: dict[str, list[Any]]
    table: pd.DataFrame

    @property
    def name(self) -> str:
        return self.assumptions.name

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write NAME.sweep.csv and NAME.sweep.xlsx atomically."""
        from finmodel.sweeps_report import write_sweep_workbook

        return write_table_and_workbook(
            out_dir, f"{self.name}.sweep", self.table, lambda p: write_sweep_workbook(self, p)
        )


def sweep(assumptions: Assumptions, values: dict[str, list[Any]]) -> SweepResult:
    """Run every point of the grid of ``values`` through the engine, :data:`BATCH` at a time.

    Examples
    --------
    >>> from finmodel.loader import load
    >>> s = sweep(load("base"), {"vehicles.us_led_fund.return.rate": [0.02, 0.08, 0.15]})
    >>> s.table["us.received"].is_monotonic_increasing
    True
    """
    if not 1 <= len(values) <= MAX_KEYS:
        raise InputError(f"vary one to {MAX_KEYS} keys (got {len(values)})", file="--vary")
    for k, v in values.items():
        if len(v) == 0:
            raise InputError("has no values", file="--vary", field=k)
    batch = grid_batch(assumptions, values)
    idx = grid(values)
    cols: dict[str, Any] = {
        k: np.asarray(v, dtype=object)[idx[i]] for i, (k, v) in enumerate(values.items())
    }
    n = batch.n_scenarios
    parts = [_metrics(evaluate(part(batch, slice(i, i + BATCH)))) for i in range(0, n, BATCH)]
    cols |= {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
    table = pd.DataFrame(cols)
    return SweepResult(assumptions=assumptions, values=values, table=table)


def _metrics(outcome: Outcome) -> dict[str, np.ndarray]:
    """The table's metric columns for the grid points of ``outcome``."""
    pm = party_metrics(outcome)
    claims = terminal_claims(outcome)[0].sum(axis=1)  # (points, parties)
    cols = {}
    for j, p in enumerate(outcome.batch.parties):
        cols[f"{p}.received"] = pm.received[:, j]
        cols[f"{p}.net"] = pm.net[:, j]
        cols[f"{p}.npv"] = pm.npv[:, j]
        cols[f"{p}.terminal_claim"] = claims[:, j]
    for v in outcome.batch.vehicles:
        m = vehicle_metrics(outcome, v.id)
        cols[f"{v.id}.irr"] = m.irr
        cols[f"{v.id}.moic"] = m.moic
        cols[f"{v.id}.profit"] = m.profit
    return cols


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``KEY=START:STOP:STEP`` (STOP included) or ``KEY=v1,v2,v3`` into (key, values).

    Examples
    --------
    >>> parse_vary("vehicles.us_led_fund.return.rate=0.02:0.08:0.02")
    ('vehicles.us_led_fund.return.rate', [0.02, 0.04, 0.06, 0.08])
    >>> parse_vary("discount_rate=0.03,0.05")
    ('discount_rate', [0.03, 0.05])
    """
    where = f"--vary {text}"
    key, sep, spec = text.partition("=")
    key = key.strip()
    if not sep or not key or not spec.strip():
        raise InputError("expected KEY=START:STOP:STEP or KEY=v1,v2,...", file=where)
    if ":" in spec:
        parts = spec.split(":")
        if len(parts) != 3:
            raise InputError("a range is START:STOP:STEP", file=where, field=key)
        try:
            start, stop, step = (float(p) for p in parts)
        except ValueError:
            raise InputError(
                "START, STOP and STEP must be numbers", file=where, field=key
            ) from None
        if not all(map(math.isfinite, (start, stop, step))):
            raise InputError("START, STOP and STEP must be finite", file=where, field=key)
        if step == 0 or (stop - start) * step < 0:
            raise InputError(
                f"STEP {step:g} never gets from {start:g} to {stop:g}", file=where, field=key
            )
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count > MAX_POINTS:
            raise InputError(f"{count:,} values; at most {MAX_POINTS:,}", file=where, field=key)
        values = [round(start + i * step, 12) for i in range(count)]
        if all(float(v).is_integer() for v in (start, step)) and all(
            p.strip().lstrip("+-").isdigit() for p in parts
        ):
            values = [int(v) for v in values]
        return key, values
    values = [read_value(v, where) for v in spec.split(",")]  # bounded as --set values are
    if any(v is None or isinstance(v, (dict, list)) for v in values):
        raise InputError("values must be numbers, booleans or strings", file=where, field=key)
    return key, values
