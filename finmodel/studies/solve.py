"""Break-even: the values of one input at which a metric equals a target.

``finmodel solve SCENARIO --vary KEY=LOW:HIGH --target METRIC=VALUE`` (or
``METRIC=READING:METRIC``, to equal another reading's figure). The metric is evaluated on a grid
of :data:`GRID_POINTS` values of the key as one batch of the engine (a
:class:`~finmodel.studies.variation.Design`, each point equal to the single run with its value;
for the discount rate or the claims' recovery, the assumptions compiled once and the key's
input set to the grid's values: :class:`Column`);
each interval where metric - target changes sign is then narrowed by ``scipy.optimize.brentq``
on single evaluations, to :data:`XTOL` of the input. Every root the grid brackets is reported;
a target the metric does not reach in the range is bad input whose message gives the metric's
lowest and highest value there. A root the grid cannot see (the metric touching the target
between two grid points without crossing it) is not found: ``docs/solve.md`` says so.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import brentq

from finmodel.engine.evaluate import evaluate
from finmodel.exceptions import InputError
from finmodel.inputs.loader import with_overrides
from finmodel.inputs.models.scenario import Assumptions
from finmodel.studies.arrays import array_key, repeated, with_arrays
from finmodel.studies.run import Result, run
from finmodel.studies.targets import Metric, continuous_key, metric, whole_number_keys
from finmodel.studies.variation import Design

#: Values of the key the bracketing grid evaluates, both ends included.
GRID_POINTS = 65
#: How close to the input each root is found (absolute, in the key's units).
XTOL = 1e-10


@dataclass(frozen=True)
class Target:
    """A metric and what it must equal: a number, or ``other`` (a metric of another reading,
    ``reading``) whose value in that reading's run is ``value``."""

    metric: Metric
    value: float
    reading: str | None = None
    other: str | None = None

    @property
    def text(self) -> str:
        if self.reading is None:
            return f"{self.metric.name}={self.value:.12g}"
        return f"{self.metric.name}={self.reading}:{self.other}"


@dataclass(frozen=True)
class SolveResult:
    """The roots of ``target.metric(key) - target.value`` in ``bounds``.

    roots : each root's value of the key, ascending
    grid : (values, metric) of the bracketing grid (NaN where undefined or invalid)
    """

    assumptions: Assumptions
    key: str
    bounds: tuple[float, float]
    target: Target
    roots: tuple[float, ...]
    grid: tuple[np.ndarray, np.ndarray]

    @property
    def name(self) -> str:
        return self.assumptions.name


def solve(
    assumptions: Assumptions,
    key: str,
    bounds: tuple[float, float],
    target: Target | str,
    where: str = "--vary",
) -> SolveResult:
    """Every value of ``key`` in ``bounds`` at which ``target`` holds.

    ``target`` is a :class:`Target` or its text, ``METRIC=VALUE`` or ``METRIC=READING:METRIC``
    (:func:`parse_target`).

    Examples
    --------
    The US-led fund's return at which the fund's IRR is 5%:

    >>> from finmodel.inputs.loader import load
    >>> a = load("base")
    >>> s = solve(a, "vehicles.us_led_fund.return.rate", (0.0, 0.2),
    ...           "vehicles.us_led_fund.irr=0.05")
    >>> len(s.roots), bool(0.0 < s.roots[0] < 0.2)
    (1, True)
    """
    lo, hi = check_bounds(assumptions, key, bounds, where)
    if isinstance(target, str):
        target = parse_target(assumptions, target)
    values = np.linspace(lo, hi, GRID_POINTS)
    values[-1] = hi  # exactly the bound
    found = array_key(assumptions, key)
    if found is not None and found[0] is None:  # outside a vehicle: compiled once
        column = Column(assumptions, key, target.metric)
        y, probe = column(values), column.at
    else:
        design = Design.grid(assumptions, {key: [float(v) for v in values]}, where=where)
        y, probe = evaluate_grid(design, target.metric), Probe(design, target.metric)
    roots = find_roots(values, y - target.value, lambda x: probe(x) - target.value)
    if not roots:
        raise InputError(no_root(target, y), file=where, field=key)
    return SolveResult(assumptions, key, (lo, hi), target, tuple(roots), (values, y))


