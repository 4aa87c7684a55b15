"""Monte Carlo: many scenarios of random returns through the batched engine, in chunks.

The engine runs :data:`~finmodel.studies.sampling.CHUNK` scenarios at a time. Of each scenario only its
scalar metrics (and each party's cumulative receipts at year ends, for the fan chart) are kept,
one array per column, scenarios last. The arrays live in memory-mapped temporary files when they
would take more than :data:`MEMORY_BUDGET` bytes, so that memory stays bounded however large N
is, and whenever worker processes share the chunks: each writes its rows straight into the
files. Percentiles are then exact (:func:`finmodel.studies.quantiles.percentiles`: numpy's over every
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

import contextlib
import ctypes
import dataclasses
import errno
import multiprocessing
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from finmodel.engine.batch import Batch
from finmodel.engine.evaluate import Outcome, evaluate
from finmodel.engine.metrics import party_metrics, terminal_claims, vehicle_metrics
from finmodel.exceptions import InputError, ResourceError
from finmodel.inputs.compile import compile_batch
from finmodel.inputs.models.scenario import Assumptions
from finmodel.kinds import Array
from finmodel.reports.files import write_table_and_workbook
from finmodel.studies.quantiles import percentiles
from finmodel.studies.sampling import CHUNK, Method, correlation_factor, draw, sampled_vehicles

PERCENTILES = (5, 25, 50, 75, 95)
PARTY_METRICS = ("received", "paid", "net", "npv", "terminal_claim")
VEHICLE_METRICS = ("contributed", "distributed", "profit", "moic", "irr", "npv")
MEMORY_BUDGET = 256 * 2**20
#: Scenarios the engine runs at once (a scenario's numbers do not depend on it).
BATCH = 4096
HISTOGRAM_BINS = 30
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

    @property
    def name(self) -> str:
        return self.assumptions.name

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write NAME.simulation.csv and NAME.simulation.xlsx atomically."""
        from finmodel.reports.simulation import write_simulation_workbook

        return write_table_and_workbook(
            out_dir,
            "simulate",
            self.name,
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
    >>> from finmodel.inputs.loader import load
    >>> r = simulate(load("base"), 200, seed=7)
    >>> row = r.stats.query("id == 'us' and metric == 'npv'").iloc[0]
    >>> bool(row.p5 < row.p50 < row.p95), int(row["count"])
    (True, 200)
    """
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
    base = compile_batch(assumptions)
    parties = base.parties
    shapes = _shapes(base, n)
    jobs = [(c, start, min(CHUNK, n - start)) for c, start in enumerate(range(0, n, CHUNK))]
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if len(jobs) >= MIN_PARALLEL_CHUNKS else 1
    # worker processes write their rows straight into files mapped into memory; one process
    # keeps them in memory unless they would take more than MEMORY_BUDGET
    mapped = workers > 1 or _nbytes(shapes) > MEMORY_BUDGET
    if mapped:
        _check_scratch_space(_nbytes(shapes), n)
    vehicles = sampled_vehicles(assumptions)
    # each column's value in the deterministic run: a chunk in which a column takes it in
    # every scenario (no sampled return moves it) need not write it. (Run here, the engine's
    # compiled loops are loaded before worker processes fork, and they inherit them.)
    reference = _columns(_measure(evaluate(base)), base)
    factor = correlation_factor(assumptions, vehicles)
    plan = _Plan(base, vehicles, factor, int(seed), method, reference)
    with _scratch(shapes, mapped, n) as store:
        skipped: dict = {key: [] for key in shapes}  # the rows of chunks that left a column
        for (_, start, size), left in _run_chunks(plan, jobs, workers, store):
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
        hist = {p: _histogram(np.asarray(cols[("party", p, "npv")])) for p in parties}
    return SimulationResult(assumptions, int(n), int(seed), method, stats, fan, hist)


def scratch_bytes(assumptions: Assumptions, n: int) -> int:
    """Bytes of per-scenario results a simulation of ``n`` scenarios keeps (in TMPDIR, past
    :data:`MEMORY_BUDGET` or with worker processes): each party's and vehicle's metrics in
    float64, and each party's receipts at every year end in float32.

    Examples
    --------
    The base case: 5 parties with 5 metrics, 7 vehicles with 6, and 5 parties' receipts at 31
    year ends (the start, then 30 years): (5 * 5 + 7 * 6) * 8 + 5 * 31 * 4 = 1,156 bytes a
    scenario.

    >>> from finmodel.inputs.loader import load
    >>> scratch_bytes(load("base"), 1_000_000)
    1156000000
    """
    return _nbytes(_shapes(compile_batch(assumptions), int(n)))


def _shapes(base: Batch, n: int) -> dict:
    """Each stored column's (shape, dtype): metrics (n,) float64, fans (years + 1, n) float32."""
    vids = [v.id for v in base.vehicles]
    shapes = {key: ((n,), np.float64) for key in _metric_keys(base.parties, vids)}
    years = base.timeline.years
    return shapes | {("fan", p): ((years + 1, n), np.float32) for p in base.parties}


def _check_scratch_space(need: int, n: int) -> None:
    """Refuse, before any work, a simulation whose scratch would not fit in TMPDIR."""
    folder = tempfile.gettempdir()
    free = shutil.disk_usage(folder).free
    if need > free:
        raise ResourceError(_no_space(folder, need, n, free))


def _no_space(folder: str, need: int, n: int, free: int | None = None) -> str:
    """The one line for a TMPDIR too small: where, how much is needed, what to do."""
    have = f", {_size(free)} free" if free is not None else ""
    return (
        f"no space left in TMPDIR ({folder}), need about {_size(need)} for {n:,} scenarios"
        f"{have}: point TMPDIR at a larger disk or lower -n"
    )


def _size(nbytes: int) -> str:
    """Bytes for a reader: GB with one decimal, MB below 1 GB.

    Examples
    --------
    >>> _size(2_400_000_000), _size(350_000_000)
    ('2.4 GB', '350 MB')
    """
    return f"{nbytes / 1e9:.1f} GB" if nbytes >= 1e9 else f"{nbytes / 1e6:.0f} MB"


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


def _nbytes(shapes: dict) -> int:
    return sum(int(np.prod(shape)) * np.dtype(dtype).itemsize for shape, dtype in shapes.values())


@dataclass(frozen=True)
class _Plan:
    """What every chunk needs: the base batch, what to sample and how, and each column's
    value in the deterministic run (metrics (1,), fans (years + 1, 1))."""

    base: Batch
    vehicles: list
    factor: Array
    seed: int
    method: Method
    reference: dict


@dataclass(frozen=True)
class _Chunk:
    """A chunk's per-scenario results: party (size, parties, 5), vehicle (size, vehicles, 6),
    fan (parties, years + 1, size) in float32."""

    party: Array
    vehicle: Array
    fan: Array


def _run_chunks(
    plan: _Plan, jobs: list[tuple[int, int, int]], workers: int, store: _Store
) -> Iterator[tuple[int, int, int]]:
    """Run each chunk and write its rows into ``store``, here or in ``workers`` processes;
    yields each job once its rows are in, in order, with the columns it left unwritten. The
    numbers are the same wherever a chunk runs: chunk c draws from the seed sequence
    (seed, c)."""
    if workers <= 1:
        for job in jobs:
            yield job, _chunk(plan, store.arrays, *job)
        return
    # forked workers inherit the mapped arrays; spawned ones open the files by name
    inherited = None if store.paths else store.arrays
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(_START_METHOD),
        initializer=_init,
        initargs=(plan, inherited, store.paths, os.getpid()),
    )
    try:
        yield from zip(jobs, pool.map(_chunk_in_worker, jobs))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


