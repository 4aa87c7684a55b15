"""A grid of scenarios as one batch: vary a few assumptions, run the engine once.

Each varied key is compiled once per value (a handful of small compilations, not one per grid
point). The engine's arrays that a key changes are then gathered for every grid point; keys that
change the same array are compiled together over their joint values. What no key changes stays
a batch of one that broadcasts.
"""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np

from finmodel.assumptions import Assumptions
from finmodel.batch import Batch, VehicleInputs, compile_batch
from finmodel.exceptions import InputError
from finmodel.loader import with_overrides
from finmodel.pool import PoolSplit

FieldPath = tuple[Any, ...]
#: The largest grid a sweep accepts.
MAX_POINTS = 1_000_000


def grid(values: dict[str, list[Any]]) -> np.ndarray:
    """Indices of every grid point, shape (n_keys, n_points), the last key varying fastest.

    Examples
    --------
    >>> grid({"a": [1, 2], "b": [10, 20, 30]}).tolist()
    [[0, 0, 0, 1, 1, 1], [0, 1, 2, 0, 1, 2]]
    """
    sizes = [len(v) for v in values.values()]
    return np.indices(sizes).reshape(len(sizes), -1)


def grid_batch(a: Assumptions, values: dict[str, list[Any]]) -> Batch:
    """One batch holding every point of the grid of ``values`` (key path -> list of values).

    Examples
    --------
    >>> from finmodel.loader import load
    >>> b = grid_batch(load("base"), {"vehicles.us_led_fund.return.rate": [0.02, 0.08, 0.15],
    ...                               "discount_rate": [0.03, 0.05]})
    >>> b.n_scenarios, b.discount_rate.tolist()
    (6, [0.03, 0.05, 0.03, 0.05, 0.03, 0.05])
    """
    keys = list(values)
    n_points = int(np.prod([len(v) for v in values.values()]))
    if n_points > MAX_POINTS:
        raise InputError(f"the grid has {n_points:,} points; at most {MAX_POINTS:,}", file="--vary")
    base = compile_batch(a)
    flat_base = _flatten(base)
    variants = {
        k: [_flatten(compile_batch(with_overrides(a, {k: v}, "--vary"))) for v in vals]
        for k, vals in values.items()
    }
    for k, flats in variants.items():
        _same_statics(k, flat_base, flats)
    deps = {
        k: {p for p in flat_base if any(_differs(f[p], flat_base[p]) for f in flats)}
        for k, flats in variants.items()
    }
    idx = grid(values)
    out = dict(flat_base)
    for group in _groups(keys, deps):
        sizes = [len(values[k]) for k in group]
        if len(group) == 1:
            flats = variants[group[0]]
        else:
            flats = [
                _flatten(compile_batch(with_overrides(a, dict(zip(group, combo)), "--vary")))
                for combo in itertools.product(*(values[k] for k in group))
            ]
        combo_of_point = np.ravel_multi_index(tuple(idx[keys.index(k)] for k in group), sizes)
        for path in set().union(*(deps[k] for k in group)):
            stacked = np.concatenate([np.asarray(f[path])[:1] for f in flats])
            out[path] = stacked[combo_of_point]
    names = [_point_name(a.name, keys, [values[k][i] for k, i in zip(keys, col)]) for col in idx.T]
    out[("names",)] = names
    return _rebuild(base, out)


def part(b: Batch, rows: slice) -> Batch:
    """The scenarios ``rows`` of batch ``b``: every array with a row per scenario is cut to
    those rows; one of a single row, shared by every scenario, stays as it is. (Every array of
    a batch has the scenario axis first, as :mod:`finmodel.batch` lays them out.)

    Examples
    --------
    >>> from finmodel.loader import load
    >>> b = grid_batch(load("base"), {"discount_rate": [0.03, 0.04, 0.05]})
    >>> part(b, slice(1, 3)).discount_rate.tolist()
    [0.04, 0.05]
    """
    n = b.n_scenarios
    flat = {
        path: value[rows] if isinstance(value, np.ndarray) and value.ndim and value.shape[0] == n
        else value
        for path, value in _flatten(b).items()
    }  # fmt: skip
    flat[("names",)] = b.names[rows]
    return _rebuild(b, flat)


def _point_name(name: str, keys: list[str], vals: list[Any]) -> str:
    return f"{name}[" + ",".join(f"{k}={v}" for k, v in zip(keys, vals)) + "]"


def _groups(keys: list[str], deps: dict[str, set]) -> list[list[str]]:
    """Keys joined when they change a common array (connected components)."""
    groups: list[list[str]] = []
    for k in keys:
        joined = [g for g in groups if any(deps[k] & deps[j] for j in g)]
        merged = [k] + [j for g in joined for j in g]
        groups = [g for g in groups if g not in joined] + [sorted(merged, key=keys.index)]
    return groups


def _differs(x: Any, y: Any) -> bool:
    if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
        if x is None or y is None:
            return True
        return x.shape != y.shape or not np.array_equal(x, y)
    return x != y


def _same_statics(key: str, base: dict, flats: list[dict]) -> None:
    for f in flats:
        for path, value in base.items():
            if path == ("names",) or (
                isinstance(value, np.ndarray) and isinstance(f[path], np.ndarray)
            ):
                if isinstance(value, np.ndarray) and value.shape[1:] != f[path].shape[1:]:
                    raise InputError(
                        f"cannot be varied in one batch: it changes the shape of {_label(path)}",
                        file="--vary",
                        field=key,
                    )
                continue
            if _differs(value, f[path]):
                raise InputError(
                    f"cannot be varied in one batch: it changes {_label(path)} "
                    "(run the values as separate scenarios)",
                    file="--vary",
                    field=key,
                )


def _label(path: FieldPath) -> str:
    return ".".join(str(p) for p in path)


def _flatten(b: Batch) -> dict[FieldPath, Any]:
    out: dict[FieldPath, Any] = {}
    for f in dataclasses.fields(b):
        value = getattr(b, f.name)
        if f.name == "vehicles":
            for i, v in enumerate(value):
                for g in dataclasses.fields(v):
                    out[("vehicles", i, g.name)] = getattr(v, g.name)
        elif f.name == "pool":
            for g in dataclasses.fields(value):
                out[("pool", g.name)] = getattr(value, g.name)
        else:
            out[(f.name,)] = value
    return out


def _rebuild(template: Batch, flat: dict[FieldPath, Any]) -> Batch:
    vehicles = [
        VehicleInputs(**{g.name: flat[("vehicles", i, g.name)] for g in dataclasses.fields(v)})
        for i, v in enumerate(template.vehicles)
    ]
    pool = PoolSplit(**{g.name: flat[("pool", g.name)] for g in dataclasses.fields(PoolSplit)})
    top = {
        f.name: flat[(f.name,)]
        for f in dataclasses.fields(template)
        if f.name not in ("vehicles", "pool")
    }
    return Batch(**top, vehicles=vehicles, pool=pool)
