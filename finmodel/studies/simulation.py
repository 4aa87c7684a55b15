"""Monte Carlo: many scenarios of random returns through the batched engine, in chunks.

The engine runs :data:`~finmodel.studies.sampling.CHUNK` scenarios at a time. Of each scenario only
its
scalar metrics (and each party's cumulative receipts at year ends, for the fan chart) are kept,
one array per column, scenarios last. The arrays live in memory-mapped temporary files when they
would take more than :data:`MEMORY_BUDGET` bytes, so that memory stays bounded however large N
is, and whenever worker processes share the chunks: each writes its rows straight into the
files. Percentiles are then exact (:func:`finmodel.studies.quantiles.percentiles`: numpy's over
every
scenario, in a tenth of the time), one column at a time.

Scratch and processes. N is at most :data:`MAX_N`; the scratch files (about 1.2 KB a scenario
for the base case) are checked against the free space in TMPDIR before any work and reserved
in full when they are made (``posix_fallocate``), so a full disk is one message, never a SIGBUS
half way. Where worker processes are forked (Linux, macOS) they inherit the files' mappings, so
the files are unlinked as soon as they are mapped: the space returns to the system however the
processes end, even by SIGKILL. Each worker ends with its parent (``PR_SET_PDEATHSIG`` on
Linux, a watch on the parent's id elsewhere).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finmodel.engine.batch import Batch
from finmodel.engine.evaluate import Outcome, evaluate
from finmodel.exceptions import InputError
from finmodel.inputs.compile import compile_batch
from finmodel.inputs.models.scenario import Assumptions
from finmodel.kinds import Array
from finmodel.studies.cluster import run_tasks
from finmodel.studies.measures import PARTY_METRICS, VEHICLE_METRICS, measure
from finmodel.studies.quantiles import percentiles
from finmodel.studies.sampling import (
    CHUNK,
    SamplingMethod,
    correlation_factor,
    draw,
    sampled_vehicles,
)
from finmodel.studies.scratch import Store, check_space, nbytes, scratch
from finmodel.studies.statistics import PERCENTILES, column_stats, histogram
from finmodel.studies.workers import Job, run_jobs

MEMORY_BUDGET = 256 * 2**20
#: Scenarios the engine runs at once (a scenario's numbers do not depend on it).
SCENARIOS_PER_BATCH = 4096
#: Processes that share the chunks of a large simulation (the machine has two cores).
MAX_WORKERS = 2
MIN_PARALLEL_CHUNKS = 4
#: The most scenarios a simulation runs: 116 GB of scratch for the base case and, extrapolated
#: from 2,000,000 in 23 s, about 20 minutes on two cores (docs/limits.md).
MAX_N = 100_000_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SimulationResult:
    """Statistics of N simulated scenarios.

    stats : one row per (entity, id, metric): count, mean, std, p5, p25, p50, p75, p95,
        prob_loss (share of scenarios below 0, or below 1 for a MOIC), sem (standard error
        of the mean)
    fan : (party, year, percentile) -> cumulative receipts, a DataFrame with columns
        party, year, p5 ... p95
    histograms : {party: (edges, counts)} of each party's NPV
    """

    assumptions: Assumptions
    n: int
    seed: int
    method: str
    stats: pd.DataFrame
    fan: pd.DataFrame
    histograms: dict[str, tuple[Array, Array]]
    #: the ``--set`` changes that made ``assumptions``, in words (``Loaded.changes``)
    changes: tuple[str, ...] = ()
    #: what makes its report this scenario's (``Loaded.identity``), recorded in the workbook
    identity: str = ""

    @property
    def name(self) -> str:
        return self.assumptions.name


def simulate(
    assumptions: Assumptions,
    n: int,
    seed: int,
    method: SamplingMethod = "mc",
    progress: Progress | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> SimulationResult:
    """Run ``n`` scenarios of sampled returns from ``seed``.

    Chunks run in ``workers`` processes (default: up to two, once there are at least
    :data:`MIN_PARALLEL_CHUNKS` chunks), or as tasks on the Dask cluster whose scheduler is at
    ``scheduler`` (:mod:`finmodel.studies.cluster`); the numbers do not depend on it.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> r = simulate(load("base"), 200, seed=7)
    >>> row = r.stats.query("id == 'us' and metric == 'npv'").iloc[0]
    >>> bool(row.p5 < row.p50 < row.p95), int(row["count"])
    (True, 200)
    """
    _check_arguments(n, seed, method)
    base = compile_batch(assumptions)
    parties = base.parties
    shapes = column_shapes(base, n)
    jobs = [(c, start, min(CHUNK, n - start)) for c, start in enumerate(range(0, n, CHUNK))]
    if scheduler is not None:
        workers = 1  # the cluster's workers run the chunks; their rows are written here
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if len(jobs) >= MIN_PARALLEL_CHUNKS else 1
    # worker processes write their rows straight into files mapped into memory; one process
    # keeps them in memory unless they would take more than MEMORY_BUDGET
    mapped = workers > 1 or nbytes(shapes) > MEMORY_BUDGET
    if mapped:
        check_space(nbytes(shapes), n)
    vehicles = sampled_vehicles(assumptions)
    # each column's value in the deterministic run: a chunk in which a column takes it in
    # every scenario (no sampled return moves it) need not write it. (Run here, the engine's
    # compiled loops are loaded before worker processes fork, and they inherit them.)
    reference = _columns(measure_chunk(evaluate(base)), base)
    factor = correlation_factor(assumptions, vehicles)
    plan = _Plan(base, vehicles, factor, int(seed), method, reference)
    with scratch(shapes, mapped, n) as store:
        skipped: dict = {key: [] for key in shapes}  # the rows of chunks that left a column
        for (_, start, size), left in _run_chunks(plan, jobs, workers, store, scheduler):
            for key in left:
                skipped[key].append(slice(start, start + size))
            if progress:
                progress(start + size, n)
        arrays = {key: _filled(store.arrays[key], plan.reference[key], skipped[key], n)
                  for key in shapes}  # fmt: skip
        cols = {key: arrays[key] for key in shapes if key[0] != "fan"}
        with ThreadPoolExecutor(max_workers=max(1, workers)) as threads:
            stats = _stats(cols, threads.map)
            fan = _fan({p: arrays[("fan", p)] for p in parties}, threads.map)
        hist = {p: histogram(np.asarray(cols[("party", p, "npv")])) for p in parties}
    return SimulationResult(assumptions, int(n), int(seed), method, stats, fan, hist)


def _check_arguments(n: object, seed: object, method: object) -> None:
    """Refuse, as bad input, an N, seed or method :func:`simulate` cannot run."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise InputError(
            f"N must be a whole number of scenarios, at least 1 (got {n!r})", field="n"
        )
    if n > MAX_N:
        raise InputError(
            f"N is at most {MAX_N:,} scenarios (got {n:,}): every scenario's results are kept "
            "(on disk, in TMPDIR) for exact percentiles",
            field="n",
        )
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"the seed must be a whole number >= 0 (got {seed!r})", field="seed")
    if method not in ("mc", "lhs"):
        raise InputError(f"method must be 'mc' or 'lhs' (got {method!r})", field="method")


