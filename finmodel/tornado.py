"""Tornado: each key input moved alone to its low and its high value, every party's NPV again.

The key inputs and their ranges come from :func:`default_ranges` (the discount rate, each
fund's return, cash rate and payout, each stream's size or price, each loan's rate, the
exchange rates and the pool's fixed carve-outs, each moved by +-50%), and from the assumptions'
``tornado`` table (``{key path: [low, high]}``), which adds keys or sets their ranges. All
2 x K variants run through the engine as one batch.

Every variant is a scenario a single run accepts. A default end the model would refuse (a
discount rate of -80% moved to -120%, a carve-out that no longer fits the pool once an exchange
rate falls) is moved halfway back towards the base value until the model accepts it, at most
:data:`MAX_HALVINGS` times, else it is the base value. An end of the file's own table is the
file's input: one the model refuses is an error, which :func:`check` (and so ``finmodel
validate``) reports as ``tornado`` would.
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
#: How many times a default end the model refuses is moved halfway back to the base value.
MAX_HALVINGS = 30


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
            out_dir, f"{self.name}.tornado", self.table, lambda p: write_tornado_workbook(self, p)
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
    out = {}
    for k, x in _defaults(a).items():
        lo, hi = sorted((x * (1 - DEFAULT_SWING), x * (1 + DEFAULT_SWING)))
        if k.endswith("payout"):
            hi = min(hi, 1.0)
        if lo != hi:
            out[k] = (round(lo, 12), round(hi, 12))
    return out


def _defaults(a: Assumptions) -> dict[str, float]:
    """The key inputs a tornado moves by default, with their values in ``a``."""
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
    return keys


def tornado(
    a: Assumptions, ranges: dict[str, tuple[Any, Any]] | None = None, origins: dict | None = None
) -> TornadoResult:
    """Every party's NPV with each key input at its low and at its high value.

    ``origins`` (from :func:`~finmodel.loader.load_with_origins`) let an error about the
    file's ``tornado`` table name its file and line.

    Examples
    --------
    >>> from finmodel.loader import load
    >>> t = tornado(load("base"), {"vehicles.us_led_fund.return.rate": (0.02, 0.15)})
    >>> row = t.table.query("party == 'us'").iloc[0]
    >>> bool(row.npv_low < row.npv_base < row.npv_high)
    True
    """
    try:
        if ranges is None:
            ranges, variants = _file_ranges(a)
        else:
            ranges = dict(ranges)
            variants = [_variant(a, k, v) for k, (lo, hi) in ranges.items() for v in (lo, hi)]
        if not ranges:
            raise InputError("no key inputs to move", field="tornado")
        points = [(k, v) for k, (lo, hi) in ranges.items() for v in (lo, hi)]
        batch = _points_batch(a, points, variants)
    except _Refused as e:
        raise e.located(origins) from None
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


def check(a: Assumptions, origins: dict | None = None) -> None:
    """Raise what :func:`tornado` would raise for ``a``'s key inputs, without running them:
    an end of the file's ``tornado`` table that the model refuses or that changes the model's
    structure. (``finmodel validate`` calls it: what any command rejects, validate rejects.)
    ``origins`` (from :func:`~finmodel.loader.load_with_origins`) give the file and line.
    The default ranges need no check: an end the model refuses is moved back until accepted,
    and they move rates, amounts and prices only, which leave the structure as it is.

    Examples
    --------
    >>> from finmodel.loader import load
    >>> check(load("base"))
    >>> check(load("base", {"tornado": {"discount_rate": [0.02, 20]}}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: tornado: tornado.discount_rate: its high end 20 is refused: ...
    """
    flat_base = _flatten(compile_batch(a))
    try:
        for key, (lo, hi) in (a.tornado or {}).items():
            for end, value in (("low", lo), ("high", hi)):  # one scenario in memory at a time
                _same_structure(flat_base, key, end, value, _table_end(a, key, end, value))
    except _Refused as e:
        raise e.located(origins) from None


class _Refused(InputError):
    """An end of the file's tornado table that a run refuses (``key``: the table's key)."""

    def __init__(self, key: str, end: str, value: Any, why: InputError) -> None:
        self.key = key
        about = f"{why.field}: {why.message}" if why.field else why.message
        super().__init__(f"its {end} end {value} is refused: {about}", file="tornado", field=key)

    def located(self, origins: dict | None) -> InputError:
        """The error at the table's entry: its file and line where ``origins`` know them."""
        file, line = (origins or {}).get(("tornado", self.key), ("tornado", None))
        return InputError(self.message, file=file, line=line, field=f"tornado.{self.key}")


def _file_ranges(a: Assumptions) -> tuple[dict[str, tuple[Any, Any]], list[Assumptions]]:
    """The ranges the file asks for (its table over the defaults, each default end moved back
    until the model accepts it) and the scenario of each end, low then high per key."""
    table = {k: tuple(v) for k, v in (a.tornado or {}).items()}
    values = dict(_defaults(a))
    ranges: dict[str, tuple[Any, Any]] = {}
    variants = []
    for key, (lo, hi) in (default_ranges(a) | table).items():
        ends = []
        for name, end in (("low", lo), ("high", hi)):
            if key in table:
                variant = _table_end(a, key, name, end)
            else:
                end, variant = _accepted(a, key, end, values[key])
            ends.append(end)
            variants.append(variant)
        ranges[key] = (ends[0], ends[1])
    return ranges, variants


def _table_end(a: Assumptions, key: str, end: str, value: Any) -> Assumptions:
    """The scenario at one end of the file's table: the file's input, refused as it is."""
    try:
        return _variant(a, key, value)
    except InputError as e:
        raise _Refused(key, end, value, e) from None


def _variant(a: Assumptions, key: str, value: Any) -> Assumptions:
    return with_overrides(a, {key: value}, "tornado")


def _accepted(a: Assumptions, key: str, value: float, base: float) -> tuple[float, Assumptions]:
    """A default end the model accepts: ``value``, or moved halfway back to ``base`` until
    accepted (at most :data:`MAX_HALVINGS` times; then ``base`` itself)."""
    for _ in range(MAX_HALVINGS):
        try:
            return value, _variant(a, key, value)
        except InputError:
            value = round(base + (value - base) / 2, 12)
    return base, _variant(a, key, base)


def _points_batch(
    a: Assumptions, points: list[tuple[str, Any]], variants: list[Assumptions]
) -> Batch:
    """One batch with a scenario per (key, value): each scenario moves one key only."""
    base, flats = _structure_kept(a, points, variants)
    flat_base = _flatten(base)
    out = dict(flat_base)
    for path, x in flat_base.items():
        if isinstance(x, np.ndarray) and any(_differs(f[path], x) for f in flats):
            out[path] = np.concatenate([np.asarray(f[path])[:1] for f in flats])
    out[("names",)] = [f"{a.name}[{k}={v}]" for k, v in points]
    return _rebuild(base, out)


def _structure_kept(
    a: Assumptions, points: list[tuple[str, Any]], variants: list[Assumptions]
) -> tuple[Batch, list[dict]]:
    """The base batch and each variant's compiled arrays; an error for a variant that changes
    what one batch must share (the timeline, the vehicles' kinds...)."""
    base = compile_batch(a)
    flat_base = _flatten(base)
    flats = [
        _same_structure(flat_base, key, ("low", "high")[i % 2], value, variant)
        for i, ((key, value), variant) in enumerate(zip(points, variants))
    ]
    return base, flats


def _same_structure(flat_base: dict, key: str, end: str, value: Any, variant: Assumptions) -> dict:
    """The variant's compiled arrays, if it keeps what one batch must share with the base."""
    flat = _flatten(compile_batch(variant))
    for path, x in flat_base.items():
        if not isinstance(x, np.ndarray) and path != ("names",) and _differs(x, flat[path]):
            why = InputError("cannot be moved in one batch: it changes the model's structure")
            raise _Refused(key, end, value, why)
    return flat
