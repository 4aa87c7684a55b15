"""Tornado: each key input moved alone to its low and its high value, every party's NPV again.

The key inputs and their ranges come from :func:`default_ranges` (the discount rate, each
fund's return, cash rate and payout, each stream's size or price, each loan's rate, the
exchange rates and the pool's fixed carve-outs, each moved by its kind of input:
:mod:`finmodel.studies.ranges`), and from the assumptions' ``tornado`` table
(``{key path: [low, high]}``), which adds keys or sets their ranges. Each row says why its range
is what it is (``reason``). The
2 x K variants are a design of :mod:`finmodel.studies.variation` (each equal to the single run
with its one key moved) and run through the engine as one batch (one per structure).

A default end the model would refuse (a discount rate of -99% moved to -101%, a carve-out that
no longer fits the pool once an exchange rate falls) is moved halfway back towards the base
value until the model accepts it, at most :data:`MAX_HALVINGS` times, else it is the base
value. An end of the file's own table is the file's input: one the model refuses is an error
at the table's line, which :func:`check` (and so ``finmodel validate``) reports as ``tornado``
would. Ranges given to :func:`tornado` directly are used as they are: an end a single run
rejects is marked ``invalid``, not computed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from finmodel.exceptions import InputError
from finmodel.inputs.loader import with_overrides
from finmodel.inputs.models.scenario import Assumptions
from finmodel.kinds import VehicleKind
from finmodel.studies.ranges import Range, default_range

if TYPE_CHECKING:
    import pandas as pd

#: How many times a default end the model refuses is moved halfway back to the base value.
MAX_HALVINGS = 30


@dataclass(frozen=True)
class TornadoResult:
    """table: one row per (party, key): low, high, npv_low, npv_base, npv_high, swing
    (the widest spread of the NPV at low, base and high, leaving out an invalid end) and
    invalid (empty, or which end a single run rejects, and its message) and reason (why the
    range is this one), sorted by party, largest swing first."""

    assumptions: Assumptions
    table: pd.DataFrame
    #: low and high values a single run rejects (not computed)
    n_invalid: int = 0
    #: the ``--set`` changes that made ``assumptions``, in words (``Loaded.changes``)
    changes: tuple[str, ...] = ()
    #: what makes its report this scenario's (``Loaded.identity``), recorded in the workbook
    identity: str = ""

    @property
    def name(self) -> str:
        return self.assumptions.name


def default_ranges(a: Assumptions) -> dict[str, tuple[float, float]]:
    """The key inputs of ``a`` and their low and high values, by kind of input
    (:func:`~finmodel.studies.ranges.default_range`: rates +- 2 points, exchange rates over
    their sourced band, amounts and prices +- 50%).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> r = default_ranges(load("base"))
    >>> r["vehicles.us_led_fund.return.rate"], r["fx.EUR.rate"]
    ((0.06, 0.1), (0.95, 1.26))
    """
    return {k: (r.low, r.high) for k, r in _default_ranges(a).items()}


def _default_ranges(a: Assumptions) -> dict[str, Range]:
    out = {}
    for k, x in _defaults(a).items():
        r = default_range(a, k, x)
        if r.low != r.high:
            out[k] = Range(round(r.low, 12), round(r.high, 12), r.reason)
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

    Each bar's end equals the single run with that one key moved. Without ``ranges``, the
    file's ranges (:func:`file_ranges`); an end of its table that a run refuses is an error,
    at its file and line where ``origins`` (from :func:`~finmodel.inputs.loader.load_with_origins`)
    know them. With ``ranges``, an end a single run rejects is not computed: its NPV is NaN and
    ``invalid`` gives the single run's message. If every end is rejected, this raises that
    ``InputError`` (the first one's).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> t = tornado(load("base"), {"vehicles.us_led_fund.return.rate": (0.02, 0.15)})
    >>> row = t.table.query("party == 'us'").iloc[0]
    >>> bool(row.npv_low < row.npv_base < row.npv_high), row.invalid
    (True, '')
    """
    # the engine, pandas and numba load here, not at import: `finmodel validate` needs only
    # check() below, and starts in a fraction of the time
    import pandas as pd

    from finmodel.engine.evaluate import evaluate
    from finmodel.engine.metrics import party_metrics
    from finmodel.studies.variation import Design

    if ranges is None:
        try:
            chosen = ranges_with_reasons(a)
        except _Refused as e:
            raise e.located(origins) from None
        ranges = {k: (r.low, r.high) for k, r in chosen.items()}
        reasons = {k: r.reason for k, r in chosen.items()}
    else:
        reasons = {k: "given" for k in ranges}
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
                 "invalid": "; ".join(bad), "reason": reasons[k]}
            )  # fmt: skip
    table = pd.DataFrame(rows)
    order = {p: i for i, p in enumerate(parties)}
    table = table.sort_values(
        ["party", "swing"], key=lambda c: c.map(order) if c.name == "party" else -c
    ).reset_index(drop=True)
    return TornadoResult(a, table, n_invalid=int((chunk.invalid != "").sum()))


