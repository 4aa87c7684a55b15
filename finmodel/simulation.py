"""Monte Carlo: many scenarios of random returns through the batched engine, in chunks.

The engine runs :data:`~finmodel.sampling.CHUNK` scenarios at a time. Of each scenario only its
scalar metrics (and each party's cumulative receipts at year ends, for the fan chart) are kept,
in arrays that move to a memory-mapped temporary file when they would take more than
:data:`MEMORY_BUDGET` bytes, so that memory stays bounded however large N is. Percentiles are
then exact (``numpy.percentile`` over every scenario), one column at a time.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import signal
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from finmodel.assumptions import Assumptions
from finmodel.batch import Batch, compile_batch
from finmodel.engine import Outcome, evaluate
from finmodel.exceptions import InputError
from finmodel.files import write_table_and_workbook
from finmodel.kinds import Array
from finmodel.metrics import party_metrics, terminal_claims, vehicle_metrics
from finmodel.sampling import CHUNK, Method, correlation_factor, draw, sampled_vehicles

PERCENTILES = (5, 25, 50, 75, 95)
PARTY_METRICS = ("received", "paid", "net", "npv", "terminal_claim")
VEHICLE_METRICS = ("contributed", "distributed", "profit", "moic", "irr", "npv")
MEMORY_BUDGET = 256 * 2**20
HISTOGRAM_BINS = 30
#: Processes that share the chunks of a large simulation (the machine has two cores).
MAX_WORKERS = 2
MIN_PARALLEL_CHUNKS = 4
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

    @property
    def name(self) -> str:
        return self.assumptions.name

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write NAME.simulation.csv and NAME.simulation.xlsx atomically."""
        from finmodel.simulation_report import write_simulation_workbook

        return write_table_and_workbook(
            out_dir,
            f"{self.name}.simulation",
            self.stats,
            lambda p: write_simulation_workbook(self, p),
        )


def simulate(
    assumptions: Assumptions,
    n: int,
    seed: int,
    method: Method = "mc",
    progress: Progress | None = None,
    workers: int | None = None,
) -> SimulationResult:
    """Run ``n`` scenarios of sampled returns from ``seed``.

    Chunks run in ``workers`` processes (default: up to two, once there are at least
    :data:`MIN_PARALLEL_CHUNKS` chunks); the numbers do not depend on it.

    Examples
    --------
    >>> from finmodel.loader import load
    >>> r = simulate(load("base"), 200, seed=7)
    >>> row = r.stats.query("id == 'us' and metric == 'npv'").iloc[0]
    >>> bool(row.p5 < row.p50 < row.p95), int(row["count"])
    (True, 200)
    """
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise InputError(
            f"N must be a whole number of scenarios, at least 1 (got {n!r})", field="n"
        )
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise InputError(f"the seed must be a whole number >= 0 (got {seed!r})", field="seed")
    if method not in ("mc", "lhs"):
        raise InputError(f"method must be 'mc' or 'lhs' (got {method!r})", field="method")
    base = compile_batch(assumptions)
    vehicles = sampled_vehicles(assumptions)
    plan = _Plan(base, vehicles, correlation_factor(assumptions, vehicles), int(seed), method)
    parties = base.parties
    vids = [v.id for v in base.vehicles]
    years = assumptions.timeline.years
    jobs = [(c, start, min(CHUNK, n - start)) for c, start in enumerate(range(0, n, CHUNK))]
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if len(jobs) >= MIN_PARALLEL_CHUNKS else 1
    with tempfile.TemporaryDirectory(prefix="finmodel-sim-") as tmp:
        store = _Store(Path(tmp), n)
        cols = {("party", p, m): store.column(n) for p in parties for m in PARTY_METRICS}
        cols |= {("vehicle", v, m): store.column(n) for v in vids for m in VEHICLE_METRICS}
        fan = store.column((n, len(parties), years + 1), np.float32)
        for (_, start, size), chunk in zip(jobs, _run_chunks(plan, jobs, workers)):
            _store_chunk(chunk, cols, fan, slice(start, start + size), parties, vids)
            if progress:
                progress(start + size, n)
        stats = _stats(cols)
        fan_table = _fan(fan, parties, years, threads=workers)
        hist = {p: _histogram(np.asarray(cols[("party", p, "npv")])) for p in parties}
    return SimulationResult(assumptions, int(n), int(seed), method, stats, fan_table, hist)


