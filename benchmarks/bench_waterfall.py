"""What sharing capital and interest by money paid in costs, as ratios in the same process.

Run:  python benchmarks/bench_waterfall.py            (about 20 s)
      python benchmarks/bench_waterfall.py --quick    (a smoke run)

A batch of N scenarios (quarterly, 30 years, a sampled return per scenario and period) of:

- a fund whose capital goes back to two contributors who pay in at different times (each
  repayment split by what each is still owed: ``waterfall.capital_by_party``), against the same
  fund with ``capital_to`` named (one allocation, no split): the waterfall, then the terminal
  claims;
- a loan lent by two lenders a year apart and serviced from that fund (each lender's own books:
  ``waterfall.lender_payments``), against the same loan lent by one.

Each line prints the seconds of both and their ratio. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's finmodel

from finmodel.engine.claims import claims
from finmodel.engine.evaluate import evaluate
from finmodel.engine.schedule import schedule
from finmodel.engine.waterfall import allocations
from finmodel.inputs.compile import compile_batch
from finmodel.inputs.loader import load, with_overrides

FUND = {
    "name": "Fund", "kind": "fund", "deployment": {"years": 2}, "cash_rate": 0.02,
    "capital": {"contributions": [{"party": "us", "amount_bn": 60},
                                  {"party": "europe", "amount_bn": 40, "start_year": 3,
                                   "years": 2}]},
    "return": {"rate": 0.07}, "payout": 0.6, "term_years": 40,
    "waterfall": {"profit_split": {"ukraine": 1.0}},
}  # fmt: skip
LOAN = {
    "name": "Loan", "kind": "loan",
    "capital": {"contributions": [{"party": "us", "amount_bn": 20, "before_start": True},
                                  {"party": "europe", "amount_bn": 10, "start_year": 1}]},
    "loan": {"borrower": "ukraine", "rate": 0.04, "serviced_from": "fund"},
}  # fmt: skip


def _best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def _case(one_payer: bool):
    """The fund and the loan of the module notes in the base case's parties, quarterly."""
    fund, loan = dict(FUND), dict(LOAN)
    if one_payer:
        fund["waterfall"] = FUND["waterfall"] | {"capital_to": "us"}
        loan["capital"] = {"contributions": LOAN["capital"]["contributions"][:1]}
    a = with_overrides(load("base"), {"timeline.frequency": "quarterly"})
    a = with_overrides(a, {"vehicles": {"fund": fund, "loan": loan}, "pool.allocation": [
        {"vehicle": "stays_frozen", "amount": "remainder", "from": ["europe", "other"]}],
        "correlation": None, "tornado": None})  # fmt: skip
    return compile_batch(a)


def _sampled(batch, n: int, seed: int = 0):
    """The fund's return drawn per scenario and period (N rows), as a simulation does."""
    rng = np.random.default_rng(seed)
    v = next(x for x in batch.vehicles if x.id == "fund")
    cols = batch.timeline.columns
    rate = np.clip(v.return_rate + rng.normal(0, 0.03, (n, cols)), -0.5, 1.0)
    return dataclasses.replace(v, return_rate=rate)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    n = 1_024 if parser.parse_args().quick else 16_384
    print(f"N = {n:,} scenarios, quarterly, 30 years (121 periods)")
    results = {}
    for one in (False, True):
        b = _case(one)
        v = _sampled(b, n)
        s = schedule(v, n)
        results[one] = {
            "waterfall": _best(lambda v=v, s=s: allocations(v, s)),
            "claims": _best(lambda v=v, s=s: claims(v, s)),
        }
        batch = dataclasses.replace(
            b, vehicles=[v if x.id == "fund" else x for x in b.vehicles], names=["x"] * n
        )
        results[one]["engine, fund and loan"] = _best(lambda batch=batch: evaluate(batch), 3)
    for key in results[False]:
        split, plain = results[False][key], results[True][key]
        print(
            f"{key:<24} by money paid in {split * 1e3:8.1f} ms   one payer {plain * 1e3:8.1f} ms"
            f"   ratio {split / plain:5.2f}"
        )


if __name__ == "__main__":
    main()
