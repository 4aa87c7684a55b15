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
    pos, neg = flows > 0, flows < 0
    has_pos, has_neg = pos.any(axis=1), neg.any(axis=1)
    reason[~(has_pos | has_neg)] = "no cash flows"
    reason[has_pos ^ has_neg] = "no sign change: every flow has the same sign"
    loss = has_neg & ~has_pos
    rate[loss], reason[loss] = -1.0, ""
    both = has_pos & has_neg
    single = both & _one_sign_change(pos, neg)
    if single.all():  # the usual case: no copy of the flows
        rate[:], reason[:] = _solve_unique(flows, pos, neg)
    elif single.any():
        rate[single], reason[single] = _solve_unique(flows[single], pos[single], neg[single])
    for i in np.flatnonzero(both & ~single):
        rate[i], reason[i] = _solve_by_roots(flows[i])
    return Irr(rate=rate, reason=reason)


def _one_sign_change(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """Rows whose non-zero flows change sign exactly once: all of one sign, then the other."""
    first_pos, last_pos = _first(pos), _last(pos)
    first_neg, last_neg = _first(neg), _last(neg)
    return (last_neg < first_pos) | (last_pos < first_neg)


def _first(mask: np.ndarray) -> np.ndarray:
    """Index of the first True in each row (0 for a row with none)."""
    return np.argmax(mask, axis=1)


def _last(mask: np.ndarray) -> np.ndarray:
    """Index of the last True in each row (the last column for a row with none)."""
    return mask.shape[1] - 1 - np.argmax(mask[:, ::-1], axis=1)


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


def _horner(by_time: Array, v: Array) -> tuple[Array, Array]:
    """The NPV at v = ln(1+r) up to a positive factor, and the Newton step NPV / (dNPV/dv).

    ``by_time`` has shape (n_periods, n_rows). Horner's rule in x = 1/(1+r) when v >= 0, and
    in y = 1 + r on the reversed flows when v < 0, so that no power exceeds 1.
    """
    last = by_time.shape[0] - 1
    value, step = np.empty_like(v), np.empty_like(v)
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        for up, pick in ((True, v >= 0), (False, v < 0)):
            if not pick.any():
                continue
            z = np.exp(-v[pick]) if up else np.exp(v[pick])
            c = by_time if pick.all() else by_time[:, pick]
            order = range(last - 1, -1, -1) if up else range(1, last + 1)
            p = c[last].copy() if up else c[0].copy()
            d = np.zeros_like(p)
            for t in order:  # in place: no temporaries in the inner loop
                d *= z
                d += p
                p *= z
                p += c[t]
            value[pick] = p
            # v >= 0: S = P(x), S' = -x P'(x); v < 0: S ~ Q(y), S'/S ~ (-L Q + y Q') / Q
            step[pick] = p / (-z * d) if up else p / (-last * p + z * d)
    return value, step


def _solve_unique(flows: Array, pos: np.ndarray, neg: np.ndarray) -> tuple[Array, np.ndarray]:
    """Safeguarded Newton on v = ln(1+r) for rows with exactly one sign change."""
    n = flows.shape[0]
    first = np.minimum(_first(pos), _first(neg)).astype(float)
    last = np.maximum(_last(pos), _last(neg)).astype(float)
    lo, hi = np.full(n, _V_LO), np.full(n, _V_HI)
    # as r -> -100% the last flow dominates the NPV, as r -> infinity the first one does
    rows = np.arange(n)
    f_lo = np.sign(flows[rows, last.astype(int)])
    ok = np.ones(n, dtype=bool)
    v = _first_guess(flows, pos, neg)
    step_before = hi - lo  # rtsafe: Newton must at least halve the step, else bisect
    converged = ~ok
    active = np.flatnonzero(ok)
    lo_col, hi_col = int(first.min()), int(last.max())  # columns all zero at either end go
    by_time = np.ascontiguousarray(flows[:, lo_col : hi_col + 1].T)
    for _ in range(_MAX_ITERATIONS):
        if active.size == 0:
            break
        va = v[active]
        fa, step = _horner(by_time if active.size == n else by_time[:, active], va)
        lost = fa == 0  # exactly 0 may be underflow far from the root: evaluate it exactly
        if lost.any():
            rows = active[lost]
            exact, slope = _scaled(flows[rows], va[lost], first[rows], last[rows])
            fa[lost] = exact
            with np.errstate(divide="ignore", invalid="ignore"):
                step[lost] = np.where(slope != 0, exact / slope, np.inf)
        low_side = np.sign(fa) == np.sign(f_lo[active])
        lo[active] = np.where(low_side, va, lo[active])
        hi[active] = np.where(low_side, hi[active], va)
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
    inside = (v > _V_LO + 1e-9) & (v < _V_HI - 1e-9)
    ok = ok & inside
    rate = np.where(ok, np.expm1(v), np.nan)
    reason = np.where(ok, "", "the rate lies outside -100%..+999,999% a period").astype(object)
    reason[~converged] = f"the search did not converge in {_MAX_ITERATIONS} steps"
    return rate, reason


def _first_guess(flows: Array, pos: np.ndarray, neg: np.ndarray) -> Array:
    """ln(MOIC) / (the time between the middle of paying in and the middle of getting out).

    Exact for one payment in and one out; close enough elsewhere for Newton to converge fast.
    """
    got, paid = np.sum(flows, axis=1, where=pos), -np.sum(flows, axis=1, where=neg)
    span = (_first(pos) + _last(pos) - _first(neg) - _last(neg)) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
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
