"""A stream's money, compiled: what its payments or its electricity earn per period, net of
running costs, when its plant's units produce, and the restart capital spent before output.

Used by :mod:`finmodel.inputs.compile` (one vehicle at a time) and, for the formulas it shows,
by the live Excel model (:mod:`finmodel.reports.live.streams`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodel.engine.timeline import Timeline
from finmodel.inputs.models.vehicle import Stream
from finmodel.kinds import Array

#: USD in a billion (amounts in the files are in billions of their currency).
BN = 1e9


def stream_amounts(
    st: Stream, split: Array, tl: Timeline, parties: list[str], fx: dict[str, Array]
) -> tuple[Array, Array]:
    """A stream's USD per period, shape (1, columns), and the shares its receivers get.

    Under ``split_as: energy`` each party's share of the MWh is valued at its own price, so
    the money splits in proportion to share x (price - cost).
    """
    currency = st.currency
    shares = split
    if st.energy is not None:
        e = st.energy
        currency = e.currency
        price = np.array(
            [[(e.price_per_mwh_by_party or {}).get(p, e.price_per_mwh) for p in parties]]
        )
        if e.split_as == "revenue":
            price[:] = e.price_per_mwh
        value = split * (price - e.cost_per_mwh)  # net, per MWh of output, to each party
        per_mwh = float(value.sum())
        if per_mwh != 0:
            shares = value / per_mwh
        mwh = e.capacity_gw * 1e3 * HOURS_A_YEAR * e.capacity_factor
        per_year = np.array([mwh * per_mwh / BN])
    elif st.path_bn is not None:
        per_year = np.asarray(st.path_bn, dtype=float)
    else:
        per_year = np.array([st.amount_bn], dtype=float)
    years = st.years if st.years is not None else max(tl.years - st.start_year, 0)
    if st.path_bn is not None:
        years = min(years, len(st.path_bn))
    annual = np.zeros(tl.years)
    span = annual[st.start_year : st.start_year + years]
    span[:] = np.resize(per_year, span.size) if st.path_bn is None else per_year[: span.size]
    amount = tl.by_period(annual[None, :]) / tl.m
    amount[:, 0] = 0.0
    amount *= output_share(tl, st)
    return amount * BN * tl.by_period(fx[currency]), shares


def output_share(tl: Timeline, st: Stream) -> Array:
    """The share of full output in each period, shape (1, columns): the whole plant ramping
    from ``start_year``, or the mean of its equal units, each ramping from its own year.

    Examples
    --------
    Two equal units, from years 1 and 2, no ramp: half the plant produces in year 2, all of it
    from year 3.

    >>> import datetime as dt
    >>> from finmodel.kinds import Frequency
    >>> from finmodel.inputs.models.vehicle import Energy
    >>> t = Timeline(dt.date(2026, 1, 1), 4, Frequency.annual)
    >>> e = Energy(capacity_gw=1.9, capacity_factor=0.8, price_per_mwh=100.0,
    ...            unit_start_years=(1.0, 2.0))
    >>> output_share(t, Stream(energy=e))[0].tolist()
    [0.0, 0.0, 0.5, 1.0, 1.0]
    """
    starts = st.energy.unit_start_years if st.energy is not None else None
    if not starts:
        return ramp(tl, st.start_year, st.ramp_years)
    return np.mean([ramp(tl, s, st.ramp_years) for s in starts], axis=0)


@dataclass(frozen=True)
class Outlay:
    """A stream's restart capital: USD per period, shape (1, columns), and who pays it."""

    usd: Array
    paid_by: dict[str, float] | None


def restart_outlay(st: Stream, tl: Timeline, fx: dict[str, Array]) -> Outlay | None:
    """The restart capital of ``st``'s energy in USD per period (None: none).

    Examples
    --------
    EUR 2bn over 2 years from the start, at USD 1.10 per EUR: 1.1bn at the end of each.

    >>> import datetime as dt
    >>> from finmodel.kinds import Frequency
    >>> from finmodel.inputs.models.vehicle import Energy, RestartCapital
    >>> t = Timeline(dt.date(2026, 1, 1), 3, Frequency.annual)
    >>> e = Energy(capacity_gw=1.0, capacity_factor=0.8, price_per_mwh=100.0, currency="EUR",
    ...            restart_capital=RestartCapital(amount_bn=2.0, years=2))
    >>> fx = {"EUR": np.full((1, 3), 1.1)}
    >>> o = restart_outlay(Stream(energy=e), t, fx)
    >>> (o.usd / BN).round(6).tolist()
    [[0.0, 1.1, 1.1, 0.0]]
    """
    e = st.energy
    if e is None or e.restart_capital is None or e.restart_capital.amount_bn == 0:
        return None
    r = e.restart_capital
    phase = tl.phasing(r.years, start_year=r.start_year)
    usd = r.amount_bn * BN * phase * tl.by_period(fx[e.currency])[0]
    return Outlay(usd[None, :], None if r.paid_by is None else dict(r.paid_by))


#: Hours in a (non-leap) year, for MWh from GW and a capacity factor.
HOURS_A_YEAR = 8760.0


def ramp(tl: Timeline, start_year: float, years: float) -> Array:
    """Each period's average of a linear ramp from 0 to 1 over ``years`` from ``start_year``.

    The output of a period is the integral of the ramp over it, so the ramp's shortfall is
    exactly ``years / 2`` years of full output.

    Examples
    --------
    >>> import datetime as dt
    >>> from finmodel.kinds import Frequency
    >>> t = Timeline(dt.date(2026, 1, 1), 4, Frequency.annual)
    >>> ramp(t, 1, 2.0)[0].tolist()   # year 2 averages 1/4, year 3 3/4, then full
    [0.0, 0.0, 0.25, 0.75, 1.0]
    """
    k = np.arange(tl.columns, dtype=float)
    t = k - start_year * tl.m  # periods since the start, at each period's end
    length = years * tl.m
    if length <= 0:  # full output from the start (a start within a period: its share)
        return np.clip(t, 0.0, 1.0)[None, :]

    def area(x: np.ndarray) -> np.ndarray:
        x = np.maximum(x, 0.0)
        return np.where(x <= length, x * x / (2 * length), x - length / 2)

    return (area(t) - area(t - 1))[None, :]
