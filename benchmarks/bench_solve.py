"""Speed of ``finmodel.solve`` for one key on the base case, as a ratio against a single run in
the same process.

Run:  python benchmarks/bench_solve.py [--repeat N]

For each case it prints the best of N (default 20) times of:
- ``solve``: ``finmodel.solve(a, key, bounds, target)``, the roots only (the grid of
  GRID_POINTS values through the engine as one batch, then brentq on single evaluations);
- ``engine``: of that, the time inside ``evaluate`` (the engine itself), counted by wrapping it;
- ``single run``: ``finmodel.run(a)``, the base case once, in the same process;
and the ratios solve / single run and engine / single run. The target is solve under 50 ms.
Nothing here asserts a time: these are figures to read, not tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import finmodel
from finmodel.studies import solve as solve_module

CASES = [
    ("vehicles.us_led_fund.return.rate", (0.0, 0.2), "vehicles.us_led_fund.irr=0.05"),
    ("vehicles.us_led_fund.return.rate", (0.0, 0.2), "parties.us.npv=30e9"),
    ("discount_rate", (0.0, 0.1), "parties.us.npv=50e9"),
    ("vehicles.us_led_fund.payout", (0.1, 1.0), "parties.ukraine.npv=325e9"),
    ("fx.EUR.rate", (0.9, 1.4), "parties.ukraine.npv=340e9"),
]


class _Clock:
    """Adds up the time spent in the function it wraps."""

    def __init__(self, f):
        self.f, self.total = f, 0.0

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self.f(*args, **kwargs)
        finally:
            self.total += time.perf_counter() - start


def best(f, repeat: int) -> float:
    f()  # warm: compiled loops loaded
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=20)
    args = p.parse_args()
    a = finmodel.load("base")
    single = best(lambda: finmodel.run(a).party_metrics, args.repeat)
    print(f"single run (run + party metrics): {single * 1e3:.1f} ms")
    clock = _Clock(solve_module.evaluate)
    solve_module.evaluate = clock  # the engine, as solve calls it
    for key, bounds, target in CASES:
        solve_module.solve(a, key, bounds, target)
        clock.total = 0.0
        whole = best(lambda k=key, b=bounds, t=target: solve_module.solve(a, k, b, t), args.repeat)
        engine = clock.total / (args.repeat + 1)  # mean over the timed and the warm calls
        roots = solve_module.solve(a, key, bounds, target).roots
        print(f"{key} in {bounds}, {target}: roots {[round(r, 10) for r in roots]}")
        print(f"  solve {whole * 1e3:.1f} ms ({whole / single:.1f} x a single run); "
              f"engine {engine * 1e3:.1f} ms ({engine / single:.1f} x)")  # fmt: skip


if __name__ == "__main__":
    main()
