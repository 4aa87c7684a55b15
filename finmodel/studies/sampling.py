"""Random annual returns for Monte Carlo: per vehicle and year, correlated across vehicles.

Each vehicle whose ``return.uncertainty.vol`` is above 0 gets a return drawn per scenario and
year around its rate (or its path's value for that year):

- ``normal``: r = rate + vol * z;
- ``student_t``: r = rate + vol * t * sqrt((df - 2) / df), t a Student-t with ``df`` degrees of
  freedom (5 by default), so that vol is the standard deviation; the vehicles share the t's
  mixing variable in a year (a multivariate t);
- ``lognormal``: ln(1 + r) ~ N(mu, s^2) with E[r] = rate and sd(r) = vol.

z is correlated across vehicles by ``correlation`` (validated positive semi-definite). Normal
and Student-t draws below -100% are floored at -100% (the year's project value is lost).

Latin hypercube sampling stratifies each (vehicle, year) dimension within each chunk of
:data:`CHUNK` scenarios (a replicated Latin hypercube). Chunk c draws from the seed sequence
(seed, c), so the same seed gives the same numbers whatever the machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special

from finmodel.inputs.checks import funds_with_returns
from finmodel.inputs.compile import annual_returns, timeline
from finmodel.inputs.models.scenario import Assumptions
from finmodel.kinds import Array

#: Scenarios per chunk: fixed, so that the numbers never depend on the machine.
CHUNK = 16_384
#: How a chunk draws its uniforms: plain Monte Carlo, or a Latin hypercube.
SamplingMethod = Literal["mc", "lhs"]
DEFAULT_DF = 5.0


@dataclass(frozen=True)
class Sampled:
    """A vehicle whose return is sampled: its base per-year rates and its uncertainty."""

    vehicle: str
    base: Array  # (years,) annual rates
    dist: str
    vol: float
    df: float


def sampled_vehicles(a: Assumptions) -> list[Sampled]:
    """The vehicles with a return uncertainty (vol > 0), in file order."""
    out = []
    tl = timeline(a)
    for vid, v in a.vehicles.items():
        u = v.return_.uncertainty
        if u is None or u.vol == 0:
            continue
        base = tl.by_year(annual_returns(v))[0]
        out.append(Sampled(vid, base, u.dist, u.vol, u.df or DEFAULT_DF))
    return out


def correlation_factor(a: Assumptions, vehicles: list[Sampled]) -> Array:
    """L with L @ L.T = the correlation between the sampled vehicles (identity if none given)."""
    k = len(vehicles)
    if a.correlation is None or k == 0:
        return np.eye(k)
    order = funds_with_returns(a)
    pick = [order.index(s.vehicle) for s in vehicles]
    c = np.asarray(a.correlation, dtype=float)[np.ix_(pick, pick)]
    w, q = np.linalg.eigh(c)
    return q * np.sqrt(np.clip(w, 0.0, None))


def draw(
    vehicles: list[Sampled], factor: Array, n: int, seed: int, chunk: int, method: SamplingMethod
) -> dict[str, Array]:
    """Annual returns of chunk ``chunk``: {vehicle: (n, years)}.

    Examples
    --------
    >>> s = [Sampled("f", np.full(3, 0.05), "normal", 0.1, 5.0)]
    >>> r = draw(s, np.eye(1), 4, seed=1, chunk=0, method="mc")["f"]
    >>> r.shape, bool(np.all(r == draw(s, np.eye(1), 4, 1, 0, "mc")["f"]))
    ((4, 3), True)
    """
    if not vehicles:
        return {}
    rng = np.random.default_rng(np.random.SeedSequence([seed, chunk]))
    years, k = vehicles[0].base.size, len(vehicles)
    u = _uniforms(rng, n, years * k, method).reshape(n, years, k)
    z = special.ndtri(u) @ factor.T  # (n, years, k), correlated standard normals
    mix = rng.random((n, years))  # the Student-t mixing variable, shared by vehicles
    out = {}
    for j, s in enumerate(vehicles):
        out[s.vehicle] = _returns(s, z[:, :, j], mix)
    return out


def _uniforms(rng: np.random.Generator, n: int, dims: int, method: SamplingMethod) -> Array:
    """(n, dims) uniforms in (0, 1): plain, or one Latin hypercube of n points."""
    if method == "mc":
        u = rng.random((n, dims))
    else:
        strata = np.argsort(rng.random((dims, n)), axis=1).T  # a permutation per dimension
        u = (strata + rng.random((n, dims))) / n
    return np.clip(u, 1e-16, 1 - 1e-16)


def _returns(s: Sampled, z: Array, mix: Array) -> Array:
    base = s.base[None, :]
    if s.dist == "lognormal":
        s2 = np.log1p(s.vol**2 / (1.0 + base) ** 2)
        mu = np.log1p(base) - s2 / 2
        return np.expm1(mu + np.sqrt(s2) * z)
    if s.dist == "student_t":
        # the chi-squared quantile, as scipy.stats.chi2.ppf computes it (without importing
        # scipy.stats, which takes a third of a second)
        w = 2.0 * special.gammaincinv(s.df / 2.0, np.clip(mix, 1e-16, 1 - 1e-16)) / s.df
        z = z / np.sqrt(w) * np.sqrt((s.df - 2.0) / s.df)
    return np.maximum(base + s.vol * z, -1.0)
