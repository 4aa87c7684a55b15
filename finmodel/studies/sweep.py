"""Sweeps: a full grid of values of one to three assumptions, through the batched engine.

Every grid point equals the single run with its values, and a point the single run rejects is
not computed (:mod:`finmodel.studies.variation` says how). The grid is assembled and run
:data:`POINTS_PER_BATCH`
points at a time, so that memory stays bounded however large it is; a grid point's numbers do
not depend on the points it runs with.

``finmodel sweep SCENARIO --vary KEY=START:STOP:STEP --vary KEY=v1,v2,v3`` writes
``NAME.sweep.csv`` (a row per grid point) and ``NAME.sweep.xlsx`` (the table and charts).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from finmodel.engine.evaluate import Outcome, evaluate
from finmodel.exceptions import InputError
from finmodel.inputs.models.scenario import Assumptions
from finmodel.inputs.yaml_reader import read_value
from finmodel.studies.measures import measure
from finmodel.studies.variation import MAX_POINTS, Design

MAX_KEYS = 3
#: Grid points the engine runs at once.
POINTS_PER_BATCH = 16_384


@dataclass(frozen=True)
class SweepResult:
    """Every grid point's metrics.

    values : the varied keys and their values, in order (the last key varies fastest)
    table : one row per grid point: the varied values, then per party ``received``, ``net``,
        ``npv``, ``terminal_claim`` (USD) and per vehicle ``irr``, ``moic``, ``profit``, and
        ``invalid``: empty, or the message of the single run that rejects the point (whose
        metrics are then NaN)
    """

    assumptions: Assumptions
    values: dict[str, list[Any]]
    table: pd.DataFrame
    #: the ``--set`` changes that made ``assumptions``, in words (``Loaded.changes``)
    changes: tuple[str, ...] = ()
    #: what makes its report this scenario's (``Loaded.identity``), recorded in the workbook
    identity: str = ""

    @property
    def name(self) -> str:
        return self.assumptions.name

    @property
    def n_invalid(self) -> int:
        """Grid points a single run rejects (not computed; ``invalid`` says why)."""
        return int((self.table["invalid"] != "").sum())


def sweep(
    assumptions: Assumptions,
    values: dict[str, list[Any]],
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Run every point of the grid of ``values`` through the engine, :data:`POINTS_PER_BATCH` at a
    time.

    Every point equals the single run with its values; a point the single run rejects is not
    computed: its metrics are NaN and its ``invalid`` column holds the single run's message.
    If every point is rejected, this raises that ``InputError`` (the first point's).
    ``progress(done, total)``, if given, is called after each batch of points.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> s = sweep(load("base"), {"vehicles.us_led_fund.return.rate": [0.02, 0.08, 0.15]})
    >>> s.table["us.received"].is_monotonic_increasing
    True
    >>> s = sweep(load("base"), {"vehicles.us_led_fund.payout": [0.5, 1.5]})
    >>> s.n_invalid, s.table["invalid"][1].endswith("less than or equal to 1 (got 1.5)")
    (1, True)
    """
    if not 1 <= len(values) <= MAX_KEYS:
        raise InputError(f"vary one to {MAX_KEYS} keys (got {len(values)})", file="--vary")
    # numpy's scalars (from np.arange, say) as the Python numbers a file or --set gives
    values = {k: [x.item() if isinstance(x, np.generic) else x for x in v]
              for k, v in values.items()}  # fmt: skip
    for k, v in values.items():
        _check_values(k, v)
    design = Design.grid(assumptions, values)
    idx = grid(values)
    cols: dict[str, Any] = {k: _column(v)[idx[i]] for i, (k, v) in enumerate(values.items())}
    metrics: dict[str, np.ndarray] = {}
    invalid = np.empty(design.n, dtype=object)
    for start in range(0, design.n, POINTS_PER_BATCH):
        chunk = design.chunk(start, min(start + POINTS_PER_BATCH, design.n))
        invalid[start : start + chunk.size] = chunk.invalid
        for part in chunk.parts:
            for name, x in metric_columns(evaluate(part.batch)).items():
                if name not in metrics:
                    metrics[name] = np.full(design.n, np.nan)
                metrics[name][start + part.at] = x
        if progress:
            progress(start + chunk.size, design.n)
    bad = invalid != ""
    if bad.all():
        raise InputError(f"every grid point is invalid; the first: {invalid[0]}", file="--vary")
    table = pd.DataFrame(cols | metrics | {"invalid": invalid})
    return SweepResult(assumptions=assumptions, values=values, table=table)


def _check_values(key: str, values: list[Any]) -> None:
    """The values of one key: scalars, at least one (what ``--vary`` can give)."""
    where = f"--vary {key}"
    if len(values) == 0:
        raise InputError("has no values", file=where, field=key)
    for v in values:
        if v is None or not isinstance(v, (bool, int, float, str)):
            raise InputError(
                f"values must be numbers, booleans or strings (got {v!r:.40})", file=where
            )
        if isinstance(v, float) and not math.isfinite(v):
            raise InputError(f"values must be finite (got {v})", file=where)


def _column(values: list[Any]) -> np.ndarray:
    """A key's values as a table column: numbers keep their type when all share one."""
    kinds = {type(v) for v in values}
    if kinds in ({int}, {float}, {bool}):
        return np.asarray(values)
    return np.asarray(values, dtype=object)


