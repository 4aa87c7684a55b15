"""Global sensitivity: which inputs drive each party's NPV and each vehicle's IRR, all of them
moving at once.

``sobol``: first-order (S1: the share of the output's variance an input explains alone) and
total-order indices (ST: alone and in every interaction), with bootstrap confidence intervals,
from Saltelli's scheme (SALib's ``sobol`` sample of N (D + 2) points, D inputs, N a power of two,
and SALib's estimators with the bootstrap's shared work done once:
:mod:`finmodel.studies.sobol_indices`). ``morris``: elementary effects (mu*, sigma) on N
trajectories of D + 1 points, a cheaper screening for many inputs.

The inputs (:mod:`finmodel.studies.factors`) are the tornado's ranges (uniform) and the funds'
return uncertainties; array keys among them are set a column at a time
(:mod:`finmodel.studies.arrays`). The sample's points run through the batched engine
:data:`POINTS_PER_CHUNK` at a time, each chunk a task (here, or on a Dask cluster:
:mod:`finmodel.studies.cluster`): a chunk is a function of the sample alone, so the numbers
do not depend on where it runs.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from finmodel.engine.evaluate import evaluate
from finmodel.engine.metrics import party_metrics, vehicle_metrics
from finmodel.exceptions import InputError
from finmodel.inputs.compile import compile_batch
from finmodel.inputs.loader import with_overrides
from finmodel.inputs.models.scenario import Assumptions
from finmodel.kinds import Array
from finmodel.studies.arrays import array_key, repeated, with_arrays
from finmodel.studies.cluster import run_tasks
from finmodel.studies.factors import Factor, factors
from finmodel.studies.sobol_indices import sobol_indices
from finmodel.studies.variation import Design

#: Sample points the engine runs at once (one task each).
POINTS_PER_CHUNK = 16_384
#: The most model runs a study may take.
MAX_RUNS = 50_000_000
METHODS = ("sobol", "morris")
#: Processes that share the chunks and the analyses (the machine has two cores).
MAX_WORKERS = 2
#: Bootstrap resamples for the confidence intervals (SALib's default).
RESAMPLES = 100


@dataclass(frozen=True)
class SensitivityResult:
    """Indices of each output (party NPV, vehicle IRR) for each input.

    table : one row per (output, input): ``output`` (``parties.us.npv``...), ``input``, then
        for sobol ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (the half-width of the bootstrap
        confidence interval at ``conf_level``); for morris ``mu``, ``mu_star``,
        ``mu_star_conf``, ``sigma``; and ``note`` (why an output's indices are empty: it
        does not vary, or it is undefined in some runs)
    """

    assumptions: Assumptions
    method: str
    n: int
    runs: int
    seed: int
    factors: tuple[Factor, ...]
    table: pd.DataFrame

    @property
    def name(self) -> str:
        return self.assumptions.name


def sensitivity(
    a: Assumptions,
    n: int,
    seed: int = 0,
    method: str = "sobol",
    keys: dict[str, tuple[float, float] | None] | None = None,
    scheduler: str | None = None,
    conf_level: float = 0.95,
    workers: int | None = None,
) -> SensitivityResult:
    """Sobol or Morris indices of every party's NPV and every vehicle's IRR.

    The model's chunks and the outputs' analyses run in ``workers`` processes (default: up to
    two) or, chunks only, on the Dask cluster at ``scheduler``; the numbers do not depend on
    either (each output's bootstrap draws from ``seed``).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> s = sensitivity(load("base"), 64, seed=1,
    ...                 keys={"vehicles.us_led_fund.return.rate": None, "discount_rate": None})
    >>> row = s.table.query("output == 'parties.us.npv' and input == 'discount_rate'").iloc[0]
    >>> s.runs, bool(0 < row.S1 <= row.ST + row.ST_conf)
    (256, True)
    """
    _check(n, seed, method)
    fs = factors(a, keys)
    if not fs:
        raise InputError("no inputs with a range or a distribution", field="--input")
    problem = {"num_vars": len(fs), "names": [f.key for f in fs], "bounds": [[0.0, 1.0]] * len(fs)}
    runs = n * (len(fs) + 2) if method == "sobol" else n * (len(fs) + 1)
    if runs > MAX_RUNS:  # before the sample is drawn: it alone would not fit in memory
        raise InputError(f"{runs:,} runs; at most {MAX_RUNS:,}: lower N", field="-n")
    unit = _sample(problem, n, seed, method)
    values = np.column_stack([f.values(_spread(f, unit[:, i], method)) for i, f in enumerate(fs)])
    check_values(a, fs, values)
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS)
    names, y = evaluate_points(a, fs, values, scheduler, workers)
    table = _analyse(problem, method, unit, names, y, (seed, conf_level, workers))
    return SensitivityResult(a, method, n, unit.shape[0], seed, tuple(fs), table)


def _check(n: object, seed: object, method: str) -> None:
    if method not in METHODS:
        raise InputError(f"method must be one of {', '.join(METHODS)} (got {method!r})",
                         field="--method")  # fmt: skip
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"the seed must be a whole number >= 0 (got {seed!r})", field="--seed")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 2:
        raise InputError(f"N must be a whole number, at least 2 (got {n!r})", field="-n")
    if method == "sobol" and n & (n - 1):
        lower, upper = 2 ** int(math.log2(n)), 2 ** math.ceil(math.log2(n))
        raise InputError(f"for Sobol indices N must be a power of two (got {n}): try {lower} "
                         f"or {upper}", field="-n")  # fmt: skip


#: Morris's levels include 0 and 1: for a distribution (not a range) they stand for these
#: quantiles, not for the 1e-12 tails (a normal return of 8% +- 8% would be sampled at -48%).
MORRIS_QUANTILES = (0.025, 0.975)


def _spread(f: Factor, u: Array, method: str) -> Array:
    """The unit points ``u`` of input ``f`` as the quantiles its values are taken at."""
    if method != "morris" or f.dist == "uniform":
        return u
    lo, hi = MORRIS_QUANTILES
    return lo + (hi - lo) * u


def _sample(problem: dict, n: int, seed: int, method: str) -> Array:
    """The sample on the unit hypercube: Saltelli's (N (D + 2) rows) or Morris's."""
    if method == "sobol":
        from SALib.sample import sobol

        return sobol.sample(problem, n, calc_second_order=False, seed=seed)
    from SALib.sample import morris

    return morris.sample(problem, n, num_levels=4, seed=seed)


def check_values(a: Assumptions, fs: Sequence[Factor], values: Array) -> None:
    """Each input's lowest and highest sampled value must be one a single run accepts (a
    normal draw of a rate below -100%, say, is refused before any work)."""
    for i, f in enumerate(fs):
        for value in (f.value(values[:, i].min()), f.value(values[:, i].max())):
            try:
                with_overrides(a, {f.key: value}, f"--input {f.key}")
            except InputError as e:
                raise InputError(f"a sampled value {value:g} is refused ({e.message}): "
                                 "narrow its range", file=f"--input {f.key}") from None  # fmt: skip


@dataclass(frozen=True)
class _Plan:
    """What each chunk needs: the assumptions, the factors, and the sample's values."""

    a: Assumptions
    keys: tuple[str, ...]
    values: Array
    #: the factors whose values are whole numbers (set as ints, as the assumptions take them)
    whole: tuple[bool, ...] = ()