def check(a: Assumptions, origins: dict | None = None) -> None:
    """Raise what :func:`tornado` would raise for the file's own ``tornado`` table, without
    running it: an end the model refuses, or one that changes the parties or vehicles (every
    bar shares them). ``finmodel validate`` calls it: what any command rejects, validate
    rejects. ``origins`` (from :func:`~finmodel.inputs.loader.load_with_origins`) give the file and
    line. The default ranges need no check: an end the model refuses is moved back until
    accepted.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> check(load("base"))
    >>> check(load("base", {"tornado": {"discount_rate": [0.02, 20]}}))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: tornado: tornado.discount_rate: its high end 20 is refused: ...
    """
    try:
        for key, (lo, hi) in (a.tornado or {}).items():
            for end, value in (("low", lo), ("high", hi)):
                _table_end(a, key, end, value)
    except _Refused as e:
        raise e.located(origins) from None


def file_ranges(a: Assumptions) -> dict[str, tuple[Any, Any]]:
    """The ranges the file asks for: its ``tornado`` table over the defaults, each default end
    moved back until the model accepts it; an end of the table the model refuses raises.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> file_ranges(load("base", {"discount_rate": -0.99}))["discount_rate"]
    (-0.995, -0.97)
    """
    return {k: (r.low, r.high) for k, r in ranges_with_reasons(a).items()}


def ranges_with_reasons(a: Assumptions) -> dict[str, Range]:
    """:func:`file_ranges` with the reason for each range: the file's table, or the default's
    reason by kind of input, and which end was moved back because the model refuses it.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> ranges_with_reasons(load("base", {"discount_rate": -0.99}))["discount_rate"].reason
    'rate +- 2 percentage points; low end moved back from -1.01: the model refuses it'
    """
    table = {k: tuple(v) for k, v in (a.tornado or {}).items()}
    values = _defaults(a)
    ranges: dict[str, Range] = {}
    defaults = _default_ranges(a)
    for key in defaults | table:
        if key in table:
            lo, hi = table[key]
            for name, end in (("low", lo), ("high", hi)):
                _table_end(a, key, name, end)
            ranges[key] = Range(lo, hi, "the file's tornado table")
            continue
        d, ends, notes = defaults[key], [], []
        for name, end in (("low", d.low), ("high", d.high)):
            kept = _accepted(a, key, end, values[key])
            if kept != end:
                notes.append(f"{name} end moved back from {end:g}: the model refuses it")
            ends.append(kept)
        ranges[key] = Range(ends[0], ends[1], "; ".join([d.reason, *notes]))
    return ranges


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


def _table_end(a: Assumptions, key: str, end: str, value: Any) -> None:
    """Refuse an end of the file's table that a run refuses or that changes the columns."""
    try:
        variant = with_overrides(a, {key: value}, "tornado")
    except InputError as e:
        raise _Refused(key, end, value, e) from None
    if list(variant.parties) != list(a.parties) or list(variant.vehicles) != list(a.vehicles):
        why = InputError("it changes the parties or vehicles, which every bar shares")
        raise _Refused(key, end, value, why)


def _accepted(a: Assumptions, key: str, value: float, base: float) -> float:
    """A default end the model accepts: ``value``, or moved halfway back to ``base`` until
    accepted (at most :data:`MAX_HALVINGS` times; then ``base`` itself)."""
    for _ in range(MAX_HALVINGS):
        try:
            with_overrides(a, {key: value}, "tornado")
            return value
        except InputError:
            value = round(base + (value - base) / 2, 12)
    return base
