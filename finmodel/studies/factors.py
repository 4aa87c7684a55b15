"""The inputs of a global sensitivity study (its *factors*): each a key with a distribution,
sampled on the unit hypercube and mapped to values, then put into batches for the engine.

Where a factor comes from:

- the tornado's ranges (:func:`finmodel.studies.tornado.file_ranges`: the file's ``tornado:``
  table over the default +-50% ranges): uniform from low to high; for a whole-number input
  (years, a count), the discrete uniform over the whole numbers from low to high, each taken
  on an equal share of the unit interval;
- a fund's ``return.uncertainty`` block: its rate is drawn from that distribution around the
  file's rate (normal: rate + vol z; student_t: rate + vol t sqrt((df - 2) / df); lognormal:
  ln(1 + r) normal with mean rate and sd vol), in place of the tornado's range. Here the draw
  is of the rate itself, one for the whole horizon (a simulation draws a return per year).

How a batch is made: array keys (:mod:`finmodel.studies.arrays`) are set for a whole column
of values at once; any other key goes through a :class:`~finmodel.studies.variation.Design`
whose points are the sample's rows: compiled once per distinct value, as a sweep compiles it.
Either way each point equals the single run with its values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from finmodel.exceptions import InputError
from finmodel.inputs.loader import with_overrides
from finmodel.inputs.models.scenario import Assumptions
from finmodel.kinds import Array
from finmodel.studies.sampling import DEFAULT_DF
from finmodel.studies.targets import continuous_key, whole_number_keys
from finmodel.studies.tornado import file_ranges

DISTRIBUTIONS = ("uniform", "normal", "student_t", "lognormal")


@dataclass(frozen=True)
class Factor:
    """A key and its distribution: uniform on (low, high), or normal / student_t / lognormal
    around ``low`` (the rate) with sd ``high`` (the vol), ``df`` for the Student-t."""

    key: str
    dist: str
    low: float
    high: float
    df: float = DEFAULT_DF
    #: a whole-number input (years, a count): drawn from the whole numbers low..high
    whole: bool = False

    def value(self, x: float) -> float | int:
        """A sampled value as the assumptions take it: an int for a whole-number input."""
        return int(x) if self.whole else float(x)

    def values(self, u: Array) -> Array:
        """The values at the unit-interval points ``u`` (the distribution's quantiles).

        Examples
        --------
        >>> Factor("discount_rate", "uniform", 0.02, 0.06).values(np.array([0.0, 0.25])).tolist()
        [0.02, 0.03]
        >>> float(Factor("r", "normal", 0.08, 0.1).values(np.array([0.5]))[0])
        0.08

        A whole-number input takes each of low..high on an equal share of the interval:

        >>> Factor("years", "uniform", 1, 3, whole=True).values(np.array([0, 0.3, 0.5, 0.9, 1]))
        array([1., 1., 2., 3., 3.])
        """
        if self.whole:
            k = self.high - self.low + 1
            return self.low + np.minimum(np.floor(u * k), k - 1)
        if self.dist == "uniform":
            return self.low + u * (self.high - self.low)
        q = np.clip(u, 1e-12, 1 - 1e-12)
        if self.dist == "normal":
            return self.low + self.high * special.ndtri(q)
        if self.dist == "student_t":
            t = special.stdtrit(self.df, q) * math.sqrt((self.df - 2.0) / self.df)
            return self.low + self.high * t
        s2 = math.log1p(self.high**2 / (1.0 + self.low) ** 2)
        return np.expm1(math.log1p(self.low) - s2 / 2 + math.sqrt(s2) * special.ndtri(q))


Keys = dict[str, tuple[float, float] | None]


def factors(a: Assumptions, keys: Keys | None = None) -> list[Factor]:
    """The factors of ``a``: ``keys`` (key -> (low, high), or None for the file's range or
    distribution), or by default every tornado range and return uncertainty.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> f = {x.key: x for x in factors(load("base"))}
    >>> f["discount_rate"].dist, f["vehicles.us_led_fund.return.rate"].dist
    ('uniform', 'normal')
    """
    known = _file_factors(a)
    if keys is None:
        return list(known.values())
    out = []
    whole = whole_number_keys(a)
    for key, bounds in keys.items():
        where = f"--input {key}"
        continuous_key(a, key, where)
        if bounds is not None:
            lo, hi = _checked(a, key, bounds, where, key in whole)
            out.append(Factor(key, "uniform", lo, hi, whole=key in whole))
        elif key in known:
            out.append(known[key])
        else:
            raise InputError("has no range: give one as KEY=LOW:HIGH, or add it to the file's "
                             "tornado table", file=where, field=key)  # fmt: skip
    return out


def _file_factors(a: Assumptions) -> dict[str, Factor]:
    whole = whole_number_keys(a)
    out = {}
    for k, (lo, hi) in file_ranges(a).items():
        if k in whole:  # the whole numbers within the range
            out[k] = Factor(k, "uniform", math.ceil(lo), math.floor(hi), whole=True)
        else:
            out[k] = Factor(k, "uniform", float(lo), float(hi))
    for vid, v in a.vehicles.items():
        u = v.return_.uncertainty if v.return_ is not None else None
        if u is None or u.vol == 0 or v.return_.rate is None:
            continue
        key = f"vehicles.{vid}.return.rate"
        out[key] = Factor(key, u.dist, float(v.return_.rate), float(u.vol), u.df or DEFAULT_DF)
    return out


def _checked(
    a: Assumptions, key: str, bounds: tuple[float, float], where: str, whole: bool
) -> tuple:
    lo, hi = (float(b) for b in bounds)
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise InputError(f"LOW must be below HIGH, both finite (got {lo:g}:{hi:g})",
                         file=where, field=key)  # fmt: skip
    if whole:
        if not (lo.is_integer() and hi.is_integer()):
            raise InputError(f"a whole number (years, a count): LOW and HIGH must be whole "
                             f"numbers too (got {lo:g}:{hi:g})", file=where, field=key)  # fmt: skip
        lo, hi = int(lo), int(hi)
    for end, value in (("LOW", lo), ("HIGH", hi)):
        try:
            with_overrides(a, {key: value}, where)
        except InputError as e:
            raise InputError(f"{end} {value:g} is refused: {e.message}", file=where,
                             field=key) from None  # fmt: skip
    return lo, hi