def evaluate_points(
    a: Assumptions,
    fs: Sequence[Factor],
    values: Array,
    scheduler: str | None = None,
    workers: int = 1,
) -> tuple[list[str], Array]:
    """Every output (party NPVs, then vehicle IRRs) at each row of ``values`` (a column per
    factor): names, and an array (rows, outputs)."""
    base = compile_batch(a)
    names = [f"parties.{p}.npv" for p in base.parties]
    names += [f"vehicles.{v.id}.irr" for v in base.vehicles]
    plan = _Plan(a, tuple(f.key for f in fs), values, tuple(f.whole for f in fs))
    m = values.shape[0]
    jobs = [(c, start, min(POINTS_PER_CHUNK, m - start))
            for c, start in enumerate(range(0, m, POINTS_PER_CHUNK))]  # fmt: skip
    y = np.empty((m, len(names)))
    for (_, start, size), rows in run_tasks(evaluate_chunk, plan, jobs, scheduler, workers):
        y[start : start + size] = rows
    return names, y


def evaluate_chunk(plan: _Plan, c: int, start: int, size: int) -> Array:
    """The outputs of rows start..start+size-1 of the sample (a chunk's task)."""
    a, x = plan.a, plan.values[start : start + size]
    arrays = {k: x[:, i] for i, k in enumerate(plan.keys) if array_key(a, k) is not None}
    others = {k: i for i, k in enumerate(plan.keys) if k not in arrays}
    out = np.full((size, 0), np.nan)
    if others:
        whole = plan.whole or (False,) * len(plan.keys)
        values = {k: _column(x[:, i], whole[i]) for k, i in others.items()}
        design = Design(a, values, size, _each_row(len(others)), "--input")
        chunk = design.chunk(0, size)
        if (chunk.invalid != "").any():
            j = int(np.flatnonzero(chunk.invalid != "")[0])
            raise InputError(f"a point of the sample is refused: {chunk.invalid[j]}; narrow the "
                             "ranges", field="--input")  # fmt: skip
        parts = [(p.at, p.batch) for p in chunk.parts]
    else:
        base = compile_batch(a)
        parts = [(np.arange(size), repeated(base, size))]
    for at, batch in parts:
        moved = with_arrays(batch, a, {k: v[at] for k, v in arrays.items()})
        rows = _outputs(moved)
        if out.shape[1] == 0:
            out = np.full((size, rows.shape[1]), np.nan)
        out[at] = rows
    return out


