"""The explorer's numbers: each reading over a grid of slider positions, through the batched engine.

A *slider* is a key path and the values it can take. Each reading's grid is the full grid of
its sliders' values (:class:`~finmodel.studies.variation.Design`, so every grid point equals
``finmodel.run(with_overrides(a, point))``, and a point a single run rejects is not computed).
At every point the page can show each party's received, paid, net and NPV, and each party's
cumulative net receipts over time; a party's series is stored once per distinct series (most
sliders move only some parties' flows, and the discount rate moves none), so the page stays
small.

Default sliders: the US-led fund's return rate and payout, the discount rate, and the reading's
main unsized figure (the first key of its ``tornado:`` table whose value is 0, over that
table's range). A reading that has no such key has no such slider; each slider's values
include the reading's own value, where the page opens.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from finmodel.engine.batch import Batch
from finmodel.engine.evaluate import evaluate
from finmodel.exceptions import InputError
from finmodel.inputs.compile import compile_batch
from finmodel.inputs.locate import shipped_folder
from finmodel.inputs.models.scenario import Assumptions
from finmodel.inputs.overrides import list_index
from finmodel.kinds import Array
from finmodel.studies.measures import measure
from finmodel.studies.variation import Design

#: The party metrics the page shows, in this order.
SHOWN = ("received", "paid", "net", "npv")
#: The default sliders with fixed values (the unsized figure's come from each reading's table).
DEFAULT_VALUES: dict[str, list[float]] = {
    "vehicles.us_led_fund.return.rate": [round(0.01 * i, 2) for i in range(13)],
    "vehicles.us_led_fund.payout": [0.0, 0.25, 0.5, 0.75, 1.0],
    "discount_rate": [0.02, 0.04, 0.06, 0.08],
}
#: Grid points the engine runs at once (as a sweep does; memory stays bounded).
POINTS_PER_BATCH = 16_384
#: The largest page (bytes); a grid that would make a larger one is refused.
MAX_PAGE_BYTES = 50 * 2**20
#: Bytes a grid point's party metric takes in the page, at least (a number and a comma).
BYTES_PER_NUMBER = 8
#: How many positions the unsized figure's slider has, evenly over its tornado range.
UNSIZED_STEPS = 4


@dataclass(frozen=True)
class Slider:
    """A key path, the values it takes (sorted), and the index of the reading's own value."""

    key: str
    values: tuple[float, ...]
    at: int


@dataclass(frozen=True)
class Series:
    """One party's cumulative net receipts at every grid point, each distinct series once.

    rows : (n_distinct, n_periods) USD; index : (n_points,), the row of each grid point
    """

    rows: np.ndarray
    index: np.ndarray


@dataclass(frozen=True)
class ReadingGrid:
    """A reading over the full grid of its sliders (the last varying fastest).

    metrics : (n_points, n_parties, len(SHOWN)) USD, NaN at an invalid point
    invalid : (n_points,) the single run's message at a point it rejects, else ""
    series : per party (in ``parties`` order), its cumulative net receipts
    pool : the pool's uses by holding then what each holding leaves unallocated, USD, a row
        ``(n_uses * n_holdings + n_holdings)`` per distinct pool; ``uses`` names the uses
    years : (n_periods,) each period's end in years (2026.0 is the start date)
    """

    assumptions: Assumptions
    sliders: tuple[Slider, ...]
    parties: tuple[str, ...]
    metrics: Array
    invalid: np.ndarray
    series: tuple[Series, ...]
    pool: Series
    uses: tuple[str, ...]
    years: Array

    @property
    def name(self) -> str:
        return self.assumptions.name

    @property
    def n_points(self) -> int:
        return int(self.metrics.shape[0])


@dataclass(frozen=True)
class Exploration:
    """Every reading's grid, and the name of the baseline the page measures changes against."""

    readings: tuple[ReadingGrid, ...]
    baseline: str


def value_at(a: Assumptions, text: str) -> Any:
    """The value at the dotted key ``text`` in ``a``; None where it is not set.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> value_at(load("base"), "vehicles.us_led_fund.payout")
    0.5
    >>> value_at(load("status_quo"), "vehicles.us_led_fund.payout") is None
    True
    """
    node: Any = a.model_dump(mode="python", by_alias=True)
    for part in text.split("."):
        if isinstance(node, list):
            j = list_index(node, part)
            node = node[j] if j is not None else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
        if node is None:
            return None
    return node


def unsized_slider(a: Assumptions) -> tuple[str, list[float]] | None:
    """The reading's main unsized figure: the first key of its ``tornado:`` table whose value is
    0, with :data:`UNSIZED_STEPS` values evenly over the table's range (3 significant digits).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> unsized_slider(load("literal"))
    ('vehicles.us_guarantee_compensation.stream.amount_bn', [0.0, 1.67, 3.33, 5.0])
    >>> unsized_slider(load("status_quo")) is None
    True
    """
    for k, (lo, hi) in (a.tornado or {}).items():
        if value_at(a, k) == 0 and lo != hi:
            return k, [float(f"{x:.3g}") for x in np.linspace(lo, hi, UNSIZED_STEPS)]
    return None


