"""Speed of ``finmodel.sensitivity``: 12 inputs at N = 2^14 base samples (N (D + 2) = 229,376
model runs), as a ratio against SALib's own evaluation of a pure-numpy stand-in of the same
size, in the same process.

Run:  python benchmarks/bench_sensitivity.py [--n-log2 14]

The case: the ``european_fund_as_investment`` reading (three funds) with a 1% fee on the US-led
and the European fund, and twelve inputs: the discount rate, each fund's return rate, cash rate
and payout, and the two fees (uniform over the tornado's ranges; 0-2% for the fees; the returns
normal, from their uncertainty blocks). The stand-in is SALib's Sobol G function
(``SALib.test_functions.Sobol_G``) on twelve inputs, evaluated on the same Saltelli sample,
with the same analysis (first and total order, bootstrap CIs) of twelve outputs: so the ratio
is what finmodel's model costs over a function that costs next to nothing. Target: finmodel's
study under 10 s. Nothing here asserts a time: these are figures to read, not tests.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample
from SALib.test_functions import Sobol_G

import finmodel
from finmodel.studies import sensitivity as sens

FUNDS = ("us_led_fund", "us_russia_instrument", "european_fund")
FEES = {"vehicles.us_led_fund.fee.rate": (0.0, 0.02),
        "vehicles.european_fund.fee.rate": (0.0, 0.02)}  # fmt: skip


def case():
    a = finmodel.load("european_fund_as_investment")
    a = finmodel.with_overrides(a, {"vehicles.us_led_fund.fee": {"rate": 0.01, "to": "us"},
                                    "vehicles.european_fund.fee": {"rate": 0.01, "to": "europe"}})
    keys: dict = {"discount_rate": None}
    for v in FUNDS:
        for s in ("return.rate", "cash_rate", "payout"):
            keys[f"vehicles.{v}.{s}"] = None
    return a, keys | FEES


def stand_in(n: int, d: int, outputs: int, seed: int) -> float:
    """SALib alone: sample, evaluate the G function, analyse ``outputs`` outputs."""
    start = time.perf_counter()
    problem = {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0, 1]] * d}
    x = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    y = Sobol_G.evaluate(x, a=np.arange(d, dtype=float), delta=np.zeros(d), alpha=np.ones(d))
    for _ in range(outputs):
        sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=sens.RESAMPLES,
                              seed=seed)  # fmt: skip
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n-log2", type=int, default=14)
    args = p.parse_args()
    n = 2**args.n_log2
    a, keys = case()
    sens.sensitivity(a, 16, keys=keys)  # warm: compiled loops loaded
    clock = {"engine": 0.0, "analysis": 0.0}
    evaluate, analyse = sens.evaluate_points, sens._analyse

    def timed(name, f):
        def g(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return f(*args, **kwargs)
            finally:
                clock[name] += time.perf_counter() - t0
        return g

    sens.evaluate_points, sens._analyse = timed("engine", evaluate), timed("analysis", analyse)
    t0 = time.perf_counter()
    r = sens.sensitivity(a, n, seed=1, keys=keys)
    whole = time.perf_counter() - t0
    outputs = r.table.loc[r.table.note == "", "output"].nunique()
    base = stand_in(n, len(keys), outputs, seed=1)
    print(f"{len(keys)} inputs, N = {n:,}: {r.runs:,} runs, {outputs} outputs analysed")
    print(f"finmodel.sensitivity: {whole:.2f} s (model runs {clock['engine']:.2f} s, "
          f"analysis {clock['analysis']:.2f} s)")
    print(f"SALib on the Sobol G stand-in, same size: {base:.2f} s")
    print(f"ratio: {whole / base:.2f} x; model runs per second: {r.runs / clock['engine']:,.0f}")
    top = r.table.query("output == 'parties.us.npv'").sort_values("ST", ascending=False).head(3)
    print("US NPV's top drivers (ST):", ", ".join(f"{k} {v:.3f}" for k, v in
                                                zip(top.input, top.ST)))  # fmt: skip
    assert np.isfinite(top.ST).all()


if __name__ == "__main__":
    main()
