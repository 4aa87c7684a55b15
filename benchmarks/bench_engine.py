"""Speed and memory of finmodel's engine, as ratios against baselines run in the same process.

Run:  python benchmarks/bench_engine.py            (about 2 minutes on 2 cores)
      python benchmarks/bench_engine.py --quick    (smaller N, for a smoke run)

Prints, for this machine:
- batched IRR of 100,000 rows of 121 quarterly flows, against looping pyxirr.irr and
  numpy_financial.irr over a sample of the same rows (extrapolated to all rows);
- simulate() of the base case (seven vehicles, two of them with sampled returns; quarterly,
  30 years) at N = 100,000 and 1,000,000: seconds, peak memory (ru_maxrss of a fresh child
  process), and the ratio against drawing the same random numbers alone (the floor); and where
  one chunk's time goes (drawing, engine, metrics);
- one deterministic run's engine part, and writing the base case's report (annual, and a
  30-year monthly timeline).
Nothing here asserts a time: these are figures to read, not tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
#: the children import this checkout's finmodel, whatever is installed or the current folder
_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p
)}


def _best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bench_irr(rows: int, sample: int) -> dict:
    import numpy_financial as npf

    from finmodel.engine.irr import irr

    rng = np.random.default_rng(0)
    flows = np.empty((rows, 121))
    flows[:, 0] = -100.0
    flows[:, 1:] = rng.uniform(0.0, 3.0, (rows, 120))
    flows[:, -1] += 100.0
    batch = _best(lambda: irr(flows), repeat=3)
    out = {"rows": rows, "periods": 121, "batched_s": batch}
    pick = flows[:sample]
    npf_s = _best(lambda: [npf.irr(r) for r in pick[: max(1, sample // 20)]], 1) * rows / max(
        1, sample // 20
    )
    out["numpy_financial_loop_s_extrapolated"] = npf_s
    try:
        import pyxirr

        px = _best(lambda: [pyxirr.irr(r) for r in pick], 3) * rows / sample
        out["pyxirr_loop_s_extrapolated"] = px
        out["speedup_vs_pyxirr"] = px / batch
    except ImportError:
        out["pyxirr_loop_s_extrapolated"] = None
    out["speedup_vs_numpy_financial"] = npf_s / batch
    r = irr(pick[:200]).rate
    ref = np.array([npf.irr(x) for x in pick[:200]])
    out["max_abs_diff_vs_numpy_financial"] = float(np.max(np.abs(r - ref)))
    return out


_CHILD = r"""
import json, resource, sys, time
import numpy as np
from finmodel.inputs.loader import load
from finmodel.studies.sampling import CHUNK, correlation_factor, draw, sampled_vehicles
from finmodel.studies.simulation import simulate
n = int(sys.argv[1])
a = load("base", {"timeline.frequency": "quarterly"})
vehicles = sampled_vehicles(a)
factor = correlation_factor(a, vehicles)
t = time.perf_counter()
for c, start in enumerate(range(0, n, CHUNK)):
    draw(vehicles, factor, min(CHUNK, n - start), 1, c, "mc")
floor = time.perf_counter() - t
t = time.perf_counter()
simulate(a, n, seed=1)
run = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"n": n, "simulate_s": run, "draw_only_s": floor,
                  "ratio_to_floor": run / floor, "peak_rss_bytes": peak,
                  "worker_peak_rss_bytes": workers}))