def default_vary(a: Assumptions) -> dict[str, list[float]]:
    """The default sliders of reading ``a`` (those of its keys that it sets) and their values.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> list(default_vary(load("status_quo")))
    ['discount_rate']
    >>> len(default_vary(load("literal")))
    4
    """
    out = {k: v for k, v in DEFAULT_VALUES.items() if value_at(a, k) is not None}
    unsized = unsized_slider(a)
    if unsized is not None:
        out[unsized[0]] = unsized[1]
    return out


def sliders(a: Assumptions, vary: dict[str, list[float]]) -> tuple[Slider, ...]:
    """The sliders of ``vary`` that reading ``a`` sets, each with its own value added.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> s = sliders(load("base"), {"discount_rate": [0.02, 0.06], "vehicles.nope.payout": [1]})
    >>> s[0].values, s[0].values[s[0].at]
    ((0.02, 0.04, 0.06), 0.04)
    """
    out = []
    for k, values in vary.items():
        own = value_at(a, k)
        if own is None:
            continue
        _numeric(a, k, own)
        both = sorted({*values, own})
        out.append(Slider(key=k, values=tuple(both), at=both.index(own)))
    return tuple(out)


def check_keys(readings: list[Assumptions], vary: dict[str, list[Any]]) -> None:
    """Refuse a key no reading sets (naming the nearest known one) and a value that is not a
    number.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> try:
    ...     check_keys([load("base")], {"discount_rat": [0.03]})
    ... except InputError as e:
    ...     print(e.message)
    no reading sets this key (base); did you mean discount_rate?
    """
    for k, values in vary.items():
        where = f"--vary {k}"
        if k.split(".")[0] == "timeline":
            raise InputError("the page's charts share one timeline: a slider cannot move it "
                             "(finmodel sweep can)", file=where, field=k)  # fmt: skip
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise InputError(f"values must be numbers (got {v!r:.40})", file=where, field=k)
        if all(value_at(a, k) is None for a in readings):
            near = difflib.get_close_matches(k, _numeric_keys(readings), n=1)
            hint = f"; did you mean {near[0]}?" if near else ""
            names = ", ".join(a.name for a in readings)
            raise InputError(f"no reading sets this key ({names}){hint}", file=where, field=k)
        for a in readings:
            own = value_at(a, k)
            if own is not None:
                _numeric(a, k, own)


def _numeric(a: Assumptions, k: str, own: Any) -> None:
    if isinstance(own, bool) or not isinstance(own, (int, float)):
        raise InputError(
            f"is not a number in {a.name} (it is {own!r:.40}): a slider moves a number",
            file=f"--vary {k}",
            field=k,
        )


def _numeric_keys(readings: list[Assumptions]) -> list[str]:
    """Every dotted key whose value is a number, in any of ``readings``."""
    out: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{path}.{i}")
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            out.append(path)

    for a in readings:
        walk(a.model_dump(mode="python", by_alias=True, exclude={"sources"}), "")
    return sorted(set(out))


def explore_reading(a: Assumptions, vary: dict[str, list[float]]) -> ReadingGrid:
    """Reading ``a`` at every point of the grid of its sliders, :data:`POINTS_PER_BATCH` at a
    time through the engine (a reading with none of the sliders' keys: one point, its own).

    Examples
    --------
    >>> import finmodel
    >>> g = explore_reading(finmodel.load("base"), {"discount_rate": [0.02, 0.06]})
    >>> [s.values for s in g.sliders], g.metrics.shape
    ([(0.02, 0.04, 0.06)], (3, 5, 4))
    >>> one = finmodel.run(finmodel.load("base", {"discount_rate": 0.06}))
    >>> bool(abs(g.metrics[2, 0, 3] - one.summary["parties"]["us"]["npv"]) < 0.01)
    True
    >>> explore_reading(finmodel.load("status_quo"), {"vehicles.us_led_fund.payout": [1]}).n_points
    1
    """
    ss = sliders(a, vary)
    base = compile_batch(a)
    n = math.prod(len(s.values) for s in ss)
    parties = tuple(base.parties)
    metrics = np.full((n, len(parties), len(SHOWN)), np.nan)
    cumulative = np.full((n, len(parties), base.timeline.columns), np.nan)
    pool = np.full((n, base.pool.taken[0].size + base.pool.left[0].size), np.nan)
    invalid = np.empty(n, dtype=object)
    for start, chunk_invalid, parts in _chunks(a, ss, base):
        invalid[start : start + len(chunk_invalid)] = chunk_invalid
        for at, batch in parts:
            o = evaluate(batch)
            m = measure(o)
            at = start + at
            for i, metric in enumerate(SHOWN):
                metrics[at, :, i] = np.stack([m.of_party(j, metric) for j in range(len(parties))],
                                             axis=1)  # fmt: skip
            cumulative[at] = np.cumsum(o.party_flows(), axis=-1)
            p = batch.pool
            pool[at] = np.concatenate([p.taken.reshape(len(p.taken), -1), p.left], axis=1)
    if (invalid != "").all():
        raise InputError(f"{a.name}: every grid point is invalid; the first: {invalid[0]}",
                         file="--vary")  # fmt: skip
    series = tuple(distinct(cumulative[:, j]) for j in range(len(parties)))
    tl = base.timeline
    first = tl.start.year + (tl.start.timetuple().tm_yday - 1) / 365.25
    years = first + np.arange(tl.columns) / tl.m
    return ReadingGrid(a, ss, parties, metrics, invalid, series, distinct(pool),
                       tuple(base.pool_uses), years)  # fmt: skip