@dataclass(frozen=True)
class _Plan:
    """What every chunk needs: the base batch, what to sample and how."""

    base: Batch
    vehicles: list
    factor: Array
    seed: int
    method: Method


@dataclass(frozen=True)
class _Chunk:
    """A chunk's per-scenario results: party (size, parties, 4), vehicle (size, vehicles, 6),
    fan (size, parties, years + 1) in float32."""

    party: Array
    vehicle: Array
    fan: Array


def _run_chunks(plan: _Plan, jobs: list[tuple[int, int, int]], workers: int) -> Iterator[_Chunk]:
    """Each chunk's results, in order: here, or in ``workers`` processes (the same numbers:
    chunk c draws from the seed sequence (seed, c) wherever it runs)."""
    if workers <= 1:
        for job in jobs:
            yield _chunk(plan, *job)
        return
    context = multiprocessing.get_context("fork" if "fork" in _START_METHODS else "spawn")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(plan,))
    try:
        yield from pool.map(_chunk_in_worker, jobs)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_START_METHODS = multiprocessing.get_all_start_methods()
_WORKER_PLAN: _Plan | None = None


def _init(plan: _Plan) -> None:
    global _WORKER_PLAN
    _WORKER_PLAN = plan
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # the workers already use the cores: a BLAS thread pool in each would fight them (measured
    # here: 20 s instead of 14 s for a million scenarios)
    threadpool_limits(1)


def _chunk_in_worker(job: tuple[int, int, int]) -> _Chunk:
    assert _WORKER_PLAN is not None
    return _chunk(_WORKER_PLAN, *job)


def _chunk(plan: _Plan, c: int, start: int, size: int) -> _Chunk:
    returns = draw(plan.vehicles, plan.factor, size, plan.seed, c, plan.method)
    return _measure(evaluate(_with_returns(plan.base, returns, size)))


def _with_returns(base: Batch, returns: dict[str, Array], size: int) -> Batch:
    """The base batch as ``size`` scenarios, with the sampled annual returns put in."""
    tl = base.timeline
    vehicles = [
        dataclasses.replace(v, return_rate=tl.by_period(tl.per_period(returns[v.id])))
        if v.id in returns
        else v
        for v in base.vehicles
    ]
    return dataclasses.replace(base, names=[base.names[0]] * size, vehicles=vehicles)


def _measure(o: Outcome) -> _Chunk:
    """The per-scenario numbers a simulation keeps of one chunk's outcome."""
    b = o.batch
    pm = party_metrics(o)
    claims = terminal_claims(o)[0].sum(axis=1)
    party = np.stack([claims if m == "terminal_claim" else getattr(pm, m) for m in PARTY_METRICS],
                     axis=-1)  # fmt: skip
    vms = [vehicle_metrics(o, v.id) for v in b.vehicles]
    vehicle = np.stack(
        [np.stack([getattr(vm, m) for m in VEHICLE_METRICS], axis=-1) for vm in vms], axis=1
    )
    tl = b.timeline
    # period k counts in year-end ceil(k/m): period 0 alone, then m periods a year
    year_starts = np.concatenate(([0], np.arange(1, tl.columns, tl.m)))
    received = np.zeros((b.n_scenarios, len(b.parties), tl.years + 1))
    fixed = np.zeros((1, len(b.parties), tl.years + 1))  # what no sampled return moves
    for a in o.allocations:
        if a.flow.is_paid:
            continue
        by_year = np.add.reduceat(a.amount, year_starts, axis=1)
        into = fixed if a.amount.shape[0] == 1 and a.shares.shape[0] == 1 else received
        for p in np.flatnonzero(np.any(a.shares != 0, axis=0)):  # only the parties it pays
            into[:, p, :] += by_year * a.shares[:, p, None]
    received += fixed
    fan = np.cumsum(received, axis=2).astype(np.float32)  # at the start, then each year's end
    return _Chunk(party=party, vehicle=vehicle, fan=fan)


