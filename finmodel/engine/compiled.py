"""The decorator for finmodel's few compiled loops: the ones that must run period by period.

A recursion over periods (a fund's balance, a waterfall's tiers, an IRR's Halley steps) cannot
be written as whole-array numpy operations, and as a Python loop over periods of numpy
operations each step makes and walks a temporary array per line. numba compiles such a loop,
written one scenario at a time, to machine code that runs through all scenarios of a batch in
one call. The compiled code is cached on disk (next to the module, or in the user's cache
directory when that is read-only; where neither can be written, each process compiles afresh),
releases the GIL, and follows numpy's rules for division by zero (inf or NaN, not an
exception). They take finite inputs only (:func:`c_rows` refuses others): their ``min`` and
``max`` would skip a NaN, where numpy's carry it through.

Set ``NUMBA_DISABLE_JIT=1`` to run the same functions as plain Python, to step through them
in a debugger.

Examples
--------
:func:`finmodel.engine.irr._sign_spans`, compiled on its first call (or loaded from the cache):

>>> import numpy as np
>>> from finmodel.engine.irr import _sign_spans
>>> out = np.empty((1, 4), dtype=np.int64)
>>> _sign_spans(np.array([[0.0, -100, 0, 60, 70]]), out)
>>> out.tolist()   # the first and last positive flow, then the first and last negative
[[3, 4, 1, 1]]
"""

from __future__ import annotations

from collections.abc import Callable

import numba
import numpy as np

from finmodel.kinds import Array


def compiled(function: Callable) -> Callable:
    """``function`` compiled by numba on its first call, releasing the GIL, with numpy's rules
    for division by zero; cached on disk where numba finds a writable place for the cache,
    else compiled afresh in each process (a read-only install with no writable home)."""
    try:
        return numba.njit(cache=True, nogil=True, error_model="numpy")(function)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return numba.njit(nogil=True, error_model="numpy")(function)


def c_order(x: Array, dtype: type = np.float64) -> Array:
    """``x`` as a writable, C-ordered array of ``dtype``: the one layout the compiled loops
    take, so that each compiles once (a copy only where ``x`` is not one already; a
    broadcast view is not).

    >>> x = np.zeros((2, 3))
    >>> c_order(x) is x, c_order(np.broadcast_to(x[:1], (2, 3))).flags.writeable
    (True, True)
    """
    x = np.ascontiguousarray(x, dtype=dtype)
    return x if x.flags.writeable else x.copy()


def c_rows(x: Array, n: int, columns: int, name: str) -> Array:
    """``x`` as the compiled loops take a per-scenario input: C-ordered float64 of one row
    shared by every scenario or of ``n`` rows, each of ``columns`` (a single column is spread
    over them). A ValueError, naming the input, if it is neither, rather than a loop reading
    past its end; or if it holds a NaN or an infinity, which the loops' min and max would not
    carry through as numpy does (validated assumptions and sampled returns never do).

    >>> c_rows(np.array([[0.1]]), 3, 4, "rate").tolist(), c_rows(np.zeros((3, 4)), 3, 4, "r").shape
    ([[0.1, 0.1, 0.1, 0.1]], (3, 4))
    >>> c_rows(np.zeros((2, 4)), 3, 4, "return rate")
    Traceback (most recent call last):
    ValueError: return rate: shape (2, 4), expected 1 or 3 rows of 1 or 4 columns
    >>> c_rows(np.array([[0.1, np.nan]]), 3, 2, "return rate")
    Traceback (most recent call last):
    ValueError: return rate: a NaN or infinite value
    """
    x = np.atleast_2d(x)
    if x.ndim != 2 or x.shape[0] not in (1, n) or x.shape[1] not in (1, columns):
        raise ValueError(
            f"{name}: shape {x.shape}, expected 1 or {n} rows of 1 or {columns} columns"
        )
    if not np.isfinite(x).all():
        raise ValueError(f"{name}: a NaN or infinite value")
    return c_order(np.broadcast_to(x, (1 if x.shape[0] == 1 else n, columns)))
