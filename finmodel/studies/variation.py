"""Scenarios that move a few assumptions, assembled into batches for the engine.

A *design* is a list of points. Each point sets some of a few varied keys to one of their
values and leaves everything else as the assumptions have it: a sweep's design is the full grid
of its keys' values; a tornado's moves one key at a time.

Every point is the single run with its values, ``finmodel.run(with_overrides(a, point))``:

- Keys that can act together form a *group*: one compiled input, or one validation rule, reads
  them both (:mod:`finmodel.inputs.reads` lists what each reads, for every value). A group is
  compiled
  over the joint values of its keys, each combination by ``with_overrides`` and
  ``compile_batch``, the single run's own path. A point's compiled inputs are then its groups'
  inputs for its combinations, and the base's for the inputs no varied key touches: exactly
  what the single run compiles.
- A combination the single run rejects (``InputError``) makes every point that holds it
  *invalid*: not computed, with the single run's message. No rule reads keys of two groups, so
  a point is valid exactly when each of its groups' combinations is, and a point that one
  group's combination makes invalid gets that combination's message (a point with several is
  checked whole, for the message the single run gives first).
- Points are assembled :data:`~finmodel.studies.sweep.POINTS_PER_BATCH` at a time, so memory stays
bounded
  however many points there are; a group's combinations are kept for the next chunks while
  they take less than :data:`CACHE_BYTES`. Points whose structure differs (a timeline, a loan's
  repayment window: inputs that are not arrays with a scenario axis) run as separate batches.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from finmodel.engine.batch import Batch, FieldPath, by_path, from_paths
from finmodel.exceptions import InputError
from finmodel.inputs.checks import CHECKS
from finmodel.inputs.compile import SETTING_FIELDS, Context, compile_batch, context, vehicle_inputs
from finmodel.inputs.keys import key, touched
from finmodel.inputs.loader import with_overrides
from finmodel.inputs.models.scenario import Assumptions
from finmodel.inputs.models.vehicle import Vehicle
from finmodel.inputs.reads import DESCRIBED_VALIDATORS, field_reads, problem_checks, rule_reads
from finmodel.studies.points import (
    PointNames,
    nbytes,
    per_scenario,
    ravel,
    structure_of,
    unravel,
    with_value,
)

#: The most points a design may have.
MAX_POINTS = 1_000_000
#: The most bytes of compiled inputs a group keeps between chunks (beyond, each chunk compiles
#: the combinations it needs).
CACHE_BYTES = 256 * 2**20


@dataclass(frozen=True)
class Part:
    """Points of a chunk that run as one batch: their positions in the chunk, and the batch."""

    at: np.ndarray
    batch: Batch


@dataclass(frozen=True)
class Chunk:
    """Points ``start`` .. ``start + size - 1`` of a design: ``invalid`` holds the single run's
    message for each point it rejects ("" for a valid one); ``parts`` the valid points as
    batches."""

    start: int
    size: int
    invalid: np.ndarray
    parts: list[Part]


@dataclass
class _Group:
    """Keys (positions in the design) compiled over their joint values, and the compiled
    inputs they touch. ``sizes`` counts each key's values and one more, its base value: a
    combination's index is that of its keys' value indices (the last, for a key at the base)."""

    keys: list[int]
    sizes: list[int]
    fields: list[FieldPath]
    cacheable: bool
    #: the vehicle whose inputs alone the group moves, when it can be validated and compiled
    #: on its own, and the cross-field checks its keys meet (see ``Design._alone``)
    alone: str | None = None
    checks: tuple[str, ...] = ()
    cache: dict[int, _Combo] = dataclasses.field(default_factory=dict)
    structures: dict[tuple, int] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class _Combo:
    """A group's combination of values: its compiled inputs (the group's fields, in order) and
    the id of its structure; or the single run's message when it is rejected."""

    inputs: tuple | None
    structure: int
    message: str = ""


