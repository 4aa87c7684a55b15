"""The decorator for finmodel's few compiled loops: the ones that must run period by period.

A recursion over periods (a fund's balance, a waterfall's tiers, an IRR's Halley steps) cannot
be written as whole-array numpy operations, and as a Python loop over periods of numpy
operations each step makes and walks a temporary array per line. numba compiles such a loop,
written one scenario at a time, to machine code that runs through all scenarios of a batch in
one call. numba is imported only when a batch is large enough to need it: a single scenario's
loops run as plain Python (milliseconds), so that ``finmodel run`` does not spend most of a
second loading numba and its compiled code (:data:`SMALL`). The compiled code is cached on
disk (next to the module, or in the user's cache directory when that is read-only; where
neither can be written, each process compiles afresh), releases the GIL, and follows numpy's
rules for division by zero (inf or NaN, not an exception). They take finite inputs only
(:func:`c_rows` refuses others): their ``min`` and ``max`` would skip a NaN, where numpy's
carry it through.

Set ``NUMBA_DISABLE_JIT=1`` to run the same functions as plain Python, to step through them
in a debugger.

Examples
--------
:func:`finmodel.engine.irr._sign_spans` (a small call: run as Python unless a loop is compiled
already; a large one is compiled, or loaded from the cache):

>>> import numpy as np
>>> from finmodel.engine.irr import _sign_spans
>>> out = np.empty((1, 4), dtype=np.int64)
>>> _sign_spans(np.array([[0.0, -100, 0, 60, 70]]), out)
>>> out.tolist()   # the first and last positive flow, then the first and last negative
[[3, 4, 1, 1]]
"""

from __future__ import annotations

import types
from collections.abc import Callable
from typing import Any

import numpy as np

from finmodel.kinds import Array

#: A call whose arrays all hold at most this many numbers runs the loop as plain Python while
#: no loop has been compiled in the process: a single scenario (a few thousand numbers) takes
#: milliseconds so, where loading numba and its compiled code takes most of a second. Once one
#: batch is larger, every loop runs compiled from then on.
SMALL = 20_000

_state = {"compiled": False}  # whether this process has loaded numba for a loop


class Kernel:
    """A loop that runs compiled by numba (imported on first need), or as plain Python for a
    small call while nothing is compiled yet (:data:`SMALL`). Both are the same function, so
    both give the same numbers (IEEE arithmetic in the same order; numpy's rules for division
    by zero in both).

    ``py_func`` is the function itself, as on a numba dispatcher.
    """

    def __init__(self, function: Callable) -> None:
        self.py_func = function
        self.__name__ = function.__name__
        self.__qualname__ = function.__qualname__
        self.__doc__ = function.__doc__
        self.__module__ = function.__module__
        self.__wrapped__ = function
        self._jit: Any = None

    def __call__(self, *args: Any) -> Any:
        if self._jit is None and not _state["compiled"] and _small(args):
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                return self.py_func(*args)
        return self.jit()(*args)

    def jit(self) -> Any:
        """The numba dispatcher of this loop (numba imported; the loops it calls, itself
        included, seen by compiled code as their dispatchers)."""
        if self._jit is None:
            _state["compiled"] = True
            f = self.py_func
            scope = dict(f.__globals__)  # a copy: the module's own names stay Kernels
            copy = types.FunctionType(f.__code__, scope, f.__name__, f.__defaults__,
                                      f.__closure__)  # fmt: skip
            copy.__qualname__, copy.__module__ = f.__qualname__, f.__module__
            self._jit = _njit(copy)  # compiled at its first call, when ``scope`` is complete
            for name in f.__code__.co_names:
                callee = scope.get(name)
                if isinstance(callee, Kernel):
                    scope[name] = callee.jit()
        return self._jit


def _small(args: tuple) -> bool:
    return all(np.size(a) <= SMALL for a in args if isinstance(a, np.ndarray))


def _njit(function: Callable) -> Any:
    import numba

    try:
        return numba.njit(cache=True, nogil=True, error_model="numpy")(function)
    except RuntimeError:  # "cannot cache function ...: no locator available"
        return numba.njit(nogil=True, error_model="numpy")(function)


def compiled(function: Callable) -> Kernel:
    """``function`` as a :class:`Kernel`: compiled by numba on its first large call,
    releasing the GIL, with numpy's rules for division by zero; cached on disk where numba
    finds a writable place for the cache, else compiled afresh in each process (a read-only
    install with no writable home). A small call before any is compiled runs it as Python."""
    return Kernel(function)


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