def scratch_bytes(assumptions: Assumptions, n: int) -> int:
    """Bytes of per-scenario results a simulation of ``n`` scenarios keeps (in TMPDIR, past
    :data:`MEMORY_BUDGET` or with worker processes): each party's and vehicle's metrics in
    float64, and each party's receipts at every year end in float32.

    Examples
    --------
    The base case: 5 parties with 6 metrics, 8 vehicles with 6, and 5 parties' receipts at 31
    year ends (the start, then 30 years): (5 * 6 + 8 * 6) * 8 + 5 * 31 * 4 = 1,244 bytes a
    scenario.

    >>> from finmodel.inputs.loader import load
    >>> scratch_bytes(load("base"), 1_000_000)
    1244000000
    """
    return nbytes(column_shapes(compile_batch(assumptions), int(n)))


def column_shapes(base: Batch, n: int) -> dict:
    """Each stored column's (shape, dtype): metrics (n,) float64, fans (years + 1, n) float32."""
    vids = [v.id for v in base.vehicles]
    shapes = {key: ((n,), np.float64) for key in _metric_keys(base.parties, vids)}
    years = base.timeline.years
    return shapes | {("fan", p): ((years + 1, n), np.float32) for p in base.parties}








def _metric_keys(parties: list[str], vids: list[str]) -> list[tuple[str, str, str]]:
    """(entity, id, metric) of every per-scenario metric, in the order of the statistics."""
    keys = [("party", p, m) for p in parties for m in PARTY_METRICS]
    return keys + [("vehicle", v, m) for v in vids for m in VEHICLE_METRICS]