def metric_columns(outcome: Outcome) -> dict[str, np.ndarray]:
    """The table's metric columns for the grid points of ``outcome``: per party received, net,
    NPV, terminal claim and NPV with claims valued, then per vehicle IRR, MOIC and profit."""
    m = measure(outcome)
    cols = {}
    for j, p in enumerate(outcome.batch.parties):
        for metric in ("received", "net", "npv", "terminal_claim", "npv_with_claims"):
            cols[f"{p}.{metric}"] = m.of_party(j, metric)
    for i, v in enumerate(outcome.batch.vehicles):
        for metric in ("irr", "moic", "profit"):
            cols[f"{v.id}.{metric}"] = m.of_vehicle(i, metric)
    return cols


def parse_vary(text: str) -> tuple[str, list[Any]]:
    """``KEY=START:STOP:STEP`` (STOP included) or ``KEY=v1,v2,v3`` into (key, values).

    List values are read as ``--set`` reads a value (YAML scalars). A range or list that is
    malformed, not finite, or longer than :data:`~finmodel.studies.variation.MAX_POINTS` values is
    bad
    input (``InputError`` naming the flag).

    Examples
    --------
    >>> parse_vary("vehicles.us_led_fund.return.rate=0.02:0.08:0.02")
    ('vehicles.us_led_fund.return.rate', [0.02, 0.04, 0.06, 0.08])
    >>> parse_vary("discount_rate=0.03,5e-2")
    ('discount_rate', [0.03, 0.05])
    """
    where = f"--vary {text if len(text) <= 80 else text[:77] + '...'}"
    key, sep, spec = text.partition("=")
    key = key.strip()
    if not sep or not key or not spec.strip():
        raise InputError("expected KEY=START:STOP:STEP or KEY=v1,v2,...", file=where)
    if ":" in spec:
        return key, _range(spec, where, key)
    items = spec.split(",")
    if len(items) > MAX_POINTS:
        raise InputError(f"{len(items):,} values; at most {MAX_POINTS:,}", file=where, field=key)
    values = []
    for item in items:
        value = read_value(item, where)  # bounded as --set values are
        if value is None or not isinstance(value, (bool, int, float, str)):
            raise InputError("values must be numbers, booleans or strings", file=where, field=key)
        if isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"values must be finite (got {item.strip()})", file=where, field=key)
        values.append(value)
    return key, values


def parse_varies(texts: list[str]) -> dict[str, list[Any]]:
    """Several ``--vary`` texts (:func:`parse_vary`) into {key: values}; a key varied twice is
    bad input.

    Examples
    --------
    >>> parse_varies(["discount_rate=0.03,0.05", "vehicles.us_led_fund.payout=0:1:0.5"])
    {'discount_rate': [0.03, 0.05], 'vehicles.us_led_fund.payout': [0.0, 0.5, 1.0]}
    """
    values: dict[str, list[Any]] = {}
    for text in texts:
        key, vals = parse_vary(text)
        if key in values:
            raise InputError("is varied twice", file=f"--vary {text}", field=key)
        values[key] = vals
    return values


def _range(spec: str, where: str, key: str) -> list[Any]:
    """The values of ``START:STOP:STEP``, STOP included (within a billionth of a step)."""
    parts = spec.split(":")
    if len(parts) != 3:
        raise InputError("a range is START:STOP:STEP", file=where, field=key)
    try:
        start, stop, step = (float(p) for p in parts)
    except ValueError:
        raise InputError("START, STOP and STEP must be numbers", file=where, field=key) from None
    if not all(map(math.isfinite, (start, stop, step))):
        raise InputError("START, STOP and STEP must be finite", file=where, field=key)
    if step == 0 or (stop - start) * step < 0:
        raise InputError(
            f"STEP {step:g} never gets from {start:g} to {stop:g}", file=where, field=key
        )
    span = (stop - start) / step  # inf when the range is far too long for its step
    if not span < MAX_POINTS:
        many = f"{math.floor(span) + 1:,}" if math.isfinite(span) else "too many"
        raise InputError(f"{many} values; at most {MAX_POINTS:,}", file=where, field=key)
    count = math.floor(span + 1e-9) + 1
    # sums of a binary step carry rounding noise (0.1 * 3 = 0.30000000000000004): keep the
    # digits the step has, and six more
    digits = max(12, 6 - math.floor(math.log10(abs(step))))
    values = np.round(start + np.arange(count) * step, digits)
    if not np.all(np.isfinite(values)):
        raise InputError("the range leaves the floating-point numbers", file=where, field=key)
    if all(float(v).is_integer() for v in (start, step)) and all(
        p.strip().lstrip("+-").isdigit() for p in parts
    ):
        return [int(v) for v in values]
    return values.tolist()


def grid(values: dict[str, list[Any]]) -> np.ndarray:
    """Indices of every grid point, shape (n_keys, n_points), the last key varying fastest.

    Examples
    --------
    >>> grid({"a": [1, 2], "b": [10, 20, 30]}).tolist()
    [[0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2]]
    """
    sizes = [len(v) for v in values.values()]
    return np.indices(sizes).reshape(len(sizes), -1)
