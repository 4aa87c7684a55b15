"""The tornado's default ranges, by kind of input, each with its reason.

- Rates (the discount rate, a fund's return and cash rates, a loan's rate): the base value
  +- :data:`RATE_POINTS` (two percentage points): halving or doubling a 4% rate is not a
  plausible move, two points is.
- Exchange rates: the band the currency has traded in over the past decade
  (:data:`FX_BANDS`, each with its source); a currency without a band: +- :data:`FX_SWING`.
- Amounts, prices and shares (a carve-out, a stream's size, an electricity price, a payout):
  +- :data:`SWING` (50%), a share at most 1.

The assumptions' ``tornado:`` table sets any key's range over these. An end the model refuses
is moved back by :mod:`finmodel.studies.tornado`, which says so in the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from finmodel.inputs.labels import label

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions

SWING = 0.5
RATE_POINTS = 0.02
FX_SWING = 0.2


@dataclass(frozen=True)
class Band:
    """A currency's traded range in USD per unit, and where it comes from."""

    low: float
    high: float
    source: str


#: Past-decade ranges (2015-2025) of USD per unit, rounded outward to two decimals.
_EUR = "ECB euro reference rate, 2015-2025: low 0.9565 (28 Sep 2022), high about 1.25 (Feb 2018)"
_GBP = "GBP/USD, 2016-2025: low about 1.035 (26 Sep 2022), high about 1.43 (Apr 2018)"
_CHF = "USD per CHF, 2015-2025: low about 0.97 (Dec 2016), high about 1.27 (2025)"
FX_BANDS: dict[str, Band] = {
    "EUR": Band(0.95, 1.26, _EUR),
    "GBP": Band(1.03, 1.44, _GBP),
    "CHF": Band(0.97, 1.28, _CHF),
}


@dataclass(frozen=True)
class Range:
    """A key's low and high value in a tornado, and why these."""

    low: float
    high: float
    reason: str


def default_range(a: Assumptions, key: str, value: float) -> Range:
    """The default range of ``key`` (whose base value is ``value``) by its kind of input.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> a = load("base")
    >>> r = default_range(a, "discount_rate", 0.04)
    >>> (round(r.low, 12), round(r.high, 12)), r.reason
    ((0.02, 0.06), 'rate +- 2 percentage points')
    >>> default_range(a, "fx.EUR.rate", 1.16).low
    0.95
    >>> default_range(a, "pool.allocation.0.amount_bn", 100.0)
    Range(low=50.0, high=150.0, reason='amount +- 50%')
    """
    kind = label(a, key).kind
    if kind == "rate":
        return Range(value - RATE_POINTS, value + RATE_POINTS, "rate +- 2 percentage points")
    if kind == "fx":
        band = FX_BANDS.get(key.split(".")[1])
        if band is not None:
            return Range(min(band.low, value), max(band.high, value), band.source)
        lo, hi = value * (1 - FX_SWING), value * (1 + FX_SWING)
        return Range(lo, hi, f"no sourced band for this currency: +- {FX_SWING:.0%}")
    lo, hi = sorted((value * (1 - SWING), value * (1 + SWING)))
    if kind == "share":
        return Range(lo, min(hi, 1.0), "share +- 50%, at most 100%")
    word = "price" if kind == "price" else "amount"
    return Range(lo, hi, f"{word} +- {SWING:.0%}")