def _filled(array: Array, reference: Array, skipped: list[slice], n: int) -> Array:
    """A column with the rows its chunks left filled in with the deterministic value: a
    view of that value alone when every chunk left it (nothing stored, nothing read)."""
    if sum(rows.stop - rows.start for rows in skipped) == n:
        return np.broadcast_to(reference.astype(array.dtype), array.shape)
    for rows in skipped:
        array[..., rows] = reference
    return array




@dataclass(frozen=True)
class _Plan:
    """What every chunk needs: the base batch, what to sample and how, and each column's
    value in the deterministic run (metrics (1,), fans (years + 1, 1))."""

    base: Batch
    vehicles: list
    factor: Array
    seed: int
    method: SamplingMethod
    reference: dict


@dataclass(frozen=True)
class ChunkNumbers:
    """A chunk's per-scenario results: party (size, parties, 5), vehicle (size, vehicles, 6),
    fan (parties, years + 1, size) in float32."""

    party: Array
    vehicle: Array
    fan: np.ndarray  # float32: see the docstring


def _run_chunks(
    plan: _Plan, jobs: list[Job], workers: int, store: Store, scheduler: str | None = None
) -> Iterator[tuple[Job, list]]:
    """Run each chunk and write its rows into ``store``, here or in ``workers`` processes
    (:func:`finmodel.studies.workers.run_jobs`), or on a Dask cluster; yields each job once its
    rows are in, in order, with the columns it left unwritten. The numbers are the same
    wherever a chunk runs: chunk c draws from the seed sequence (seed, c)."""
    if scheduler is None:
        return run_jobs(_chunk, plan, jobs, workers, store.arrays, store.paths)
    return _on_cluster(plan, jobs, store, scheduler)


def _on_cluster(plan: _Plan, jobs: list[Job], store: Store, scheduler: str) -> Iterator:
    """Each chunk a task on the cluster (:func:`_chunk_rows`); its rows written here."""
    for job, (rows, left) in run_tasks(_chunk_rows, plan, jobs, scheduler):
        _, start, size = job
        for key, x in rows.items():
            store.arrays[key][..., start : start + size] = x
        yield job, left


def _chunk_rows(plan: _Plan, c: int, start: int, size: int) -> tuple[dict, list]:
    """:func:`_chunk` as a task: its rows (of the columns it writes) and the columns it left."""
    rows = {key: np.empty((*ref.shape[:-1], size), dtype=ref.dtype)
            for key, ref in plan.reference.items()}  # fmt: skip
    left = _chunk(plan, rows, c, 0, size)
    return {key: x for key, x in rows.items() if key not in left}, left


def _chunk(plan: _Plan, arrays: dict, c: int, start: int, size: int) -> list:
    """Draw chunk ``c`` and run it, :data:`SCENARIOS_PER_BATCH` scenarios at a time; write its
    per-scenario
    results at rows ``start`` on, except the columns that equal the deterministic run's value
    in every scenario of the chunk. Returns the keys of those it left."""
    returns = draw(plan.vehicles, plan.factor, size, plan.seed, c, plan.method)
    parts = []
    for first in range(0, size, SCENARIOS_PER_BATCH):
        some = {v: r[first : first + SCENARIOS_PER_BATCH] for v, r in returns.items()}
        n = min(SCENARIOS_PER_BATCH, size - first)
        parts.append(_columns(measure_chunk(evaluate(with_returns(plan.base, some, n))), plan.base))
    left = []
    for key, ref in plan.reference.items():
        x = np.concatenate([part[key] for part in parts], axis=-1)
        if np.array_equal(x, np.broadcast_to(ref, x.shape), equal_nan=True):
            left.append(key)
        else:
            arrays[key][..., start : start + size] = x
    return left


