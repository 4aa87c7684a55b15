"""Scaling of ``simulate --scheduler``: the same simulation on a local Dask cluster of one and
of two worker processes, against the plain local run, in the same process.

Run:  python benchmarks/bench_cluster.py [-n 262144]

Each cluster is a ``distributed.LocalCluster`` of worker processes with one thread each (as
``dask worker --nthreads 1`` would start on two machines). It prints each time, the speed-up
of two workers over one, and the scenarios per second per worker, the expected throughput of a
core. The numbers are checked equal to the local run's. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd
from distributed import LocalCluster

import finmodel
from finmodel.studies.simulation import simulate


def timed(f):
    start = time.perf_counter()
    out = f()
    return out, time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("-n", type=int, default=2**18)
    args = p.parse_args()
    a = finmodel.load("base")
    simulate(a, 1000, seed=1, workers=1)  # warm
    local, t_local = timed(lambda: simulate(a, args.n, seed=1, workers=1))
    print(f"N = {args.n:,}: local, one process: {t_local:.1f} s")
    times = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster:  # fmt: skip
            simulate(a, 1000, seed=1, scheduler=cluster.scheduler_address)  # warm the workers
            r, times[workers] = timed(
                lambda c=cluster: simulate(a, args.n, seed=1, scheduler=c.scheduler_address)
            )
        pd.testing.assert_frame_equal(local.stats, r.stats, check_exact=True)
        print(f"  dask, {workers} worker(s): {times[workers]:.1f} s, "
              f"{args.n / times[workers] / workers:,.0f} scenarios/s per worker")
    print(f"  speed-up of 2 workers over 1: {times[1] / times[2]:.2f} x (same numbers)")


if __name__ == "__main__":
    main()
