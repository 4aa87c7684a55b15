"""Reconstruction needs by year against what a reading puts into reconstruction, and the gap.

A need (an RDNA estimate) is a total over its years from the start. :func:`needs_by_year`
phases it: the first year's published priority need, the rest evenly over the other years
(or the whole evenly when no first year is given). :func:`funding_by_year` sums, per year, the
money the vehicles marked ``funds_reconstruction`` put to work
(:func:`finmodel.engine.metrics.reconstruction_funding`); the start date's flows count in
year 1. The gap is needs minus funding, year by year and cumulated (a negative gap is funding
beyond that year's need). docs/model.md states the convention.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np


def needs_by_year(amount: float, years: int, first_year: float | None = None) -> np.ndarray:
    """A need of ``amount`` over ``years``, by year: ``first_year`` in year 1, the rest evenly.

    Parameters
    ----------
    amount : float
        The need's total (any unit).
    years : int
        The years it covers, from the start.
    first_year : float or None
        Year 1's need; None spreads ``amount`` evenly over all the years.

    Returns
    -------
    numpy.ndarray
        Shape (years,), summing to ``amount``.

    Examples
    --------
    RDNA5: USD 588bn over 10 years, USD 15bn of it in 2026; the other 573 over 9 years is
    63.667 a year:

    >>> needs_by_year(588.0, 10, 15.0).round(3).tolist()[:3]
    [15.0, 63.667, 63.667]
    >>> round(float(needs_by_year(588.0, 10, 15.0).sum()), 9)
    588.0
    >>> needs_by_year(10.0, 4).tolist()
    [2.5, 2.5, 2.5, 2.5]
    """
    if first_year is None or years == 1:
        return np.full(years, amount / years)
    rest = (amount - first_year) / (years - 1)
    return np.concatenate(([first_year], np.full(years - 1, rest)))


def year_of_period(columns: int, per_year: int) -> np.ndarray:
    """The year (1-based) each period falls in: period k ends in year ceil(k / per_year), and
    the start date (period 0) counts in year 1.

    Examples
    --------
    >>> year_of_period(5, 2).tolist()   # half-yearly: start, mid-year 1, end 1, mid 2, end 2
    [1, 1, 1, 2, 2]
    """
    k = np.arange(columns)
    return np.maximum(-(-k // per_year), 1)


def funding_by_year(per_period: np.ndarray, per_year: int, years: int) -> np.ndarray:
    """Each year's sum of ``per_period`` (last axis: periods) for years 1..``years``; periods
    after the last year are left out, and years past the timeline get 0.

    Examples
    --------
    >>> funding_by_year(np.array([1.0, 2.0, 3.0, 4.0, 5.0]), 2, 3).tolist()
    [6.0, 9.0, 0.0]
    >>> funding_by_year(np.ones((2, 5)), 2, 1).tolist()   # batched: a row per scenario
    [[3.0], [3.0]]
    """
    year = year_of_period(per_period.shape[-1], per_year)
    onehot = (year[:, None] == np.arange(1, years + 1)[None, :]).astype(float)
    return per_period @ onehot


def gap_by_year(needs: np.ndarray, funding: np.ndarray) -> dict[str, np.ndarray]:
    """The gap (needs - funding) per year and cumulated.

    Examples
    --------
    >>> g = gap_by_year(np.array([15.0, 60.0]), np.array([40.0, 20.0]))
    >>> g["gap"].tolist(), g["cumulative_gap"].tolist()
    ([-25.0, 40.0], [-25.0, 15.0])
    """
    gap = needs - funding
    return {"gap": gap, "cumulative_gap": np.cumsum(gap, axis=-1)}


def year_labels(start: dt.date, years: int) -> list[int]:
    """The calendar year in which each model year ends (a start on 1 January: its own year).

    Examples
    --------
    >>> year_labels(dt.date(2026, 1, 1), 3)
    [2026, 2027, 2028]
    >>> year_labels(dt.date(2026, 7, 1), 2)
    [2027, 2028]
    """
    first = start.year if (start.month, start.day) == (1, 1) else start.year + 1
    return list(range(first, first + years))


def need_table(
    amount: float, years: int, first_year: float | None, per_period: np.ndarray,
    per_year: int, start: dt.date,
) -> dict[str, Any]:
    """One need's year-by-year table (USD): year, needs, funding, gap, cumulative gap.

    Examples
    --------
    Needs of 10 over 2 years, 4 of them in year 1; annual periods at the start and each year
    end put 1, 2 and 3 to work: year 1 gets 1 + 2, year 2 gets 3.

    >>> t = need_table(10.0, 2, 4.0, np.array([1.0, 2.0, 3.0]), 1, dt.date(2026, 1, 1))
    >>> t["needs"], t["funding"], t["gap"], t["cumulative_gap"]
    ([4.0, 6.0], [3.0, 3.0], [1.0, 3.0], [1.0, 4.0])
    """
    needs = needs_by_year(amount, years, first_year)
    funding = funding_by_year(per_period, per_year, years)
    gaps = gap_by_year(needs, funding)
    return {
        "year": year_labels(start, years),
        "needs": needs.tolist(),
        "funding": funding.tolist(),
        "gap": gaps["gap"].tolist(),
        "cumulative_gap": gaps["cumulative_gap"].tolist(),
    }