def _columns(chunk: ChunkNumbers, base: Batch) -> dict:
    """A chunk's results by column: (entity, id, metric) -> (size,), ("fan", party) ->
    (years + 1, size)."""
    out = {}
    for j, p in enumerate(base.parties):
        for i, m in enumerate(PARTY_METRICS):
            out[("party", p, m)] = chunk.party[:, j, i]
    for j, v in enumerate(base.vehicles):
        for i, m in enumerate(VEHICLE_METRICS):
            out[("vehicle", v.id, m)] = chunk.vehicle[:, j, i]
    return out | {("fan", p): chunk.fan[j] for j, p in enumerate(base.parties)}


def with_returns(base: Batch, returns: dict[str, Array], size: int) -> Batch:
    """The base batch as ``size`` scenarios, with the sampled annual returns put in."""
    tl = base.timeline
    vehicles = [
        dataclasses.replace(v, return_rate=tl.period_rates(returns[v.id]))
        if v.id in returns
        else v
        for v in base.vehicles
    ]
    return dataclasses.replace(base, names=[base.names[0]] * size, vehicles=vehicles)


def measure_chunk(o: Outcome) -> ChunkNumbers:
    """The per-scenario numbers a simulation keeps of one chunk's outcome: the metrics
    (:func:`finmodel.studies.measures.measure`) and each party's cumulative receipts."""
    b = o.batch
    m = measure(o)
    tl = b.timeline
    # each party's receipts by year end, scenarios last (as stored); what no sampled return
    # moves is added up once, in one row
    received = np.zeros((len(b.parties), tl.years + 1, b.n_scenarios))
    fixed = np.zeros((len(b.parties), tl.years + 1, 1))
    for a in o.allocations:
        if a.flow.is_paid:
            continue
        by_year = tl.by_year_end(a.amount).T  # (years + 1, n or 1)
        into = fixed if a.amount.shape[0] == 1 and a.shares.shape[0] == 1 else received
        for p in np.flatnonzero(np.any(a.shares != 0, axis=0)):  # only the parties it pays
            into[p] += by_year * a.shares[:, p]
    received += fixed
    for y in range(1, tl.years + 1):  # cumulative: at the start, then at each year's end
        received[:, y] += received[:, y - 1]
    fan = received.astype(np.float32)
    return ChunkNumbers(party=m.party, vehicle=m.vehicle, fan=fan)


def _stats(cols: dict, map_=map) -> pd.DataFrame:
    """count, mean, std, percentiles, prob_loss and sem of each column (NaN left out);
    ``map_`` may spread the columns over threads (the percentiles' compiled selection
    releases the GIL)."""
    return pd.DataFrame(list(map_(column_stats, cols.keys(), cols.values())))


def _fan(fans: dict[str, Array], map_=map) -> pd.DataFrame:
    """P5..P95 of each party's cumulative receipts at each year end, over all scenarios.

    ``fans`` holds each party's receipts as (years + 1, n) float32, one row per year end.
    Exact percentiles need every scenario at once, so this runs once all chunks are in. A year
    whose receipts no sampled return moves needs no sorting at all; ``map_`` may spread the
    others over threads.
    """

    def one(item: tuple[str, int]) -> Array:
        row = fans[item[0]][item[1]]
        lo, hi = row.min(), row.max()
        if lo == hi:
            return np.full(len(PERCENTILES), float(lo))
        return percentiles(row, PERCENTILES)

    items = [(p, y) for p, f in fans.items() for y in range(f.shape[0])]
    q = np.array(list(map_(one, items))).reshape(len(items), len(PERCENTILES))
    frame = pd.DataFrame({f"p{k}": q[:, i] for i, k in enumerate(PERCENTILES)})
    frame.insert(0, "year", [y for _, y in items])
    frame.insert(0, "party", [p for p, _ in items])
    return frame
