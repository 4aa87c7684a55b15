"""What the points of a design are made of: their names, the values they set, and what must be
the same for points to share a batch (:mod:`finmodel.studies.variation`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from finmodel.engine.batch import FieldPath
from finmodel.inputs.reads import SHARED_ARRAYS

if TYPE_CHECKING:
    from finmodel.studies.variation import Design



def ravel(picks: Sequence[int], sizes: Sequence[int]) -> int:
    """``np.ravel_multi_index`` of one point, in plain Python: any size, never an overflow.

    Examples
    --------
    >>> ravel([1, 2], [2, 3]), int(np.ravel_multi_index((1, 2), (2, 3)))
    (5, 5)
    >>> ravel([7] * 9, [1000] * 9)  # past what an int64 holds
    7007007007007007007007007
    """
    c = 0
    for j, size in zip(picks, sizes):
        c = c * int(size) + int(j)
    return c


def unravel(c: int, sizes: list[int]) -> list[int]:
    """``np.unravel_index`` of one index, in plain Python (a tenth of its time for one).

    Examples
    --------
    >>> unravel(5, [2, 3]), [int(i) for i in np.unravel_index(5, (2, 3))]
    ([1, 2], [1, 2])
    """
    out = []
    for size in reversed(sizes):
        c, j = divmod(c, size)
        out.append(j)
    return out[::-1]



class PointNames(Sequence):
    """The names of the points of ``idx`` (a column per point) of ``design``, made when read."""

    def __init__(self, design: Design, idx: np.ndarray) -> None:
        self.design, self.idx = design, idx

    def __len__(self) -> int:
        return self.idx.shape[1]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        d, col = self.design, self.idx[:, i]
        moved = [f"{k.text}={d.values[n][j]}" for n, (k, j) in enumerate(zip(d.keys, col))
                 if j >= 0]  # fmt: skip
        return f"{d.a.name}[{','.join(moved)}]"



def with_value(data: Any, path: tuple, value: Any) -> dict | None:
    """``data`` (a mapping) with ``value`` set at ``path``, sections made where missing, as
    ``--set`` sets it; copies only what lies on the path. None if the path runs through a
    value that is not a mapping."""
    if not isinstance(data, dict):
        return None
    out = dict(data)
    if len(path) == 1:
        out[path[0]] = value
        return out
    inner = with_value(data.get(path[0], {}), path[1:], value)
    if inner is None:
        return None
    out[path[0]] = inner
    return out



def per_scenario(path: FieldPath, value: Any) -> bool:
    """Whether a compiled input has a scenario axis (an array the engine reads row by row)."""
    return isinstance(value, np.ndarray) and str(path[-1]) not in SHARED_ARRAYS



def structure_of(path: FieldPath, value: Any) -> Any:
    """What must be the same for points to share a batch: an input's shape (without the
    scenario axis) if it is an array with a scenario axis, else its value."""
    if isinstance(value, np.ndarray):
        if per_scenario(path, value):
            return ("array", value.shape[1:], value.dtype.str)
        return ("value", value.shape, value.tobytes())
    if isinstance(value, list):
        return tuple(value)
    return value



def nbytes(value: Any) -> int:
    return value.nbytes if isinstance(value, np.ndarray) else 64
