"""Chunks as tasks: run here, in worker processes, or on a Dask distributed cluster.

A study whose chunks are functions of their number alone (a simulation's chunk c draws from
the seed sequence (seed, c); a sensitivity's chunk is rows of a sample fixed by its seed) can
send them to a cluster, ``--scheduler ADDRESS`` (``tcp://host:8786``): each chunk is one task,
``work(context, *job)``, its result brought back and put in place in order, so the numbers are
bit for bit those of a local run. Dask is an optional extra: ``pip install 'finmodel[dask]'``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from threadpoolctl import threadpool_limits

from finmodel.exceptions import InputError
from finmodel.studies.scheduler import check_scheduler
from finmodel.studies.workers import START_METHOD, die_with, keep_freed_memory

#: A job: (chunk number, first row, rows), or any tuple of arguments after the context.
Job = tuple
#: Seconds to wait for the scheduler before the address is called unreachable.
CONNECT_TIMEOUT = 10


def run_tasks(
    work: Callable[..., Any],
    context: Any,
    jobs: list[Job],
    scheduler: str | None = None,
    workers: int = 1,
) -> Iterator[tuple[Job, Any]]:
    """``work(context, *job)`` for each job: here, in ``workers`` processes (forked where the
    system can), or as tasks on the Dask cluster whose scheduler is at ``scheduler``; yields
    each job with its result, in order.

    Examples
    --------
    >>> list(run_tasks(lambda ctx, c, start, size: ctx * size, 10, [(0, 0, 2), (1, 2, 3)]))
    [((0, 0, 2), 20), ((1, 2, 3), 30)]
    """
    if scheduler is None and (workers <= 1 or len(jobs) <= 1):
        for job in jobs:
            yield job, work(context, *job)
        return
    if scheduler is None:
        yield from _in_processes(work, context, jobs, workers)
        return
    client = connect(scheduler)
    try:
        shared = client.scatter(context, broadcast=True)
        futures = [client.submit(_tuned, work, shared, *job, pure=False) for job in jobs]
        for job, future in zip(jobs, futures):
            yield job, future.result()
    finally:
        client.close()


def _tuned(work: Callable[..., Any], *args: Any) -> Any:
    """``work(*args)`` in a Dask worker set up as finmodel's own worker processes are: one BLAS
    thread (the cluster's workers already use the cores) and freed memory kept for the next
    chunk. Measured here: a simulation chunk took 1.5 s in an untuned worker, 0.7 s tuned
    (0.55 s in the main process)."""
    keep_freed_memory()
    threadpool_limits(1)
    return work(*args)


def connect(address: str) -> Any:
    """A Dask client connected to the scheduler at ``address``; bad input (exit 2) if Dask is
    not installed or the address is not a scheduler's
    (:func:`finmodel.studies.scheduler.check_scheduler`)."""
    where = f"--scheduler {address}"
    try:
        from distributed import Client
    except ImportError:
        raise InputError("needs Dask: pip install 'finmodel[dask]'", file=where) from None
    check_scheduler(address)  # a wrong address: one line within seconds, not a hang
    try:
        return Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError, MemoryError) as e:
        raise InputError(
            f"cannot reach a Dask scheduler there ({type(e).__name__}: {e}); start one with "
            "`dask scheduler` and give its address, tcp://HOST:8786",
            file=where,
        ) from None


_WORK: Any = None
_CONTEXT: Any = None


def _in_processes(work: Callable[..., Any], context: Any, jobs: list[Job], workers: int):
    pool = ProcessPoolExecutor(
        min(workers, len(jobs)),
        mp_context=multiprocessing.get_context(START_METHOD),
        initializer=_init,
        initargs=(work, context, os.getpid()),
    )
    try:
        yield from zip(jobs, pool.map(_job, jobs))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _init(work: Callable[..., Any], context: Any, parent: int) -> None:
    global _WORK, _CONTEXT
    die_with(parent)
    _WORK, _CONTEXT = work, context
    threadpool_limits(1)  # the processes already use the cores


def _job(job: Job) -> Any:
    return _WORK(_CONTEXT, *job)