def _column(x: Array, whole: bool) -> list:
    """A factor's sampled values as the assumptions take them (ints for a whole number)."""
    return [int(v) for v in x] if whole else list(x)


def _each_row(keys: int):
    """A design's index where point i takes each key's value i."""
    return lambda start, stop: np.tile(np.arange(start, stop), (keys, 1))


def _outputs(b: Any) -> Array:
    """Each party's NPV and each vehicle's IRR in each scenario of batch ``b``."""
    o = evaluate(b)
    npv = party_metrics(o).npv
    irr = np.stack([vehicle_metrics(o, v.id).irr for v in b.vehicles], axis=1)
    n = b.n_scenarios
    return np.concatenate(
        [np.broadcast_to(npv, (n, npv.shape[1])), np.broadcast_to(irr, (n, irr.shape[1]))], axis=1
    )


def _analyse(
    problem: dict, method: str, unit: Array, names: list[str], y: Array, how: tuple
) -> pd.DataFrame:
    """Indices of each output, a row per (output, input); ``how``: (seed, confidence level,
    worker processes). Each output's analysis is a task of its own."""
    seed, conf, workers = how
    notes = [_note(y[:, j]) for j in range(len(names))]
    jobs = [(j,) for j, note in enumerate(notes) if not note]
    context = (problem, method, unit, y, seed, conf)
    results = dict(run_tasks(_analyse_one, context, jobs, workers=workers))
    rows = []
    for j, name in enumerate(names):
        note = notes[j]
        res = results.get((j,), {})
        for i, key in enumerate(problem["names"]):
            row: dict[str, Any] = {"output": name, "input": key}
            row |= {k: (float(v[i]) if not note else np.nan) for k, v in res.items()}
            rows.append(row | {"note": note})
    return pd.DataFrame(rows)


def _note(col: Array) -> str:
    bad = int((~np.isfinite(col)).sum())
    if bad:
        return f"undefined in {bad:,} of {col.size:,} runs"
    if np.ptp(col) == 0:
        return "does not vary"
    return ""


def _analyse_one(context: tuple, j: int) -> dict:
    problem, method, unit, y, seed, conf = context
    return _indices(problem, method, unit, y[:, j], seed, conf)


def _indices(
    problem: dict, method: str, unit: Array, col: Array, seed: int, conf: float
) -> dict:
    if method == "sobol":
        return sobol_indices(col, problem["num_vars"], RESAMPLES, conf, seed)
    from SALib.analyze import morris

    s = morris.analyze(problem, unit, col, num_resamples=RESAMPLES, conf_level=conf, num_levels=4,
                       seed=seed)  # fmt: skip
    return {k: np.asarray(s[k]) for k in ("mu", "mu_star", "mu_star_conf", "sigma")}


def top_drivers(r: SensitivityResult, k: int = 3) -> dict[str, list[tuple[str, float]]]:
    """Each party's NPV's ``k`` largest drivers (by total order, or mu* for Morris).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> s = sensitivity(load("base"), 16, keys={"discount_rate": None})
    >>> top_drivers(s)["parties.us.npv"][0][0]
    'discount_rate'
    """
    by = "ST" if r.method == "sobol" else "mu_star"
    out: dict[str, list[tuple[str, float]]] = {}
    if by not in r.table.columns:  # no output varies: every row says so in its note
        return out
    for name, frame in r.table.groupby("output", sort=False):
        if not str(name).startswith("parties.") or frame[by].isna().all():
            continue
        best = frame.sort_values(by, ascending=False).head(k)
        out[str(name)] = [(str(i), float(v)) for i, v in zip(best["input"], best[by])]
    return out
