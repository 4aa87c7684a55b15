"""Internal rate of return for many cash-flow rows at once.

The rate r per period solves sum_t c_t (1 + r)^-t = 0. A row gets a rate only where that rate
exists and is unique; otherwise NaN with the reason, never a wrong number.

Notes
-----
- No sign change among the non-zero flows: no rate (reason given). A row that paid in and got
  nothing back is a total loss: -100%.
- Exactly one sign change: by Descartes' rule of signs the polynomial has exactly one
  positive root in x = 1/(1+r), so the rate is unique. It is found by a safeguarded Halley
  iteration (Newton's with a second-derivative correction: cubic convergence, about three
  evaluations a row) on v = ln(1 + r) inside a bracket. The NPV and its two derivatives are
  summed in whichever of 1/(1+r) and 1+r keeps every power below 1, so that no row
  overflows, by Horner's rule split into four interleaved chains (powers 4m, 4m+1, 4m+2,
  4m+3), which the CPU runs side by side instead of one multiply-add after another. The
  loop over rows and iterations is compiled (numba): each row stops as soon as it converges,
  and a row's rate never depends on the other rows of the batch (its arithmetic is the same
  alone as in any batch, to the bit).
- Several sign changes: the rows (rare in this model) are solved with ``numpy.roots``, as
  numpy-financial does; a row with more than one real rate above -100% gets no rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodel.engine.compiled import c_order, compiled
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
    _search(flows, rows, spans, v, converged)
    ok = converged & (v > _V_LO + 1e-9) & (v < _V_HI - 1e-9)
    rate[rows] = np.where(ok, np.expm1(v), np.nan)
    reason[rows[~ok]] = "the rate lies outside -100%..+999,999% a period"
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
def _search(flows, rows, spans, v_out, converged_out):
    """Safeguarded Halley iteration (rtsafe) on v = ln(1+r) for each of ``rows``, one sign change.

    The Halley step must land inside the bracket and at least halve the step before it, else
    the bracket is bisected. As r -> -100% the last flow dominates the NPV, as r -> infinity
    the first one does, so the sign of the last flow marks the low side of the bracket.
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
            value, step = _halley(c, first, last, v)
            if value == 0.0:  # exactly 0 may be underflow far from the root: evaluate exactly
                value, slope = _scaled(c, first, last, v)
                step = value / slope if slope != 0.0 else np.inf
            if (value > 0 and low_sign > 0) or (value < 0 and low_sign < 0):
                lo = v
            else:
                hi = v
            proposed = v - step
            tol = _TOL * max(1.0, abs(v))
            tiny = abs(step) <= tol  # the step is at the root to rounding: take it, stop
            if value == 0.0:  # an exact root stays put
                new = v
            elif (lo < proposed < hi and abs(step) < 0.5 * step_before) or tiny:
                new = proposed
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

    Exact for one payment in and one out; close enough elsewhere for Halley to converge fast.
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
def _halley(c, first, last, v):
    """F(v) = sum_t c_t e^(-v (t - first)), the NPV times (1+r)^first > 0, and the Halley step.

    With k = t - first and the moments M_n = sum_k k^n c_(first+k) e^(-v k):
    F = M0, F' = -M1, F'' = M2. They are summed in whichever of w = 1/(1+r) (v >= 0) and
    w = 1+r (v < 0, the flows reversed: s = L - k, L = last - first) keeps every power below 1;
    reversed, the sums S_n = sum_s s^n c_(last-s) w^s carry a factor w^-L > 0 that cancels in
    the step: M0 = S0, M1 = L S0 - S1, M2 = L^2 S0 - 2 L S1 + S2.

    Halley's step (F/F') / (1 - F F'' / (2 F'^2)) converges cubically where Newton's F/F'
    converges quadratically: on quarterly fund flows 3.3 evaluations a row instead of 4.7, the
    F'' costing next to nothing (see ``_moments``). Where the correction is large (|F F''| >
    F'^2, far from the root) the step is Newton's.
    """
    n = last - first + 1
    if v >= 0:
        m0, m1, m2 = _moments(c, first, 1, n, np.exp(-v))
    else:
        s0, s1, s2 = _moments(c, last, -1, n, np.exp(v))
        L = n - 1.0
        m0, m1, m2 = s0, L * s0 - s1, (L * s0 - 2.0 * s1) * L + s2
    # Halley's step is -M0/M1 / (1 - M0 M2 / (2 M1^2)), written with one division
    if abs(m0 * m2) <= m1 * m1:
        return m0, -2.0 * m0 * m1 / (2.0 * m1 * m1 - m0 * m2)
    return m0, -m0 / m1


@compiled
def _moments(c, start, step, n, w):
    """S_k = sum_s s^k b_s w^s for k = 0, 1, 2, with b_s = c[start + step s], s < n, 0 < w <= 1.

    Horner's rule is one chain of dependent multiply-adds, each waiting for the one before:
    its speed is the latency of the CPU's arithmetic, not its throughput. Here b_s is dealt to
    lane j = s mod 4 and each lane is a polynomial in u = w^4, E_j(u) = sum_m b_(4m+j) u^m,
    run by Horner's rule with its derivatives (p = E_j, d = E_j', e = E_j''/2): twelve
    independent chains, each a quarter as long, that the CPU interleaves. With s = 4m + j,
    sum_m m b u^m = u E_j' =: B_j and sum_m m^2 b u^m = B_j + 2 u^2 (E_j''/2) =: C_j, so

        S0 = sum_j w^j E_j,  S1 = sum_j w^j (4 B_j + j E_j),
        S2 = sum_j w^j (16 C_j + 8 j B_j + j^2 E_j).

    All powers of w, u are at most 1; the top block of four is padded with zeros.
    """
    u = (w * w) * (w * w)
    top = (n - 1) // 4 * 4  # the first s of the highest block
    p0 = c[start + step * top]
    p1 = c[start + step * (top + 1)] if top + 1 < n else 0.0
    p2 = c[start + step * (top + 2)] if top + 2 < n else 0.0
    p3 = c[start + step * (top + 3)] if top + 3 < n else 0.0
    d0 = d1 = d2 = d3 = e0 = e1 = e2 = e3 = 0.0
    for s in range(top - 4, -1, -4):
        k = start + step * s
        e0, e1, e2, e3 = e0 * u + d0, e1 * u + d1, e2 * u + d2, e3 * u + d3
        d0, d1, d2, d3 = d0 * u + p0, d1 * u + p1, d2 * u + p2, d3 * u + p3
        p0 = p0 * u + c[k]
        p1 = p1 * u + c[k + step]
        p2 = p2 * u + c[k + 2 * step]
        p3 = p3 * u + c[k + 3 * step]
    B0, B1, B2, B3 = u * d0, u * d1, u * d2, u * d3
    uu = 2.0 * u * u
    C0, C1, C2, C3 = B0 + uu * e0, B1 + uu * e1, B2 + uu * e2, B3 + uu * e3
    # the lanes put together, by Horner's rule in w over j = 0..3
    s0 = p0 + w * (p1 + w * (p2 + w * p3))
    s1 = 4.0 * B0 + w * ((4.0 * B1 + p1) + w * ((4.0 * B2 + 2.0 * p2) + w * (4.0 * B3 + 3.0 * p3)))
    s2 = 16.0 * C0 + w * (
        (16.0 * C1 + 8.0 * B1 + p1)
        + w * ((16.0 * C2 + 16.0 * B2 + 4.0 * p2) + w * (16.0 * C3 + 24.0 * B3 + 9.0 * p3))
    )
    return s0, s1, s2


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
