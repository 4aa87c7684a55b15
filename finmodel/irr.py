"""Internal rate of return for many cash-flow rows at once.

The rate r per period solves sum_t c_t (1 + r)^-t = 0. A row gets a rate only where that rate
exists and is unique; otherwise NaN with the reason, never a wrong number.

Notes
-----
- No sign change among the non-zero flows: no rate (reason given). A row that paid in and got
  nothing back is a total loss: -100%.
- Exactly one sign change: by Descartes' rule of signs the polynomial has exactly one
  positive root in x = 1/(1+r), so the rate is unique. It is found for all such rows at once
  by a safeguarded Newton iteration on v = ln(1 + r) inside a bracket, with every term scaled
  by the largest exponent so that no row overflows.
- Several sign changes: the rows (rare in this model) are solved with ``numpy.roots``, as
  numpy-financial does; a row with more than one real rate above -100% gets no rate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
    flows = np.atleast_2d(np.asarray(flows, dtype=float))
    n = flows.shape[0]
    rate = np.full(n, np.nan)
    reason = np.full(n, "", dtype=object)
    sign = np.sign(flows)
    nonzero = sign != 0
    has_pos, has_neg = (sign > 0).any(axis=1), (sign < 0).any(axis=1)
    reason[~nonzero.any(axis=1)] = "no cash flows"
    same = nonzero.any(axis=1) & ~(has_pos & has_neg)
    reason[same] = "no sign change: every flow has the same sign"
    loss = has_neg & ~has_pos
    rate[loss], reason[loss] = -1.0, ""
    changes = _sign_changes(sign)
    single = has_pos & has_neg & (changes == 1)
    if single.any():
        rate[single], reason[single] = _solve_unique(flows[single])
    for i in np.flatnonzero(has_pos & has_neg & (changes > 1)):
        rate[i], reason[i] = _solve_by_roots(flows[i])
    return Irr(rate=rate, reason=reason)


def _sign_changes(sign: Array) -> np.ndarray:
    """Number of sign changes along each row, zeros skipped."""
    if not (sign == 0).any():
        return np.count_nonzero(sign[:, 1:] != sign[:, :-1], axis=1)
    # carry the last non-zero sign forward so that zeros do not break a run
    idx = np.where(sign != 0, np.arange(sign.shape[1]), 0)
    np.maximum.accumulate(idx, axis=1, out=idx)
    filled = np.take_along_axis(sign, idx, axis=1)
    return np.count_nonzero(filled[:, 1:] * filled[:, :-1] < 0, axis=1)


def _scaled(flows: Array, v: Array, first: Array, last: Array) -> tuple[Array, Array]:
    """NPV and dNPV/dv at v = ln(1+r), both scaled by the same positive factor per row.

    The factor makes the largest term's exponent 0: the last non-zero flow's when v < 0, the
    first's when v >= 0. Zero flows outside them get exponents clipped to 0, never inf * 0.
    """
    t = np.arange(flows.shape[1], dtype=float)
    anchor = np.where(v < 0, last, first)
    expo = np.minimum(-np.outer(v, t) + (v * anchor)[:, None], 0.0)
    w = flows * np.exp(expo)
    return w.sum(axis=1), -(w * t).sum(axis=1)


def _solve_unique(flows: Array) -> tuple[Array, np.ndarray]:
    """Safeguarded Newton on v = ln(1+r) for rows with exactly one sign change."""
    n = flows.shape[0]
    nonzero = flows != 0
    first = np.argmax(nonzero, axis=1).astype(float)
    last = (flows.shape[1] - 1 - np.argmax(nonzero[:, ::-1], axis=1)).astype(float)
    lo, hi = np.full(n, _V_LO), np.full(n, _V_HI)
    f_lo, _ = _scaled(flows, lo, first, last)
    f_hi, _ = _scaled(flows, hi, first, last)
    ok = np.sign(f_lo) * np.sign(f_hi) < 0
    root_at_edge = (f_lo == 0) | (f_hi == 0)
    v = _first_guess(flows)
    step_before = hi - lo  # rtsafe: Newton must at least halve the step, else bisect
    converged = ~ok
    active = np.flatnonzero(ok)
    for _ in range(_MAX_ITERATIONS):
        if active.size == 0:
            break
        va = v[active]
        fa, dfa = _scaled(flows[active], va, first[active], last[active])
        low_side = np.sign(fa) == np.sign(f_lo[active])
        lo[active] = np.where(low_side, va, lo[active])
        hi[active] = np.where(low_side, hi[active], va)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            step = np.where(dfa != 0, fa / dfa, np.inf)
        newton = va - step
        use_newton = (
            (newton > lo[active])
            & (newton < hi[active])
            & (np.abs(step) < 0.5 * step_before[active])
        )
        tol = _TOL * np.maximum(1.0, np.abs(va))
        tiny = np.abs(step) <= tol  # Newton is at the root to rounding: take it, stop
        new = np.where(use_newton | tiny, newton, 0.5 * (lo[active] + hi[active]))
        new = np.where(fa == 0, va, new)  # an exact root stays put
        moved = np.abs(new - va)
        step_before[active] = moved
        v[active] = new
        done = (moved <= tol) | tiny | (fa == 0)
        converged[active[done]] = True
        active = active[~done]
    ok = ok & converged
    rate = np.where(ok, np.expm1(v), np.nan)
    reason = np.where(ok, "", "the rate lies outside -100%..+999,999% a period").astype(object)
    reason[root_at_edge & ~ok] = "the rate lies at the edge of the search range"
    reason[~converged] = f"the search did not converge in {_MAX_ITERATIONS} steps"
    return rate, reason


def _first_guess(flows: Array) -> Array:
    """ln(MOIC) / (the money-weighted time between paying in and getting out), per row.

    Exact for one payment in and one out; close enough elsewhere for Newton to converge fast.
    """
    t = np.arange(flows.shape[1], dtype=float)
    pos, neg = np.maximum(flows, 0.0), np.maximum(-flows, 0.0)
    got, paid = pos.sum(axis=1), neg.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        span = (pos @ t) / got - (neg @ t) / paid
        v = np.log(got / paid) / span
    return np.where(np.isfinite(v), np.clip(v, _V_LO + 1.0, _V_HI - 1.0), np.log1p(0.05))


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