def _chunks(a: Assumptions, ss: tuple[Slider, ...], base: Batch) -> Iterator[tuple]:
    """(start, invalid messages, [(positions, batch)]) for each chunk of the grid of ``ss``; with
    no slider, the single run's own batch."""
    if not ss:
        yield 0, np.array([""], dtype=object), [(np.array([0]), base)]
        return
    design = Design.grid(a, {s.key: list(s.values) for s in ss})
    for start in range(0, design.n, POINTS_PER_BATCH):
        chunk = design.chunk(start, min(start + POINTS_PER_BATCH, design.n))
        yield start, chunk.invalid, [(part.at, part.batch) for part in chunk.parts]


def distinct(rows: Array) -> Series:
    """Rows (n_points, n_periods) as each distinct row once (to the cent) and an index.

    Examples
    --------
    >>> s = distinct(np.array([[1.0, 2.0], [1.0, 2.001], [3.0, 4.0]]))
    >>> s.rows.tolist(), s.index.tolist()
    ([[1.0, 2.0], [3.0, 4.0]], [0, 0, 1])
    """
    cents = np.round(np.nan_to_num(rows, nan=np.inf), 2)
    unique, index = np.unique(cents, axis=0, return_inverse=True)
    unique[~np.isfinite(unique)] = np.nan
    return Series(rows=unique, index=index.reshape(-1))


def check_size(n_numbers: int) -> None:
    """Refuse, before computing, a grid whose party metrics alone would make a page over
    :data:`MAX_PAGE_BYTES`.

    Examples
    --------
    >>> check_size(1_000)
    >>> check_size(10**8)
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: --vary: the page would hold at least 762.9 MiB of numbers; ...
    """
    size = n_numbers * BYTES_PER_NUMBER
    if size > MAX_PAGE_BYTES:
        raise InputError(
            f"the page would hold at least {size / 2**20:.1f} MiB of numbers; at most "
            f"{MAX_PAGE_BYTES / 2**20:.0f} MiB: give fewer values to --vary",
            file="--vary",
        )


def shipped_readings() -> list[str]:
    """The shipped readings (``assumptions/scenarios``): ``status_quo`` (the baseline), then
    ``literal`` (where the page opens), then the rest by name.

    Examples
    --------
    >>> shipped_readings()[:3]
    ['status_quo', 'literal', 'assets_returned_to_russia']
    """
    first = ["status_quo", "literal"]
    names = sorted(p.stem for p in (shipped_folder() / "scenarios").glob("*.yaml"))
    return [n for n in first if n in names] + [n for n in names if n not in first]


def explore(
    readings: list[Assumptions],
    vary: dict[str, list[Any]] | None = None,
    baseline: str | None = None,
) -> Exploration:
    """Every reading over the grid of its sliders (``vary``, or each reading's defaults).

    The baseline is ``status_quo`` when it is among the readings, else the first. A grid whose
    page would pass :data:`MAX_PAGE_BYTES` is refused before anything is computed.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> e = explore([load("literal"), load("status_quo")], {"discount_rate": [0.02, 0.06]})
    >>> e.baseline, [g.n_points for g in e.readings]
    ('status_quo', [3, 3])
    """
    names = [a.name for a in readings]
    for i, n in enumerate(names):
        if n in names[:i]:
            raise InputError(f"two readings are named '{n}': give each its own name", field="name")
    if vary is not None:
        check_keys(readings, vary)
    varies = [default_vary(a) if vary is None else vary for a in readings]
    check_size(sum(
        math.prod(len(s.values) for s in sliders(a, v)) * len(a.parties) * len(SHOWN)
        for a, v in zip(readings, varies)
    ))  # fmt: skip
    grids = tuple(explore_reading(a, v) for a, v in zip(readings, varies))
    if baseline is None:  # a reading changed by --set is named status_quo+KEY=VALUE
        baseline = next((n for n in names if n.split("+")[0] == "status_quo"), names[0])
    if baseline not in names:
        raise InputError(f"'{baseline}' is not among the readings ({', '.join(names)})",
                         file="--baseline")  # fmt: skip
    return Exploration(readings=grids, baseline=baseline)