_START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
_WORKER_PLAN: _Plan | None = None
_WORKER_ARRAYS: dict = {}


def _init(plan: _Plan, arrays: dict | None, paths: dict, parent: int) -> None:
    global _WORKER_PLAN, _WORKER_ARRAYS
    _die_with(parent)
    _keep_freed_memory()
    _WORKER_PLAN = plan
    if arrays is None:
        arrays = {key: np.load(path, mmap_mode="r+") for key, path in paths.items()}
    _WORKER_ARRAYS = arrays
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # the workers already use the cores: a BLAS thread pool in each would fight them (measured
    # here, when a million scenarios took 14 s: 20 s with them)
    threadpool_limits(1)


def _die_with(parent: int) -> None:
    """End this worker process when its parent ends, however it ends (SIGKILL included), so
    that no worker outlives a killed simulation holding memory and the caller's pipes.

    On Linux the kernel sends SIGKILL (``prctl(PR_SET_PDEATHSIG)``); elsewhere a thread
    watches the parent's process id. SIGTERM ends a worker at once: its clean-up is its
    parent's.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent ended before the request took effect
                    os._exit(1)
                return
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _watch_parent(parent: int, every: float = 0.5) -> None:
    """End this process once its parent is gone (it is then adopted by another)."""
    while os.getppid() == parent:
        time.sleep(every)
    os._exit(1)


def _keep_freed_memory() -> None:
    """Let this worker process reuse the memory of the arrays it frees (glibc's malloc only).

    A chunk's arrays take 16 MB each. By default glibc gives memory that large back to the
    system when it is freed, so the next array's pages must be mapped and zeroed again. Raising
    its mmap threshold to 32 MB (the largest it takes) and its trim threshold keeps the memory
    for the next array. Measured here: a chunk takes about 15% less time. Where malloc is not
    glibc's (macOS, Windows) this does nothing.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 32 * 2**20)
    mallopt(_M_TRIM_THRESHOLD, 2**30)


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h


def _chunk_in_worker(job: tuple[int, int, int]) -> list:
    assert _WORKER_PLAN is not None
    return _chunk(_WORKER_PLAN, _WORKER_ARRAYS, *job)


def _chunk(plan: _Plan, arrays: dict, c: int, start: int, size: int) -> list:
    """Draw chunk ``c`` and run it, :data:`BATCH` scenarios at a time; write its per-scenario
    results at rows ``start`` on, except the columns that equal the deterministic run's value
    in every scenario of the chunk. Returns the keys of those it left."""
    returns = draw(plan.vehicles, plan.factor, size, plan.seed, c, plan.method)
    parts = []
    for first in range(0, size, BATCH):
        some = {v: r[first : first + BATCH] for v, r in returns.items()}
        n = min(BATCH, size - first)
        parts.append(_columns(_measure(evaluate(_with_returns(plan.base, some, n))), plan.base))
    left = []
    for key, ref in plan.reference.items():
        x = np.concatenate([part[key] for part in parts], axis=-1)
        if np.array_equal(x, np.broadcast_to(ref, x.shape), equal_nan=True):
            left.append(key)
        else:
            arrays[key][..., start : start + size] = x
    return left


def _columns(chunk: _Chunk, base: Batch) -> dict:
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
    return _Chunk(party=party, vehicle=vehicle, fan=fan)


def _stats(cols: dict, map_=map) -> pd.DataFrame:
    """count, mean, std, percentiles, prob_loss and sem of each column (NaN left out);
    ``map_`` may spread the columns over threads (the percentiles' compiled selection
    releases the GIL)."""
    return pd.DataFrame(list(map_(_column_stats, cols.keys(), cols.values())))


def _column_stats(key: tuple[str, str, str], col: Array) -> dict:
    entity, ident, metric = key
    x = np.asarray(col)
    x = x[np.isfinite(x)]
    row = {"entity": entity, "id": ident, "metric": metric, "count": x.size}
    if not x.size:
        return row
    if x.min() == x.max():  # a metric no sampled return moves: no sorting
        std, mean, points = 0.0, float(x[0]), [float(x[0])] * len(PERCENTILES)
    else:
        std = float(x.std(ddof=1)) if x.size > 1 else 0.0
        mean, points = float(x.mean()), percentiles(x, PERCENTILES)
    row |= {"mean": mean, "std": std}
    row |= {f"p{q}": float(v) for q, v in zip(PERCENTILES, points)}
    breakeven = 1.0 if metric == "moic" else 0.0  # a MOIC below 1 is a loss
    return row | {"prob_loss": float(np.mean(x < breakeven)), "sem": std / np.sqrt(x.size)}


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


def _histogram(x: Array) -> tuple[Array, Array]:
    x = x[np.isfinite(x)]
    counts, edges = np.histogram(x, bins=HISTOGRAM_BINS)
    return edges, counts


@dataclass(frozen=True)
class _Store:
    """Per-scenario results, one array per column with the scenarios last, so that a column is
    contiguous: in memory, or mapped from files. ``paths`` names the files where spawned
    worker processes must open them; it is empty where there are none, or where forked
    workers inherit the mappings (the files are then already unlinked)."""

    arrays: dict
    paths: dict


@contextlib.contextmanager
def _scratch(shapes: dict, mapped: bool, n: int) -> Iterator[_Store]:
    """The store of a simulation's columns: in memory, or (``mapped``) in files in TMPDIR,
    each reserved in full when made. Nothing of it is left in TMPDIR afterwards."""
    if not mapped:
        yield _Store({key: np.full(shape, np.nan, dtype=dtype)
                      for key, (shape, dtype) in shapes.items()}, {})  # fmt: skip
        return
    folder = Path(tempfile.mkdtemp(prefix="finmodel-sim-"))
    try:
        try:
            paths = {key: folder / f"c{i}.npy" for i, key in enumerate(shapes)}
            arrays = {key: _reserved_map(paths[key], *shapes[key]) for key in shapes}
        except OSError as e:
            if e.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                raise
            raise ResourceError(_no_space(str(folder.parent), _nbytes(shapes), n)) from None
        if _START_METHOD == "fork":  # every process holds its mappings: the names can go
            for path in paths.values():
                path.unlink()
            folder.rmdir()
            paths = {}
        yield _Store(arrays, paths)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _reserved_map(path: Path, shape: tuple, dtype) -> np.memmap:
    """A new .npy file mapped into memory, its blocks reserved on disk at once
    (``posix_fallocate``): a write into a mapped sparse file on a full disk would be a
    SIGBUS, not an error."""
    array = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape)
    if hasattr(os, "posix_fallocate"):
        with open(path, "r+b") as f:
            os.posix_fallocate(f.fileno(), 0, os.fstat(f.fileno()).st_size)
    return array
