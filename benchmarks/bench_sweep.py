"""Speed and memory of sweeps and the tornado, as ratios against the engine alone, in the same
process.

Run:  python benchmarks/bench_sweep.py                 (about 3 minutes on 2 cores)
      python benchmarks/bench_sweep.py --quick         (small grids, for a smoke run)
      python benchmarks/bench_sweep.py --root DIR      (the finmodel found in DIR instead, e.g. a
                                                        copy of an older commit, to compare)

Each case runs in a fresh child process (so that its peak memory, ru_maxrss, is its own) and
prints:
- the study's time (``sweep`` or ``tornado`` through the Python API, table included);
- the baseline: the engine and the sweep table's metrics alone on a batch of as many scenarios,
  built by putting the grid's varied arrays straight into the compiled base case (no
  validation, no compile), BATCH scenarios at a time, as a sweep runs them;
- their ratio, and the child's peak memory.

The cases are the base case's grids: the README's (us_led_fund return x payout, 14 x 3), a
1,000 x 1,000 grid of the same two keys, a million values of the return alone, and the default
tornado. Nothing here asserts a time: these are figures to read, not tests.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RATE = "vehicles.us_led_fund.return.rate"
PAYOUT = "vehicles.us_led_fund.payout"

_CHILD = r"""
import dataclasses, json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
import finmodel
from finmodel.inputs.compile import compile_batch
from finmodel.engine.evaluate import evaluate
from finmodel.studies.sweep import metric_columns

case, spec = sys.argv[2], json.loads(sys.argv[3])
a = finmodel.load("base")
fund = "us_led_fund"


def engine_alone(rates, payouts):
    # the grid's points as a batch, put straight into the compiled base case
    base = compile_batch(a)
    tl = base.timeline
    t = time.perf_counter()
    step = 16_384
    for i in range(0, len(rates), step):
        r = np.asarray(rates[i : i + step], dtype=float)[:, None]
        p = np.asarray(payouts[i : i + step], dtype=float)[:, None]
        vs = [dataclasses.replace(v, return_rate=tl.by_period(tl.per_period(r)), payout=p)
              if v.id == fund else v for v in base.vehicles]
        b = dataclasses.replace(base, names=["x"] * len(r), vehicles=vs)
        metric_columns(evaluate(b))
    return time.perf_counter() - t


evaluate(compile_batch(a))  # load the compiled loops before timing anything
if case == "sweep":
    values = {k: list(np.round(np.arange(*v), 12)) for k, v in spec.items()}
    t = time.perf_counter()
    s = finmodel.sweep(a, values)
    study = time.perf_counter() - t
    keys = list(values)
    base = a.vehicles[fund]
    col = lambda k, d: s.table[k].to_numpy(float) if k in s.table else np.full(len(s.table), d)
    baseline = engine_alone(col(keys[0] if "return" in keys[0] else "-", base.return_.rate),
                            col(keys[-1] if "payout" in keys[-1] else "-", base.payout))
    points = len(s.table)
else:
    from finmodel.studies.tornado import tornado
    t = time.perf_counter()
    tab = tornado(a).table
    study = time.perf_counter() - t
    points = 2 * tab["key"].nunique()
    baseline = engine_alone(np.full(points, a.vehicles[fund].return_.rate),
                            np.full(points, a.vehicles[fund].payout))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"points": points, "study_s": study, "engine_alone_s": baseline,
                  "ratio": study / baseline, "peak_rss_bytes": peak}))
"""


def case(root: Path, kind: str, spec: dict) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(root), kind, json.dumps(spec)],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def cases(quick: bool) -> dict[str, tuple[str, dict]]:
    """name -> (kind, spec); a sweep's spec is {key: [start, stop_exclusive, step]}."""
    readme = {RATE: [0.02, 0.155, 0.01], PAYOUT: [0.0, 1.1, 0.5]}
    if quick:
        return {
            "readme grid, 14 x 3": ("sweep", readme),
            "return x payout, 100 x 100": ("sweep", {RATE: [0, 0.1, 0.001], PAYOUT: [0, 1, 0.01]}),
            "return alone, 10,000 values": ("sweep", {RATE: [0, 0.1, 0.00001]}),
            "default tornado": ("tornado", {}),
        }
    return {
        "readme grid, 14 x 3": ("sweep", readme),
        "return x payout, 1,000 x 1,000": (
            "sweep",
            {RATE: [0, 0.9995, 0.001], PAYOUT: [0, 0.9995, 0.001]},
        ),
        "return alone, 1,000,000 values": ("sweep", {RATE: [0, 0.9999995, 0.000001]}),
        "default tornado": ("tornado", {}),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small grids, for a smoke run")
    p.add_argument("--root", type=Path, default=ROOT, help="where to import finmodel from")
    p.add_argument("--only", default=None, help="run only the cases whose name contains this")
    args = p.parse_args()
    res = {}
    for name, (kind, spec) in cases(args.quick).items():
        if args.only and args.only not in name:
            continue
        r = res[name] = case(args.root.resolve(), kind, spec)
        if "error" in r:
            print(f"{name}: failed: {r['error']}", flush=True)
            continue
        print(
            f"{name}: {r['points']:,} points, {r['study_s']:.2f} s, "
            f"{r['ratio']:.1f}x the engine alone ({r['engine_alone_s']:.2f} s), "
            f"peak {r['peak_rss_bytes'] / 2**30:.2f} GiB",
            flush=True,
        )
    print(json.dumps(res, indent=2), file=sys.stderr)


if __name__ == "__main__":
    main()
