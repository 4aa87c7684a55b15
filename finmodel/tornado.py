"""Tornado: each key input moved alone to its low and its high value, every party's NPV again.

The key inputs and their ranges come from :func:`default_ranges` (the discount rate, each
fund's return, cash rate and payout, each stream's size or price, each loan's rate, the
exchange rates and the pool's fixed carve-outs, each moved by +-50%), and from the assumptions'
``tornado`` table (``{key path: [low, high]}``), which adds keys or sets their ranges. The
2 x K variants are a design of :mod:`finmodel.variation` (each equal to the single run with its
one key moved) and run through the engine as one batch (one per structure).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from finmodel.assumptions import Assumptions
from finmodel.engine import evaluate
from finmodel.exceptions import InputError
from finmodel.files import write_table_and_workbook
from finmodel.kinds import VehicleKind
from finmodel.metrics import party_metrics
from finmodel.variation import Design

DEFAULT_SWING = 0.5


@dataclass(frozen=True)
class TornadoResult:
    """table: one row per (party, key): low, high, npv_low, npv_base, npv_high, swing
    (the widest spread of the NPV at low, base and high, leaving out an invalid end) and
    invalid (empty, or which end a single run rejects, and its message), sorted by party,
    largest swing first."""

    assumptions: Assumptions
    table: pd.DataFrame
    #: low and high values a single run rejects (not computed)
    n_invalid: int = 0

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

    Each bar's end equals the single run with that one key moved. An end the single run
    rejects is not computed: its NPV is NaN and ``invalid`` gives the single run's message. If
    every end is rejected, this raises that ``InputError`` (the first one's).

    Examples
    --------
    >>> from finmodel.loader import load
    >>> t = tornado(load("base"), {"vehicles.us_led_fund.return.rate": (0.02, 0.15)})
    >>> row = t.table.query("party == 'us'").iloc[0]
    >>> bool(row.npv_low < row.npv_base < row.npv_high), row.invalid
    (True, '')
    """
    if ranges is None:
        ranges = default_ranges(a) | {k: tuple(v) for k, v in (a.tornado or {}).items()}
    ranges = dict(ranges)
    if not ranges:
        raise InputError("no key inputs to move", field="tornado")
    design = Design.one_at_a_time(a, {k: list(v) for k, v in ranges.items()})
    chunk = design.chunk(0, design.n)
    parties = design.base.parties
    npv = np.full((design.n, len(parties)), np.nan)
    for part in chunk.parts:
        npv[part.at] = party_metrics(evaluate(part.batch)).npv
    if (chunk.invalid != "").all():
        raise InputError(f"every low and high value is invalid; the first: {chunk.invalid[0]}")
    base = party_metrics(evaluate(design.base)).npv[0]
    rows = []
    for i, (k, (lo, hi)) in enumerate(ranges.items()):
        sides = (("low", lo, chunk.invalid[2 * i]), ("high", hi, chunk.invalid[2 * i + 1]))
        bad = [f"{end} {v}: {message}" for end, v, message in sides if message]
        for j, p in enumerate(parties):
            low, high = npv[2 * i, j], npv[2 * i + 1, j]
            ends = [x for x in (low, base[j], high) if not np.isnan(x)]  # both may move one way
            rows.append(
                {"party": p, "key": k, "low": lo, "high": hi, "npv_low": low,
                 "npv_base": base[j], "npv_high": high, "swing": max(ends) - min(ends),
                 "invalid": "; ".join(bad)}
            )  # fmt: skip
    table = pd.DataFrame(rows)
    order = {p: i for i, p in enumerate(parties)}
    table = table.sort_values(
        ["party", "swing"], key=lambda c: c.map(order) if c.name == "party" else -c
    ).reset_index(drop=True)
    return TornadoResult(a, table, n_invalid=int((chunk.invalid != "").sum()))