class Design:
    """Points that move some of ``values``' keys (key path -> list of values) off the base.

    ``index(start, stop)`` gives, for points start..stop-1, each key's value index, shape
    (n_keys, stop - start), -1 where a point leaves the key at the base.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> d = Design.grid(load("base"), {"vehicles.us_led_fund.return.rate": [0.02, 0.08],
    ...                                "discount_rate": [0.03, 0.05]})
    >>> c = d.chunk(0, d.n)
    >>> b = c.parts[0].batch
    >>> b.n_scenarios, b.discount_rate.tolist()
    (4, [0.03, 0.05, 0.03, 0.05])
    """

    def __init__(
        self,
        a: Assumptions,
        values: dict[str, list[Any]],
        n: int,
        index: Callable[[int, int], np.ndarray],
        where: str,
    ) -> None:
        self.a = a
        self.where = where
        self.keys = [key(a, k) for k in values]
        self.values = [list(v) for v in values.values()]
        self.n = n
        self.index = index
        self.base = compile_batch(a)
        self.base_inputs = by_path(self.base)
        self.problems = problem_checks(a)
        self.groups = self._groups()
        self._context: Context | None = None
        self._vehicles: dict[str, dict] = {}

    @classmethod
    def grid(cls, a: Assumptions, values: dict[str, list[Any]], where: str = "--vary") -> Design:
        """Every combination of ``values``, the last key varying fastest."""
        sizes = [len(v) for v in values.values()]
        n = math.prod(sizes)
        if n > MAX_POINTS:
            raise InputError(f"the grid has {n:,} points; at most {MAX_POINTS:,}", file=where)

        def index(start: int, stop: int) -> np.ndarray:
            return np.array(np.unravel_index(np.arange(start, stop), sizes)).reshape(
                len(sizes), stop - start
            )

        return cls(a, values, n, index, where=where)

    @classmethod
    def one_at_a_time(
        cls, a: Assumptions, values: dict[str, list[Any]], where: str = "tornado"
    ) -> Design:
        """Each key alone at each of its values, in order: key 0's values, then key 1's..."""
        owner = np.array([i for i, v in enumerate(values.values()) for _ in v], dtype=int)
        which = np.array([j for v in values.values() for j in range(len(v))], dtype=int)

        def index(start: int, stop: int) -> np.ndarray:
            out = np.full((len(values), stop - start), -1)
            rows = np.arange(start, stop)
            out[owner[rows], rows - start] = which[rows]
            return out

        return cls(a, values, owner.size, index, where=where)

    def names(self, idx: np.ndarray) -> Sequence[str]:
        """The name of each point of ``idx`` (a column per point): NAME[key=value,...], made
        when read (a million points need not carry a million strings)."""
        return PointNames(self, idx)

    # --- grouping ---------------------------------------------------------------------------

    def _groups(self) -> list[_Group]:
        reads = field_reads(self.a, list(self.base_inputs))
        n = len(self.keys)
        parent = list(range(n))

        def find(i: int) -> int:
            while parent[i] != i:
                i = parent[i]
            return i

        scopes = list(reads.values()) + rule_reads(self.a)
        scopes += [(k.creates,) for k in self.keys if k.creates is not None]
        for scope in scopes:
            hit = [i for i, k in enumerate(self.keys) if touched(k, scope)]
            for i in hit[1:]:
                parent[find(i)] = find(hit[0])
        members: dict[int, list[int]] = {}
        for i in range(n):
            members.setdefault(find(i), []).append(i)
        out = []
        for keys in members.values():
            fields = [f for f, pats in reads.items()
                      if any(touched(self.keys[i], pats) for i in keys)]  # fmt: skip
            sizes = [len(self.values[i]) + 1 for i in keys]  # the last: the base's value
            combos = math.prod(sizes)
            size = sum(nbytes(self.base_inputs[f]) for f in fields) + 256
            alone = self._alone(keys, fields)
            g = _Group(keys, sizes, fields, combos * size <= CACHE_BYTES, *(alone or (None, ())))
            g.structures[tuple(structure_of(f, self.base_inputs[f]) for f in fields)] = 0
            out.append(g)
        return out

    # --- one group's combinations -----------------------------------------------------------

    def _combo(self, g: _Group, c: int, fresh: dict[int, _Combo]) -> _Combo:
        """Combination ``c`` of group ``g``, compiled once (a key's last index: its base)."""
        known = g.cache.get(c) or fresh.get(c)
        if known is not None:
            return known
        picks = unravel(c, g.sizes)
        moved = [(i, self.values[i][j]) for i, j in zip(g.keys, picks)
                 if j < len(self.values[i])]  # fmt: skip
        if not moved:
            return _Combo(tuple(self.base_inputs[f] for f in g.fields), 0)
        overrides = {self.keys[i].text: value for i, value in moved}
        inputs = self._in_vehicle(g, moved) if g.alone else None
        message = ""
        if inputs is None:
            try:
                compiled = by_path(compile_batch(with_overrides(self.a, overrides, self.where)))
            except InputError as e:
                inputs, message = None, str(e)
            else:
                inputs = tuple(compiled[f] for f in g.fields)
        if inputs is None:
            combo = _Combo(None, -1, message)
        else:
            shape = tuple(structure_of(f, x) for f, x in zip(g.fields, inputs))
            self._same_columns(g, inputs, overrides)
            combo = _Combo(inputs, g.structures.setdefault(shape, len(g.structures)))
        (g.cache if g.cacheable else fresh)[c] = combo
        return combo

    def _same_columns(self, g: _Group, inputs: tuple, overrides: dict[str, Any]) -> None:
        """Points must have the base's parties and vehicles: they are the result's columns."""
        for f, x in zip(g.fields, inputs):
            if f in (("parties",), ("vehicle_ids",)) and list(x) != list(self.base_inputs[f]):
                what = "parties" if f == ("parties",) else "vehicles"
                raise InputError(
                    f"changes the {what}, which every point must share; run the values as "
                    "separate scenarios",
                    file=self.where,
                    field=", ".join(overrides),
                )

    def _alone(self, keys: list[int], fields: list[FieldPath]) -> tuple[str, tuple] | None:
        """The vehicle whose inputs alone ``keys`` move, if they can be checked and compiled
        without compiling the rest of the assumptions, and the cross-field checks they meet:
        every key lies in that vehicle (through mappings only) and touches no inputs of
        anything else, and no validator sits above the vehicle's model. Validating that
        vehicle's model and running those checks then validates what a single run validates,
        and compiling the vehicle in the base's context compiles what a single run compiles;
        any other group goes through ``with_overrides`` and ``compile_batch``."""
        paths = [self.keys[i].path for i in keys]
        vids = {p[1] if len(p) > 2 and p[0] == "vehicles" else None for p in paths}
        if len(vids) != 1 or None in vids:
            return None
        vid = str(vids.pop())
        if vid not in self.a.vehicles or any(f[:2] != ("vehicles", vid) for f in fields):
            return None
        if any(not isinstance(part, str) for p in paths for part in p):
            return None
        top = Assumptions.__pydantic_decorators__
        checked = {f for d in top.field_validators.values() for f in d.info.fields}
        if set(top.model_validators) - DESCRIBED_VALIDATORS["Assumptions"] or "vehicles" in checked:
            return None
        met = {name for name, rule in self.problems
               if any(touched(self.keys[i], rule) for i in keys)}  # fmt: skip
        return vid, tuple(sorted(met))

    def _in_vehicle(self, g: _Group, moved: list[tuple[int, Any]]) -> tuple | None:
        """A combination of a group that moves one vehicle alone: that vehicle's model with
        the values set, validated and compiled in the base's context; None when its model
        rejects them (the caller then asks ``with_overrides`` for the single run's message)."""
        vid = str(g.alone)
        if vid not in self._vehicles:
            self._vehicles[vid] = self.a.vehicles[vid].model_dump(
                mode="python", by_alias=True, exclude_unset=True
            )
        data: Any = self._vehicles[vid]
        for i, value in moved:
            data = with_value(data, self.keys[i].path[2:], value)
        if data is None:
            return None
        try:
            v = Vehicle.model_validate(data)
        except (ValidationError, InputError):
            return None
        if g.checks:
            # pydantic's own copy, unvalidated: only the checks the group meets run on it
            a = BaseModel.model_copy(self.a, update={"vehicles": {**dict(self.a.vehicles), vid: v}})
            if any(CHECKS[name](a) for name in g.checks):
                return None
        if self._context is None:
            self._context = context(self.a)
        names = [str(f[2]) for f in g.fields]
        if all(n in SETTING_FIELDS for n in names):  # each its own function: compile just those
            return tuple(SETTING_FIELDS[n](self._context.timeline, v) for n in names)
        compiled = vehicle_inputs(self._context, vid, v)
        return tuple(getattr(compiled, n) for n in names)

    # --- chunks -----------------------------------------------------------------------------

    def chunk(self, start: int, stop: int) -> Chunk:
        """Points start..stop-1, assembled into batches (one per structure)."""
        idx = self.index(start, stop)
        m = stop - start
        # each group's combinations of values among these points, numbered from 0 here; each
        # is compiled (or found in the group's cache) by its number among all the group's
        # combinations, a Python int of any size (a sensitivity's samples give a group of
        # several keys more combinations than an int64 counts)
        combos = np.empty((len(self.groups), m), dtype=int)
        numbers: list[list[int]] = []
        for gi, g in enumerate(self.groups):
            sub = idx[g.keys]
            sub = np.where(sub < 0, np.array(g.sizes)[:, None] - 1, sub)  # at the base
            rows, inverse = np.unique(sub, axis=1, return_inverse=True)
            combos[gi] = inverse.reshape(-1)
            numbers.append([ravel(rows[:, u].tolist(), g.sizes) for u in range(rows.shape[1])])
        found: list[dict[int, _Combo]] = []
        invalid = np.full(m, "", dtype=object)
        rejected = np.zeros(m, dtype=int)  # how many of its groups' combinations a point has
        structure = np.zeros((len(self.groups), m), dtype=int)
        for gi, g in enumerate(self.groups):
            used, where = np.unique(combos[gi], return_inverse=True)
            fresh: dict[int, _Combo] = {}
            found.append({int(c): self._combo(g, numbers[gi][int(c)], fresh) for c in used})
            x = [found[gi][int(c)] for c in used]
            structure[gi] = np.array([y.structure for y in x])[where.reshape(-1)]
            for u in (u for u, y in enumerate(x) if y.message):
                hit = where.reshape(-1) == u
                invalid[hit] = x[u].message
                rejected[hit] += 1
        for j in np.flatnonzero(rejected > 1):
            # rules of several groups reject the point: the single run says which it meets first
            invalid[j] = self._message(idx[:, j])
        valid = np.flatnonzero(rejected == 0)
        parts = []
        if valid.size:
            shapes, which = np.unique(structure[:, valid], axis=1, return_inverse=True)
            for s in range(shapes.shape[1]):
                at = valid[which.reshape(-1) == s]
                parts.append(Part(at, self._batch(combos[:, at], found, self.names(idx[:, at]))))
        return Chunk(start, m, invalid, parts)

    def _message(self, point: np.ndarray) -> str:
        """The single run's message for a point it rejects (its value index for each key)."""
        overrides = {k.text: self.values[i][j]
                     for i, (k, j) in enumerate(zip(self.keys, point)) if j >= 0}  # fmt: skip
        try:
            with_overrides(self.a, overrides, self.where)
        except InputError as e:
            return str(e)
        raise AssertionError(f"{overrides} passes the single run's checks but not a sweep's")

    def _batch(self, combos: np.ndarray, found: list[dict], names: Sequence[str]) -> Batch:
        """The batch of points whose groups' combinations are ``combos`` (groups x points),
        all of one structure."""
        inputs = dict(self.base_inputs)
        for gi, g in enumerate(self.groups):
            used, where = np.unique(combos[gi], return_inverse=True)
            picked = [found[gi][int(c)].inputs for c in used]
            for j, f in enumerate(g.fields):
                first = picked[0][j]
                if len(used) == 1 or not per_scenario(f, first):
                    inputs[f] = first
                else:
                    inputs[f] = np.concatenate([p[j] for p in picked])[where.reshape(-1)]
        return from_paths(inputs, names)
