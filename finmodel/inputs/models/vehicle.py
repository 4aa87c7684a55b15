"""A vehicle as the assumption file gives it: its kind, capital, schedules, return, payout,
term, fee, waterfall, and the stream or loan it may be.

Which settings each kind uses and needs, and the rules between them, are checked in
:mod:`finmodel.inputs.vehicle_checks`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from finmodel import limits
from finmodel.inputs.models.base import (
    CURRENCY,
    Amount,
    Model,
    PartyPrices,
    PartyShares,
    Price,
    Rate,
    Share,
    Source,
    exactly_one,
)
from finmodel.kinds import Basis, FeeBasis, RepaymentStyle, VehicleKind


class Phasing(Model):
    """A schedule over years: ``years`` equal tranches, or explicit ``fractions`` per year.

    With ``years: d`` and m periods a year, d*m equal tranches fall at the ends of periods
    1..d*m; ``years: 0`` puts everything at period 0. ``fractions`` (summing to 1) give each
    year's share, spread evenly over its periods.
    """

    years: int = Field(default=0, strict=True, ge=0, le=limits.MAX_YEARS)
    fractions: tuple[Share, ...] | None = Field(default=None, max_length=limits.MAX_YEARS)

    @field_validator("fractions")
    @classmethod
    def _sum_to_one(cls, v: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if v is not None and (not v or abs(sum(v) - 1.0) > 1e-9):
            raise ValueError(f"fractions must sum to 1 (they sum to {sum(v):.10g})")
        return v

    @property
    def span_years(self) -> int:
        """Years until the last tranche."""
        return len(self.fractions) if self.fractions is not None else self.years



class Contribution(Model):
    """New money from a party, in equal instalments over ``years`` from ``start_year``."""

    party: str
    amount_bn: Amount
    currency: str = Field(default="USD", pattern=CURRENCY)
    years: int = Field(default=0, strict=True, ge=0, le=100)
    start_year: int = Field(default=0, strict=True, ge=0, le=100)
    #: a loan's money lent before the timeline starts: its opening balance, not a flow
    before_start: bool = False
    source: Source | None = None



class Capital(Model):
    """Where a vehicle's capital comes from: the frozen pool, or parties' contributions."""

    from_: Literal["pool"] | None = Field(default=None, alias="from")
    contributions: tuple[Contribution, ...] | None = Field(
        default=None, max_length=limits.MAX_ENTRIES
    )

    @model_validator(mode="after")
    def _one_of(self) -> Capital:
        exactly_one(self, "from_", "contributions")
        return self



class Uncertainty(Model):
    """How a sampled return varies around its rate (used by Monte Carlo)."""

    dist: Literal["normal", "lognormal", "student_t"] = "normal"
    vol: Annotated[float, Field(strict=True, ge=0.0, le=5.0)] = 0.0
    df: Annotated[float, Field(strict=True, gt=2.0, le=1e6)] | None = None



class Return(Model):
    """The projects' annual return: a constant ``rate`` or a per-year ``path``.

    ``paid_by: PARTY``: that party pays the projects' return into the fund, period by period
    (tolls, tariffs, taxes: flow ``return_paid``); without it the return comes from outside.
    """

    rate: Rate | None = None
    path: tuple[Rate, ...] | None = Field(default=None, max_length=limits.MAX_YEARS)
    uncertainty: Uncertainty | None = None
    paid_by: str | None = None
    source: Source | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Return:
        exactly_one(self, "rate", "path")
        return self



class Fee(Model):
    rate: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)]
    basis: FeeBasis = FeeBasis.committed
    to: str



class Hurdle(Model):
    rate: Annotated[float, Field(strict=True, ge=0.0, lt=10.0)]
    to: str



#: A year on the timeline, possibly fractional (1.5: half-way through year 2).
YearAt = Annotated[float, Field(strict=True, ge=0.0, le=limits.MAX_YEARS, allow_inf_nan=False)]


class RestartCapital(Model):
    """A one-off outlay before output (repairs, cooling water), in the energy's currency.

    ``amount_bn`` falls in equal tranches over ``years`` from the end of year ``start_year``
    (``years: 0``: all at the start). The parties of the stream's ``profit_split`` pay it in
    proportion to their shares, unless ``paid_by`` gives other shares. It is spent within the
    timeline (``start_year + years`` at most its years), or refused.
    """

    amount_bn: Amount
    start_year: int = Field(default=0, strict=True, ge=0, le=limits.MAX_YEARS)
    years: int = Field(default=1, strict=True, ge=0, le=limits.MAX_YEARS)
    paid_by: PartyShares | None = None
    source: Source | None = None


class Energy(Model):
    """Electricity output priced per MWh, net of its running cost:
    capacity x capacity factor x 8,760 h x (price - ``cost_per_mwh``).

    ``split_as: revenue`` splits the money from selling all of it at ``price_per_mwh``;
    ``split_as: energy`` gives each party its share of the MWh, valued at its own price
    (``price_per_mwh_by_party``; a party not listed gets ``price_per_mwh``), less the cost.
    ``unit_start_years`` splits the capacity into equal units, each producing from its own
    year (the stream's ``ramp_years`` then ramps each unit); without it the whole plant
    starts at the stream's ``start_year``. ``restart_capital`` is spent before output.
    """

    capacity_gw: Annotated[float, Field(strict=True, gt=0.0, le=1000.0, allow_inf_nan=False)]
    capacity_factor: Annotated[float, Field(strict=True, gt=0.0, le=1.0, allow_inf_nan=False)]
    price_per_mwh: Price
    price_per_mwh_by_party: PartyPrices | None = None
    cost_per_mwh: Price = 0.0
    unit_start_years: tuple[YearAt, ...] | None = Field(default=None, min_length=1, max_length=100)
    restart_capital: RestartCapital | None = None
    currency: str = Field(default="USD", pattern=CURRENCY)
    split_as: Literal["revenue", "energy"] = "revenue"
    source: Source | None = None



class Stream(Model):
    """A stream of payments: ``amount_bn`` a year, a per-year ``path_bn``, or an ``energy`` output.

    Payments run for ``years`` (default: to the horizon) from the end of year ``start_year``,
    rising linearly from nothing to the full rate over ``ramp_years``. ``payer`` pays them;
    without one they are earned from outside (e.g. electricity sold on a market).
    """

    amount_bn: Amount | None = None
    path_bn: tuple[Amount, ...] | None = Field(default=None, min_length=1, max_length=200)
    energy: Energy | None = None
    currency: str = Field(default="USD", pattern=CURRENCY)
    start_year: int = Field(default=0, strict=True, ge=0, le=100)
    years: int | None = Field(default=None, strict=True, ge=1, le=200)
    ramp_years: Annotated[float, Field(strict=True, ge=0.0, le=50.0, allow_inf_nan=False)] = 0.0
    payer: str | None = None
    source: Source | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Stream:
        given = [k for k in ("amount_bn", "path_bn", "energy") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of 'amount_bn', 'path_bn' and 'energy'")
        return self



class Repayment(Model):
    """Interest only for ``grace_years``, then instalments over ``years``: equal principal
    (the default), or an annuity (equal debt service) with ``style: annuity``."""

    grace_years: int = Field(default=0, strict=True, ge=0, le=100)
    years: int = Field(strict=True, ge=1, le=100)
    style: RepaymentStyle = RepaymentStyle.equal_principal



class Loan(Model):
    """A loan to ``borrower`` at ``rate``, repaid on a schedule or out of another vehicle.

    ``serviced_from: VEHICLE``: the borrower pays, each period, all it receives from that
    vehicle, up to what it owes (the G7 ERA loans, serviced from the windfall on the frozen
    assets); unpaid interest is added to the balance.
    """

    borrower: str
    rate: Annotated[float, Field(strict=True, ge=0.0, lt=10.0, allow_inf_nan=False)]
    repayment: Repayment | None = None
    serviced_from: str | None = None
    source: Source | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Loan:
        exactly_one(self, "repayment", "serviced_from")
        return self



class Waterfall(Model):
    basis: Basis = Basis.capital_first
    capital_to: str | PartyShares | None = None
    hurdle: Hurdle | None = None
    profit_split: PartyShares = Field(min_length=1)



class Vehicle(Model):
    name: str = Field(min_length=1)
    plan_point: str | None = None
    description: str | None = None
    kind: VehicleKind = VehicleKind.fund
    capital: Capital | None = None
    stream: Stream | None = None
    loan: Loan | None = None
    deployment: Phasing = Phasing()
    release: Phasing = Phasing()
    cash_rate: Rate = 0.0
    return_: Return = Field(default_factory=lambda: Return(rate=0.0), alias="return")
    payout: Share = 0.0
    term_years: int | None = Field(default=None, strict=True, ge=1, le=200)
    fee: Fee | None = None
    waterfall: Waterfall | None = None
    #: whether the money this vehicle puts to work goes into Ukraine's reconstruction
    funds_reconstruction: bool = False
    readings: tuple[str, ...] = Field(default=(), max_length=limits.MAX_ENTRIES)