def check_bounds(
    a: Assumptions, key: str, bounds: tuple[float, float], where: str
) -> tuple[float, float]:
    """LOW < HIGH, finite, each a value a single run accepts for ``key``; ``key`` a decimal
    number (a whole number, years or a count, has no root between its values)."""
    continuous_key(a, key, where)
    lo, hi = (float(b) for b in bounds)
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise InputError(f"LOW must be below HIGH, both finite (got {lo:g}:{hi:g})",
                         file=where, field=key)  # fmt: skip
    if key in whole_number_keys(a):
        first, last = math.ceil(lo), math.floor(hi)
        message = (
            "a whole number: it takes no value between two whole numbers, so it has no root to "
            "solve for; to see where the metric crosses the target, sweep its values: "
            f"finmodel sweep --vary {key}={first}:{last}:1"
        )
        raise InputError(message, file=where, field=key)
    for end, value in (("LOW", lo), ("HIGH", hi)):
        try:
            with_overrides(a, {key: value}, where)
        except InputError as e:
            raise InputError(f"{end} {value:g} is refused: {e.message}", file=where,
                             field=key) from None  # fmt: skip
    return lo, hi


def parse_bounds(text: str, flag: str = "--vary") -> tuple[str, tuple[float, float]]:
    """``KEY=LOW:HIGH`` as the key and its bounds.

    Examples
    --------
    >>> parse_bounds("discount_rate=0.01:0.09")
    ('discount_rate', (0.01, 0.09))
    """
    where = f"{flag} {text}"
    key, eq, spec = text.partition("=")
    parts = spec.split(":")
    if not eq or not key.strip() or len(parts) != 2:
        raise InputError("expected KEY=LOW:HIGH, e.g. discount_rate=0.01:0.09", file=where)
    try:
        lo, hi = (float(p) for p in parts)
    except ValueError:
        raise InputError("LOW and HIGH must be numbers", file=where, field=key) from None
    return key.strip(), (lo, hi)


def parse_target(a: Assumptions, text: str, where: str = "--target") -> Target:
    """``METRIC=VALUE`` or ``METRIC=READING:METRIC`` (READING: a file or shipped name).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> parse_target(load("base"), "parties.us.npv=1e9").value
    1000000000.0
    """
    name, eq, rhs = text.partition("=")
    if not eq or not rhs.strip():
        raise InputError("a target is METRIC=VALUE or METRIC=READING:METRIC", file=where,
                         field=text)  # fmt: skip
    m = metric(a, name.strip(), where)
    try:
        value = float(rhs)
    except ValueError:
        reading, colon, other = rhs.rpartition(":")
        if not colon or not reading:
            raise InputError(f"{rhs!r} is neither a number nor READING:METRIC", file=where,
                             field=name) from None  # fmt: skip
        return reading_target(m, reading.strip(), other.strip(), where)
    if not math.isfinite(value):
        raise InputError(f"the target must be finite (got {rhs})", file=where, field=name)
    return Target(m, value)


def reading_target(m: Metric, reading: str, other: str, where: str) -> Target:
    """A target equal to metric ``other`` of the run of ``reading``."""
    from finmodel.inputs.loader import load

    b = load(reading)
    value = float(metric(b, other, where).of(evaluate_one(b))[0])
    if not math.isfinite(value):
        raise InputError(f"{other} is undefined in {reading}", file=where, field=other)
    return Target(m, value, reading, other)


def evaluate_one(a: Assumptions):
    from finmodel.inputs.compile import compile_batch

    return evaluate(compile_batch(a))


def evaluate_grid(design: Design, m: Metric) -> np.ndarray:
    """The metric at each point of ``design``: through the engine in one chunk (NaN at a
    point a single run rejects)."""
    chunk = design.chunk(0, design.n)
    y = np.full(design.n, np.nan)
    for part in chunk.parts:
        y[part.at] = m.of(evaluate(part.batch))
    return y