"""


def bench_simulate(n: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(n)], capture_output=True, text=True, check=True,
        env=_ENV,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_chunk() -> dict:
    """Where one chunk's time goes: drawing its returns, the engine, the metrics (ms, best of
    5, after a warm-up), in a fresh process set up as a simulation's workers are."""
    out = subprocess.run(
        [sys.executable, __file__, "--chunk-child"], capture_output=True, text=True, check=True,
        env=_ENV,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _chunk_child() -> dict:
    from finmodel.engine.evaluate import evaluate
    from finmodel.inputs.compile import compile_batch
    from finmodel.inputs.loader import load
    from finmodel.studies.sampling import CHUNK, correlation_factor, draw, sampled_vehicles
    from finmodel.studies.simulation import SCENARIOS_PER_BATCH as BATCH
    from finmodel.studies.simulation import measure_chunk, with_returns
    from finmodel.studies.workers import keep_freed_memory

    keep_freed_memory()

    a = load("base", {"timeline.frequency": "quarterly"})
    base, vehicles = compile_batch(a), sampled_vehicles(a)
    factor = correlation_factor(a, vehicles)
    returns = draw(vehicles, factor, CHUNK, 1, 0, "mc")
    parts = [
        with_returns(base, {v: r[i : i + BATCH] for v, r in returns.items()}, BATCH)
        for i in range(0, CHUNK, BATCH)
    ]
    outcomes = [evaluate(b) for b in parts]
    [measure_chunk(o) for o in outcomes]
    return {
        "scenarios": CHUNK,
        "draw_ms": 1e3 * _best(lambda: draw(vehicles, factor, CHUNK, 1, 0, "mc"), 5),
        "engine_ms": 1e3 * _best(lambda: [evaluate(b) for b in parts], 5),
        "metrics_ms": 1e3 * _best(lambda: [measure_chunk(o) for o in outcomes], 5),
    }


def bench_run_and_report() -> dict:
    import finmodel
    from finmodel.engine.evaluate import evaluate
    from finmodel.engine.metrics import checks, party_metrics
    from finmodel.inputs.compile import compile_batch

    out = {}
    for label, overrides in (("annual", {}), ("monthly", {"timeline.frequency": "monthly"})):
        a = finmodel.load("base", overrides)
        engine = _best(
            lambda a=a: checks(o := evaluate(compile_batch(a))) and party_metrics(o), 5
        )
        r = finmodel.run(a)
        with tempfile.TemporaryDirectory() as d:
            def write(r=r, d=d):
                return finmodel.reports.write(finmodel.run(r.assumptions), d)

            report = _best(write, 3)
        out[label] = {"engine_s": engine, "run_and_write_report_s": report}
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller N for a smoke run")
    p.add_argument("--chunk-child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.chunk_child:
        print(json.dumps(_chunk_child()))
        return
    irr_rows = 20_000 if args.quick else 100_000
    sizes = [20_000] if args.quick else [100_000, 1_000_000]
    res = {"irr": bench_irr(irr_rows, sample=2_000)}
    res["simulate"] = [bench_simulate(n) for n in sizes]
    res["chunk"] = bench_chunk()
    res["run"] = bench_run_and_report()
    res["this_process_peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    i = res["irr"]
    print(f"IRR, {i['rows']:,} rows x {i['periods']} flows: {i['batched_s']:.3f} s batched")
    if i["pyxirr_loop_s_extrapolated"]:
        print(f"  pyxirr loop (extrapolated): {i['pyxirr_loop_s_extrapolated']:.2f} s "
              f"-> batched is {i['speedup_vs_pyxirr']:.1f}x faster")  # fmt: skip
    print(f"  numpy-financial loop (extrapolated): {i['numpy_financial_loop_s_extrapolated']:.1f} s"
          f" -> batched is {i['speedup_vs_numpy_financial']:.0f}x faster; "
          f"max |diff| {i['max_abs_diff_vs_numpy_financial']:.1e}")  # fmt: skip
    for s in res["simulate"]:
        print(f"simulate N={s['n']:,} (base case, quarterly, 30 years): {s['simulate_s']:.2f} s, "
              f"peak {s['peak_rss_bytes'] / 2**30:.2f} GiB (each worker process at most "
              f"{s['worker_peak_rss_bytes'] / 2**30:.2f} GiB), {s['ratio_to_floor']:.1f}x the time "
              f"to draw its random numbers ({s['draw_only_s']:.2f} s)")  # fmt: skip
    c = res["chunk"]
    print(f"  one chunk of {c['scenarios']:,} scenarios, in one worker: drawing "
          f"{c['draw_ms']:.0f} ms, engine {c['engine_ms']:.0f} ms, "
          f"metrics {c['metrics_ms']:.0f} ms")  # fmt: skip
    for label, r in res["run"].items():
        print(f"one run, base case {label}: engine {r['engine_s'] * 1e3:.1f} ms; "
              f"run + write the four report files {r['run_and_write_report_s']:.2f} s")
    print(json.dumps(res, indent=2), file=sys.stderr)


if __name__ == "__main__":
    main()