def _store_chunk(
    chunk: _Chunk, cols: dict, fan: Array, rows: slice, parties: list[str], vids: list[str]
) -> None:
    for j, p in enumerate(parties):
        for i, m in enumerate(PARTY_METRICS):
            cols[("party", p, m)][rows] = chunk.party[:, j, i]
    for j, v in enumerate(vids):
        for i, m in enumerate(VEHICLE_METRICS):
            cols[("vehicle", v, m)][rows] = chunk.vehicle[:, j, i]
    fan[rows] = chunk.fan


def _stats(cols: dict) -> pd.DataFrame:
    rows = []
    for (entity, ident, metric), col in cols.items():
        x = np.asarray(col)
        x = x[np.isfinite(x)]
        row = {"entity": entity, "id": ident, "metric": metric, "count": x.size}
        if x.size and x.min() == x.max():  # a metric no sampled return moves: no sorting
            std, mean, points = 0.0, float(x[0]), [float(x[0])] * len(PERCENTILES)
        elif x.size:
            std = float(x.std(ddof=1)) if x.size > 1 else 0.0
            mean, points = float(x.mean()), np.percentile(x, PERCENTILES)
        if x.size:
            row |= {"mean": mean, "std": std}
            row |= {f"p{q}": float(v) for q, v in zip(PERCENTILES, points)}
            breakeven = 1.0 if metric == "moic" else 0.0  # a MOIC below 1 is a loss
            row |= {"prob_loss": float(np.mean(x < breakeven)), "sem": std / np.sqrt(x.size)}
        rows.append(row)
    return pd.DataFrame(rows)


def _fan(fan: Array, parties: list[str], years: int, threads: int = 1) -> pd.DataFrame:
    """P5..P95 of each party's cumulative receipts at each year end, over all scenarios.

    Exact percentiles need every scenario at once, so this runs in the main process once all
    chunks are in; parties are spread over ``threads`` threads (NumPy partitions without the
    GIL). A party whose receipts no sampled return moves needs no sorting at all.
    """

    def one(j: int) -> pd.DataFrame:
        lo, hi = np.min(fan[:, j, :], axis=0), np.max(fan[:, j, :], axis=0)
        q = np.repeat(lo[None, :].astype(np.float64), len(PERCENTILES), axis=0)
        if np.any(lo != hi):  # some sampled return moves this party's receipts
            # in float32, as stored: a float64 copy would add nothing but 8 bytes a value
            q = np.percentile(fan[:, j, :], PERCENTILES, axis=0).astype(np.float64)
        frame = pd.DataFrame({f"p{k}": q[i] for i, k in enumerate(PERCENTILES)})
        frame.insert(0, "year", np.arange(years + 1))
        frame.insert(0, "party", parties[j])
        return frame

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        frames = list(pool.map(one, range(len(parties))))
    return pd.concat(frames, ignore_index=True)


def _histogram(x: Array) -> tuple[Array, Array]:
    x = x[np.isfinite(x)]
    counts, edges = np.histogram(x, bins=HISTOGRAM_BINS)
    return edges, counts


class _Store:
    """Arrays of per-scenario results: in memory, or memory-mapped past the budget."""

    def __init__(self, folder: Path, n: int) -> None:
        self.folder = folder
        self.count = 0
        self.mapped = n * 8 * 64 > MEMORY_BUDGET

    def column(self, shape: int | tuple[int, ...], dtype=np.float64) -> Array:
        if not self.mapped:
            return np.full(shape, np.nan, dtype=dtype)
        self.count += 1
        path = self.folder / f"c{self.count}.npy"
        shape = (shape,) if isinstance(shape, int) else shape
        return np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape)
