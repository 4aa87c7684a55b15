"""Worker processes that share a study's chunks: started, tied to their parent, and ended.

:func:`run_jobs` runs each job here, or in worker processes that write their results straight
into arrays they share with the parent (inherited mappings where processes are forked, files
opened by name where they are spawned). Each worker ends with its parent, however the parent
ends (``PR_SET_PDEATHSIG`` on Linux, a watch on the parent's id elsewhere); Ctrl-C is the
parent's to handle; and a worker keeps the memory it frees for its next chunk.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

#: How worker processes start: forked where the system can (they then inherit the parent's
#: mappings), else spawned.
START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
#: A job: (chunk number, first row, rows).
Job = tuple[int, int, int]
#: What runs a job: (context, the shared arrays, *job) -> what the parent receives.
Work = Callable[..., Any]

_WORK: Work | None = None
_CONTEXT: Any = None
_ARRAYS: dict = {}


def run_jobs(
    work: Work, context: Any, jobs: list[Job], workers: int, arrays: dict, paths: dict
) -> Iterator[tuple[Job, Any]]:
    """``work(context, arrays, *job)`` for each job, here or in ``workers`` processes; yields
    each job with what its work returned, in order.

    ``arrays`` are the shared arrays; ``paths`` name their files where spawned workers must open
    them (empty where forked workers inherit the mappings, or where there are no files).
    """
    if workers <= 1:
        for job in jobs:
            yield job, work(context, arrays, *job)
        return
    # forked workers inherit the mapped arrays; spawned ones open the files by name
    inherited = None if paths else arrays
    pool = ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context(START_METHOD),
        initializer=_init,
        initargs=(work, context, inherited, paths, os.getpid()),
    )
    try:
        yield from zip(jobs, pool.map(_job_in_worker, jobs))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _init(work: Work, context: Any, arrays: dict | None, paths: dict, parent: int) -> None:
    global _WORK, _CONTEXT, _ARRAYS
    die_with(parent)
    keep_freed_memory()
    _WORK, _CONTEXT = work, context
    if arrays is None:
        arrays = {key: np.load(path, mmap_mode="r+") for key, path in paths.items()}
    _ARRAYS = arrays
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    # the workers already use the cores: a BLAS thread pool in each would fight them (measured
    # here, when a million scenarios took 14 s: 20 s with them)
    threadpool_limits(1)


def _job_in_worker(job: Job) -> Any:
    assert _WORK is not None
    return _WORK(_CONTEXT, _ARRAYS, *job)


def die_with(parent: int) -> None:
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


def keep_freed_memory() -> None:
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
