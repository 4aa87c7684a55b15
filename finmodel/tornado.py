"""Tornado: each key input moved alone to its low and its high value, every party's NPV again.

The key inputs and their ranges come from :func:`default_ranges` (the discount rate, each
fund's return, cash rate and payout, each stream's size or price, each loan's rate, the
exchange rates and the pool's fixed carve-outs, each moved by +-50%), and from the assumptions'
``tornado`` table (``{key path: [low, high]}``), which adds keys or sets their ranges. All
2 x K variants run through the engine as one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finmodel.assumptions import Assumptions
from finmodel.batch import Batch, compile_batch
from finmodel.engine import evaluate
from finmodel.exceptions import InputError
from finmodel.files import write_table_and_workbook
from finmodel.kinds import VehicleKind
from finmodel.loader import with_overrides
from finmodel.metrics import party_metrics
from finmodel.variation import _differs, _flatten, _rebuild

DEFAULT_SWING = 0.5


@dataclass(frozen=True)
class TornadoResult:
    """table: one row per (party, key): low, high, npv_low, npv_base, npv_high, swing
    (the widest spread of the NPV at low, base and high), sorted by party, largest swing first."""

    assumptions: Assumptions
    table: pd.DataFrame

    @property
    def name(self) -> str:
        return self.assumptions.name

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write NAME.tornado.csv and NAME.tornado.xlsx atomically."""
        from finmodel.tornado_report import write_tornado_workbook

        return write_table_and_workbook(
            out_dir, "tornado", self.name, self.table, lambda p: write_tornado_workbook(self, p)
        )


def default_ranges(a: Assumptions) -> dict[str, tuple[float, float]]:
    """The key inputs of ``a`` and their low and high values: each moved by +-50%.

    Examples
    --------
    >>> from finmodel.loader import load
    >>> r = default_ranges(load("base"))
    >>> r["vehicles.us_led_fund.return.rate"]
    (0.04, 0.12)
    """
    keys: dict[str, float] = {"discount_rate": a.discount_rate}
    for vid, v in a.vehicles.items():
        if v.kind is not VehicleKind.fund:
            continue
        if v.return_.rate is not None:
            keys[f"vehicles.{vid}.return.rate"] = v.return_.rate
        keys[f"vehicles.{vid}.cash_rate"] = v.cash_rate
        keys[f"vehicles.{vid}.payout"] = v.payout
    for vid, v in a.vehicles.items():
        if v.stream is not None and v.stream.amount_bn is not None:
            keys[f"vehicles.{vid}.stream.amount_bn"] = v.stream.amount_bn
        if v.stream is not None and v.stream.energy is not None:
            keys[f"vehicles.{vid}.stream.energy.price_per_mwh"] = v.stream.energy.price_per_mwh
        if v.loan is not None:
            keys[f"vehicles.{vid}.loan.rate"] = v.loan.rate
    for cur, fx in a.fx.items():
        if fx.rate is not None:
            keys[f"fx.{cur}.rate"] = fx.rate
    for i, c in enumerate(a.pool.allocation):
        if c.amount_bn is not None:
            keys[f"pool.allocation.{i}.amount_bn"] = c.amount_bn
    out = {}
    for k, x in keys.items():
        lo, hi = sorted((x * (1 - DEFAULT_SWING), x * (1 + DEFAULT_SWING)))
        if k.endswith("payout"):
            hi = min(hi, 1.0)
        if lo != hi:
            out[k] = (round(lo, 12), round(hi, 12))
    return out


def tornado(a: Assumptions, ranges: dict[str, tuple[Any, Any]] | None = None) -> TornadoResult:
    """Every party's NPV with each key input at its low and at its high value.

    Examples
    --------
    >>> from finmodel.loader import load
    >>> t = tornado(load("base"), {"vehicles.us_led_fund.return.rate": (0.02, 0.15)})
    >>> row = t.table.query("party == 'us'").iloc[0]
    >>> bool(row.npv_low < row.npv_base < row.npv_high)
    True
    """
    if ranges is None:
        ranges = default_ranges(a) | {k: tuple(v) for k, v in (a.tornado or {}).items()}
    ranges = dict(ranges)
    if not ranges:
        raise InputError("no key inputs to move", field="tornado")
    points = [(k, v) for k, (lo, hi) in ranges.items() for v in (lo, hi)]
    batch = _points_batch(a, points)
    pm = party_metrics(evaluate(batch))
    base = party_metrics(evaluate(compile_batch(a))).npv[0]
    rows = []
    for i, (k, (lo, hi)) in enumerate(ranges.items()):
        for j, p in enumerate(batch.parties):
            low, high = pm.npv[2 * i, j], pm.npv[2 * i + 1, j]
            ends = (low, base[j], high)  # both ends may move the NPV the same way
            rows.append(
                {"party": p, "key": k, "low": lo, "high": hi, "npv_low": low,
                 "npv_base": base[j], "npv_high": high, "swing": max(ends) - min(ends)}
            )  # fmt: skip
    table = pd.DataFrame(rows)
    order = {p: i for i, p in enumerate(batch.parties)}
    table = table.sort_values(
        ["party", "swing"], key=lambda c: c.map(order) if c.name == "party" else -c
    ).reset_index(drop=True)
    return TornadoResult(a, table)


def _points_batch(a: Assumptions, points: list[tuple[str, Any]]) -> Batch:
    """One batch with a scenario per (key, value): each scenario moves one key only."""
    base = compile_batch(a)
    flat_base = _flatten(base)
    variants = []
    for key, value in points:
        flat = _flatten(compile_batch(with_overrides(a, {key: value}, "tornado")))
        for path, x in flat_base.items():
            if not isinstance(x, np.ndarray) and path != ("names",) and _differs(x, flat[path]):
                raise InputError(
                    "cannot be moved in one batch: it changes the model's structure",
                    file="tornado",
                    field=key,
                )
        variants.append(flat)
    out = dict(flat_base)
    for path, x in flat_base.items():
        if isinstance(x, np.ndarray) and any(_differs(f[path], x) for f in variants):
            out[path] = np.concatenate([np.asarray(f[path])[:1] for f in variants])
    out[("names",)] = [f"{a.name}[{k}={v}]" for k, v in points]
    return _rebuild(base, out)
