"""The timeline: periods, their dates, per-period rates and phasing of amounts over years.

Period 0 is the start date itself; period k >= 1 ends at start + k/m years (m periods a year).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from finmodel.kinds import Array, Frequency


@dataclass(frozen=True)
class Timeline:
    """``years`` years of ``m`` periods from ``start``; arrays have ``n_periods + 1`` columns."""

    start: dt.date
    years: int
    frequency: Frequency

    @property
    def m(self) -> int:
        return self.frequency.periods_per_year

    @property
    def n_periods(self) -> int:
        return self.years * self.m

    @property
    def columns(self) -> int:
        """Number of columns of a time array: periods 0..n_periods."""
        return self.n_periods + 1

    def dates(self) -> list[dt.date]:
        """The end date of each period, period 0 being the start.

        Examples
        --------
        >>> t = Timeline(dt.date(2026, 1, 31), 1, Frequency.quarterly)
        >>> [d.isoformat() for d in t.dates()]
        ['2026-01-31', '2026-04-30', '2026-07-31', '2026-10-31', '2027-01-31']
        """
        step = 12 // self.m
        return [_add_months(self.start, k * step) for k in range(self.columns)]

    def year_index(self) -> np.ndarray:
        """For each period, the 0-based year it falls in (period 0 counts in year 0).

        Examples
        --------
        >>> Timeline(dt.date(2026, 1, 1), 2, Frequency.quarterly).year_index().tolist()
        [0, 0, 0, 0, 0, 1, 1, 1, 1]
        """
        return _year_index(self.columns, self.m)

    def by_year_end(self, amounts: Array) -> Array:
        """Amounts per period (n, columns) summed by year end (n, years + 1): period 0 alone,
        then the m periods of each year.

        Examples
        --------
        >>> t = Timeline(dt.date(2026, 1, 1), 2, Frequency.quarterly)
        >>> t.by_year_end(np.array([[5.0, 1, 2, 3, 4, 10, 20, 30, 40]])).tolist()
        [[5.0, 10.0, 100.0]]
        """
        out = np.empty((amounts.shape[0], self.years + 1))
        out[:, 0] = amounts[:, 0]
        out[:, 1:] = amounts[:, 1 :: self.m]
        for j in range(1, self.m):  # m strided adds: faster than a reduction over m columns
            out[:, 1:] += amounts[:, 1 + j :: self.m]
        return out

    def per_period(self, annual: Array | float) -> Array:
        """Annual effective rate to the per-period rate: (1 + r)^(1/m) - 1.

        Examples
        --------
        >>> round(float(Timeline(dt.date(2026, 1, 1), 1, Frequency.quarterly).per_period(0.21)), 11)
        0.04880884817
        """
        return np.power(1.0 + np.asarray(annual, dtype=float), 1.0 / self.m) - 1.0

    def by_period(self, per_year: Array) -> Array:
        """Spread per-year values (n_scenarios, n_years) onto periods (n_scenarios, columns).

        A path shorter than the timeline holds its last value.

        Examples
        --------
        >>> t = Timeline(dt.date(2026, 1, 1), 3, Frequency.annual)
        >>> t.by_period(np.array([[0.1, 0.2]])).tolist()
        [[0.1, 0.1, 0.2, 0.2]]
        """
        per_year = np.atleast_2d(per_year)
        if per_year.shape[1] == 1:  # one value for every year (a rate): the same, sooner
            return np.repeat(per_year, self.columns, axis=1)
        idx = _held(self.year_index(), per_year.shape[1])
        return np.take(per_year, idx, axis=1)  # C-ordered, as the compiled loops take

    def by_year(self, per_year: Array) -> Array:
        """Per-year values (n_scenarios, n_given) for each year of the timeline, shape
        (n_scenarios, years): a path shorter than the timeline holds its last value, as
        :meth:`by_period` holds it.

        Examples
        --------
        >>> quarterly = Timeline(dt.date(2026, 1, 1), 3, Frequency.quarterly)
        >>> quarterly.by_year(np.array([[0.1]])).tolist()
        [[0.1, 0.1, 0.1]]
        """
        per_year = np.atleast_2d(per_year)
        return np.take(per_year, _held(np.arange(self.years), per_year.shape[1]), axis=1)

    def period_rates(self, annual: Array) -> Array:
        """Annual rates per year (n_scenarios, n_given) as per-period rates on each period,
        shape (n_scenarios, columns): :meth:`per_period`, then :meth:`by_period`. The one
        conversion of a return path, for a single run and a simulation's sampled returns alike.

        Examples
        --------
        >>> t = Timeline(dt.date(2026, 1, 1), 1, Frequency.quarterly)
        >>> t.period_rates(np.array([[0.21]])).round(11).tolist()
        [[0.04880884817, 0.04880884817, 0.04880884817, 0.04880884817, 0.04880884817]]
        """
        return self.by_period(self.per_period(annual))

    def discount_factors(self, rate: Array) -> Array:
        """(1 + rate)^(-k/m) for each period k, shape (n_scenarios, columns)."""
        t = np.arange(self.columns) / self.m
        return np.power(1.0 + np.asarray(rate, dtype=float).reshape(-1, 1), -t)

    def phasing(
        self, years: int, fractions: Sequence[float] | None = None, start_year: int = 0
    ) -> Array:
        """Fractions of an amount falling in each period, shape (columns,), summing to 1.

        ``years`` equal tranches per year at the ends of periods start*m+1 .. (start+years)*m,
        or everything at period start*m when ``years`` is 0; ``fractions`` give each year's
        share instead, spread evenly over its periods. Tranches past the timeline are dropped.

        Examples
        --------
        >>> t = Timeline(dt.date(2026, 1, 1), 3, Frequency.annual)
        >>> t.phasing(2).tolist()
        [0.0, 0.5, 0.5, 0.0]
        >>> t.phasing(0).tolist()
        [1.0, 0.0, 0.0, 0.0]
        >>> t.phasing(0, [0.25, 0.75], start_year=1).tolist()
        [0.0, 0.0, 0.25, 0.75]
        """
        out = np.zeros(self.columns)
        first = start_year * self.m
        if fractions is not None:
            per_period = np.repeat(np.asarray(fractions, dtype=float) / self.m, self.m)
        elif years == 0:
            per_period = np.ones(1)
            first -= 1
        else:
            per_period = np.full(years * self.m, 1.0 / (years * self.m))
        lo = first + 1
        hi = min(lo + per_period.size, self.columns)
        if lo < self.columns:
            out[lo:hi] = per_period[: hi - lo]
        return out


@functools.lru_cache(maxsize=64)
def _year_index(columns: int, m: int) -> np.ndarray:
    """The year of each of ``columns`` periods (m a year), built once: read-only."""
    out = np.maximum(np.arange(columns) - 1, 0) // m
    out.setflags(write=False)
    return out


def _held(index: np.ndarray, given: int) -> np.ndarray:
    """``index`` into a per-year path of ``given`` years: past its end, its last year."""
    return np.minimum(index, given - 1)


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(d.day, last))
