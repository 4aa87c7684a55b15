"""Internal rate of return for many cash-flow rows at once.

The rate r per period solves sum_t c_t (1 + r)^-t = 0. A row gets a rate only where that rate
exists and is unique; otherwise NaN with the reason, never a wrong number.

Notes
-----
- No sign change among the non-zero flows: no rate (reason given). A row that paid in and got
  nothing back is a total loss: -100%.
- Exactly one sign change: by Descartes' rule of signs the polynomial has exactly one
  positive root in x = 1/(1+r), so the rate is unique. It is found by a safeguarded Newton
  iteration on v = ln(1 + r) inside a bracket, evaluated by Horner's rule in whichever of
  1/(1+r) and 1+r keeps every power below 1, so that no row overflows. The loop over rows
  and iterations is compiled (numba): each row stops as soon as it converges, and a row's
  rate never depends on the other rows of the batch.
- Several sign changes: the rows (rare in this model) are solved with ``numpy.roots``, as
  numpy-financial does; a row with more than one real rate above -100% gets no rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodel.compiled import c_order, compiled
from finmodel.kinds import Array

_V_LO, _V_HI = np.log(1e-12), np.log(1e6)  # r from -100% + 1e-12 to 999,999% a period
_TOL = 1e-13  # on v = ln(1+r): far below the 1e-8 the rates are held to
_MAX_ITERATIONS = 400


@dataclass(frozen=True)
class Irr:
    """Per-period IRR of each row, shape (n_rows,); NaN where ``reason`` says why."""

    rate: Array
    reason: np.ndarray  # (n_rows,) str, "" where the rate is defined

    def annualised(self, m: int) -> Array:
        """(1 + r)^m - 1 for m periods a year."""
        return np.power(1.0 + self.rate, m) - 1.0


def irr(flows: Array) -> Irr:
    """IRR per period of each row of ``flows``, shape (n_rows, n_periods).

    Examples
    --------
    >>> r = irr(np.array([[-100, 39, 59, 55, 20], [-100, 0, 0, 0, 0], [1.0, 2, 3, 4, 5]]))
    >>> round(float(r.rate[0]), 5), float(r.rate[1]), bool(np.isnan(r.rate[2]))
    (0.28095, -1.0, True)
    >>> str(r.reason[2])
    'no sign change: every flow has the same sign'
    """
    flows = c_order(np.atleast_2d(flows))
    n = flows.shape[0]
    rate = np.full(n, np.nan)
    reason = np.full(n, "", dtype=object)
    spans = np.empty((n, 4), dtype=np.int64)
    _sign_spans(flows, spans)
    first_pos, last_pos, first_neg, last_neg = spans.T
    has_pos, has_neg = first_pos >= 0, first_neg >= 0
    reason[~(has_pos | has_neg)] = "no cash flows"
    reason[has_pos ^ has_neg] = "no sign change: every flow has the same sign"
    loss = has_neg & ~has_pos
    rate[loss], reason[loss] = -1.0, ""
    both = has_pos & has_neg
    # exactly one sign change: all the non-zero flows of one sign, then all of the other
    single = both & ((last_neg < first_pos) | (last_pos < first_neg))
    rows = np.flatnonzero(single)
    v, converged = np.empty(rows.size), np.empty(rows.size, dtype=np.bool_)
    _newton(flows, rows, spans, v, converged)
    ok = converged & (v > _V_LO + 1e-9) & (v < _V_HI - 1e-9)
    rate[rows] = np.where(ok, np.expm1(v), np.nan)
    reason[rows] = np.where(ok, "", "the rate lies outside -100%..+999,999% a period")
    reason[rows[~converged]] = f"the search did not converge in {_MAX_ITERATIONS} steps"
    for i in np.flatnonzero(both & ~single):
        rate[i], reason[i] = _solve_by_roots(flows[i])
    return Irr(rate=rate, reason=reason)


@compiled
def _sign_spans(flows, out):
    """out[i] = first and last column of a positive flow, then of a negative one (-1: none)."""
    for i in range(flows.shape[0]):
        first_pos = last_pos = first_neg = last_neg = -1
        for t in range(flows.shape[1]):
            x = flows[i, t]
            if x > 0:
                first_pos = t if first_pos < 0 else first_pos
                last_pos = t
            elif x < 0:
                first_neg = t if first_neg < 0 else first_neg
                last_neg = t
        out[i, 0], out[i, 1], out[i, 2], out[i, 3] = first_pos, last_pos, first_neg, last_neg


@compiled
def _newton(flows, rows, spans, v_out, converged_out):
    """Safeguarded Newton (rtsafe) on v = ln(1+r) for each of ``rows``, one sign change each.

    Newton must land inside the bracket and at least halve the step before it, else the
    bracket is bisected. As r -> -100% the last flow dominates the NPV, as r -> infinity the
    first one does, so the sign of the last flow marks the low side of the bracket.
    """
    for j in range(rows.size):
        i = rows[j]
        first_pos, last_pos, first_neg, last_neg = spans[i]
        first, last = min(first_pos, first_neg), max(last_pos, last_neg)
        c = flows[i]
        v = _first_guess(c, first, last, (first_pos + last_pos - first_neg - last_neg) / 2.0)
        lo, hi = _V_LO, _V_HI
        low_sign = 1.0 if c[last] > 0 else -1.0
        step_before = hi - lo
        converged = False
        for _ in range(_MAX_ITERATIONS):
            value, step = _horner(c, first, last, v)
            if value == 0.0:  # exactly 0 may be underflow far from the root: evaluate exactly
                value, slope = _scaled(c, first, last, v)
                step = value / slope if slope != 0.0 else np.inf
            if (value > 0 and low_sign > 0) or (value < 0 and low_sign < 0):
                lo = v
            else:
                hi = v
            newton = v - step
            tol = _TOL * max(1.0, abs(v))
            tiny = abs(step) <= tol  # Newton is at the root to rounding: take it, stop
            if value == 0.0:  # an exact root stays put
                new = v
            elif (lo < newton < hi and abs(step) < 0.5 * step_before) or tiny:
                new = newton
            else:
                new = 0.5 * (lo + hi)
            moved = abs(new - v)
            step_before = moved
            v = new
            if moved <= tol or tiny or value == 0.0:
                converged = True
                break
        v_out[j], converged_out[j] = v, converged


@compiled
def _first_guess(c, first, last, span):
    """ln(MOIC) / (the time between the middle of paying in and the middle of getting out).

    Exact for one payment in and one out; close enough elsewhere for Newton to converge fast.
    """
    got = paid = 0.0
    for t in range(first, last + 1):
        if c[t] > 0:
            got += c[t]
        elif c[t] < 0:
            paid -= c[t]
    v = np.log(got / paid) / span
    if not np.isfinite(v):
        return np.log1p(0.05)
    return min(max(v, _V_LO + 1.0), _V_HI - 1.0)


@compiled
def _horner(c, first, last, v):
    """The NPV at v = ln(1+r) up to a positive factor, and the Newton step NPV / (dNPV/dv).

    Horner's rule in x = 1/(1+r) when v >= 0, and in y = 1 + r on the reversed flows when
    v < 0, so that no power exceeds 1. v >= 0: S ~ P(x), S' ~ -x P'(x); v < 0: S ~ Q(y),
    S'/S = (-L Q + y Q') / Q with L = last - first.
    """
    if v >= 0:
        z = np.exp(-v)
        p, d = c[last], 0.0
        for t in range(last - 1, first - 1, -1):
            d = d * z + p
            p = p * z + c[t]
        return p, p / (-z * d)
    z = np.exp(v)
    p, d = c[first], 0.0
    for t in range(first + 1, last + 1):
        d = d * z + p
        p = p * z + c[t]
    return p, p / (-(last - first) * p + z * d)


@compiled
def _scaled(c, first, last, v):
    """NPV and dNPV/dv at v = ln(1+r), both scaled by the same positive factor.

    The factor makes the largest term's exponent 0: the last non-zero flow's when v < 0, the
    first's when v >= 0.
    """
    anchor = last if v < 0 else first
    value = slope = 0.0
    for t in range(first, last + 1):
        w = c[t] * np.exp(min(-v * t + v * anchor, 0.0))
        value += w
        slope -= w * t
    return value, slope


def _solve_by_roots(row: Array) -> tuple[float, str]:
    nz = np.flatnonzero(row)
    trimmed = row[nz[0] : nz[-1] + 1]
    roots = np.roots(trimmed[::-1])
    real = roots[
        (np.abs(roots.imag) <= 1e-12 * np.maximum(1.0, np.abs(roots.real))) & (roots.real > 0)
    ]
    real = np.sort(real.real)
    if real.size == 0:
        return np.nan, "no real rate above -100% makes the NPV zero"
    real = real[np.concatenate(([True], np.diff(real) > 1e-9 * real[1:]))]  # a double root once
    if real.size > 1:
        rates = ", ".join(f"{1 / x - 1:.4%}" for x in sorted(real, reverse=True))
        return np.nan, f"not unique: several rates make the NPV zero ({rates} a period)"
    return float(1.0 / real[0] - 1.0), ""