class Column:
    """The metric at values of a key outside a vehicle whose compiled input is its value
    (``discount_rate``, ``claims.recovery``: :func:`finmodel.studies.arrays.array_key`): the
    assumptions compiled once, the key's input set to a column of values, one scenario each,
    as the single run sets it for one. Every value between two that a single run accepts is
    accepted too (each such key's only rule is a range), so the bounds' check covers the grid.
    """

    def __init__(self, a: Assumptions, key: str, m: Metric) -> None:
        from finmodel.inputs.compile import compile_batch

        self.a, self.key, self.metric = a, key, m
        self.base = compile_batch(a)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """The metric at each value of ``x``, one batch."""
        batch = with_arrays(repeated(self.base, x.size), self.a, {self.key: x})
        return np.asarray(self.metric.of(evaluate(batch)), dtype=float)

    def at(self, x: float) -> float:
        """The metric at one value (brentq's evaluations)."""
        return float(self(np.array([float(x)]))[0])


class Probe:
    """The metric at one value of the key of a one-key ``design``, as the single run computes
    it: the design's groups are reused, so that only what the key moves is compiled again."""

    def __init__(self, design: Design, m: Metric) -> None:
        self.design = copy.copy(design)
        self.design.values = [[design.values[0][0]]]
        self.design.n = 1
        self.design.index = lambda start, stop: np.zeros((1, stop - start), dtype=int)
        self.metric = m

    def __call__(self, x: float) -> float:
        self.design.values[0][0] = float(x)
        for g in self.design.groups:
            g.cache.clear()
        chunk = self.design.chunk(0, 1)
        if not chunk.parts:
            raise InputError(str(chunk.invalid[0]))
        return float(self.metric.of(evaluate(chunk.parts[0].batch))[0])


def find_roots(x: np.ndarray, y: np.ndarray, f) -> list[float]:
    """The roots of ``f`` that the samples ``y`` = f(``x``) bracket: grid points where y is 0,
    and one root, by ``brentq`` to :data:`XTOL`, in each interval whose ends differ in sign.

    Examples
    --------
    >>> x = np.linspace(-2.0, 2.0, 9)
    >>> [round(r, 9) for r in find_roots(x, x**2 - 1.0, lambda t: t * t - 1.0)]
    [-1.0, 1.0]
    """
    roots: list[float] = []
    for i in range(x.size):
        if y[i] == 0:
            roots.append(float(x[i]))
        elif i + 1 < x.size and np.sign(y[i]) * np.sign(y[i + 1]) < 0:
            roots.append(float(brentq(f, x[i], x[i + 1], xtol=XTOL, rtol=4 * np.finfo(float).eps)))
    return roots


def no_root(t: Target, y: np.ndarray) -> str:
    """The message for a target the metric does not reach: its lowest and highest value."""
    finite = y[np.isfinite(y)]
    if not finite.size:
        return f"{t.metric.name} is undefined everywhere in the range"
    lo, hi = float(finite.min()), float(finite.max())
    return (f"no root in the range: {t.metric.name} runs from {_shown(lo, t)} to "
            f"{_shown(hi, t)} there, never {_shown(t.value, t)}; widen the range or change "
            "the target")  # fmt: skip


def _shown(x: float, t: Target) -> str:
    if t.metric.field in ("irr", "moic"):
        return f"{x:.6g}"
    return f"{x / 1e9:,.3f} bn"


def solved_runs(s: SolveResult) -> list[Result]:
    """The single run at each root: its summary goes alongside the roots."""
    return [run(with_overrides(s.assumptions, {s.key: x}, "solve")) for x in s.roots]


def roots_table(s: SolveResult, runs: list[Result]) -> pd.DataFrame:
    """One row per root: the key, its value, the metric, the target and the metric's value in
    the solved run (the residual is their difference).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> s = solve(load("base"), "discount_rate", (0.0, 0.1), "parties.us.npv=50e9")
    >>> t = roots_table(s, solved_runs(s))
    >>> list(t.columns)
    ['key', 'value', 'metric', 'target', 'metric_at_root', 'residual', 'reading']
    >>> bool(abs(t.residual[0]) < 1.0)
    True
    """
    t = s.target
    rows = []
    for x, r in zip(s.roots, runs):
        at = float(t.metric.of(r.outcome)[0])
        rows.append({"key": s.key, "value": x, "metric": t.metric.name, "target": t.value,
                     "metric_at_root": at, "residual": at - t.value,
                     "reading": t.reading or ""})  # fmt: skip
    return pd.DataFrame(rows)
