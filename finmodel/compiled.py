"""The decorator for finmodel's few compiled loops: the ones that must run period by period.

A recursion over periods (a fund's balance, a waterfall's tiers, an IRR's Halley steps) cannot
be written as whole-array numpy operations, and as a Python loop over periods of numpy
operations each step makes and walks a temporary array per line. numba compiles such a loop,
written one scenario at a time, to machine code that runs through all scenarios of a batch in
one call. The compiled code is cached on disk (next to the module, or in the user's cache
directory when that is read-only; where neither can be written, each process compiles afresh),
releases the GIL, and follows numpy's rules for division by zero (inf or NaN, not an
exception).

Set ``NUMBA_DISABLE_JIT=1`` to run the same functions as plain Python, to step through them
in a debugger.

Examples
--------
:func:`finmodel.irr._sign_spans`, compiled on its first call (or loaded from the cache):

>>> import numpy as np
>>> from finmodel.irr import _sign_spans
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
