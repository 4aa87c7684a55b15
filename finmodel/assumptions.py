"""The assumption file as frozen pydantic models: validated once, at the edge.

The models forbid unknown keys (a typo is an error, not a silently ignored line), and
:func:`problems` adds the checks that span fields: shares that sum to 1, parties that are
declared, currencies that have a rate, carve-outs that fit the pool. Past this module the
engine trusts its inputs.

Amounts are in billions of their currency (``amount_bn``); rates are annual effective decimals.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from finmodel.kinds import Basis, FeeBasis, Frequency, Method, VehicleKind

#: A real number from the file; ``true`` or ``"0.06"`` are type errors, not numbers.
Num = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Rate = Annotated[float, Field(strict=True, gt=-1.0, lt=10.0, allow_inf_nan=False)]
Share = Annotated[float, Field(strict=True, ge=0.0, le=1.0, allow_inf_nan=False)]
Amount = Annotated[float, Field(strict=True, ge=0.0, lt=1e6, allow_inf_nan=False)]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]

#: The reserved carve-out target for assets that stay immobilised.
STAYS_FROZEN = "stays_frozen"
_CURRENCY = r"^[A-Z]{3}$"


class Model(BaseModel):
    """Base of every assumption model: frozen, unknown keys forbidden."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _exactly_one(model: BaseModel, a: str, b: str) -> None:
    if (getattr(model, a) is None) == (getattr(model, b) is None):
        na, nb = (type(model).model_fields[n].alias or n for n in (a, b))
        raise ValueError(f"give exactly one of '{na}' and '{nb}'")


class Source(Model):
    """Where a figure comes from."""

    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    date: dt.date
    url: str = Field(pattern=r"^https?://\S+$")
    note: str | None = None


class Reading(Model):
    """A named reading of the plan's text: what is assumed and why."""

    statement: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    source: Source | None = None


class Timeline(Model):
    start: dt.date
    years: int = Field(strict=True, ge=1, le=100)
    frequency: Frequency = Frequency.annual


class FxRate(Model):
    """USD per unit of a currency: a constant ``rate`` or a per-year ``path``."""

    rate: Annotated[float, Field(strict=True, gt=0.0, allow_inf_nan=False)] | None = None
    path: list[Annotated[float, Field(strict=True, gt=0.0, allow_inf_nan=False)]] | None = None
    source: Source | None = None

    @model_validator(mode="after")
    def _one_of(self) -> FxRate:
        _exactly_one(self, "rate", "path")
        return self


class Party(Model):
    name: str = Field(min_length=1)


class Holding(Model):
    id: Ident
    name: str | None = None
    region: Literal["europe", "other"]
    amount_bn: Amount
    currency: str = Field(default="USD", pattern=_CURRENCY)
    source: Source | None = None


class Carveout(Model):
    """One use of the pool: a fixed ``amount_bn`` or the ``remainder`` of its selection."""

    vehicle: str = Field(min_length=1)
    amount_bn: Amount | None = None
    amount: Literal["remainder"] | None = None
    currency: str = Field(default="USD", pattern=_CURRENCY)
    from_: list[str] = Field(alias="from", min_length=1)
    method: Method = Method.pro_rata

    @model_validator(mode="after")
    def _one_of(self) -> Carveout:
        _exactly_one(self, "amount_bn", "amount")
        return self


class Pool(Model):
    owner: str
    holdings: list[Holding] = Field(min_length=1)
    allocation: list[Carveout] = Field(min_length=1)


class Phasing(Model):
    """A schedule over years: ``years`` equal tranches, or explicit ``fractions`` per year.

    With ``years: d`` and m periods a year, d*m equal tranches fall at the ends of periods
    1..d*m; ``years: 0`` puts everything at period 0. ``fractions`` (summing to 1) give each
    year's share, spread evenly over its periods.
    """

    years: int = Field(default=0, strict=True, ge=0, le=100)
    fractions: list[Share] | None = None

    @field_validator("fractions")
    @classmethod
    def _sum_to_one(cls, v: list[float] | None) -> list[float] | None:
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
    currency: str = Field(default="USD", pattern=_CURRENCY)
    years: int = Field(default=0, strict=True, ge=0, le=100)
    start_year: int = Field(default=0, strict=True, ge=0, le=100)
    source: Source | None = None


class Capital(Model):
    """Where a vehicle's capital comes from: the frozen pool, or parties' contributions."""

    from_: Literal["pool"] | None = Field(default=None, alias="from")
    contributions: list[Contribution] | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Capital:
        _exactly_one(self, "from_", "contributions")
        return self


class Uncertainty(Model):
    """How a sampled return varies around its rate (used by Monte Carlo)."""

    dist: Literal["normal", "lognormal", "student_t"] = "normal"
    vol: Annotated[float, Field(strict=True, ge=0.0, le=5.0)] = 0.0
    df: Annotated[float, Field(strict=True, gt=2.0)] | None = None


class Return(Model):
    """The projects' annual return: a constant ``rate`` or a per-year ``path``."""

    rate: Rate | None = None
    path: list[Rate] | None = None
    uncertainty: Uncertainty | None = None
    source: Source | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Return:
        _exactly_one(self, "rate", "path")
        return self


class Fee(Model):
    rate: Annotated[float, Field(strict=True, ge=0.0, lt=1.0)]
    basis: FeeBasis = FeeBasis.committed
    to: str


class Hurdle(Model):
    rate: Annotated[float, Field(strict=True, ge=0.0, lt=10.0)]
    to: str


PartyShares = dict[str, Share]


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
    capital: Capital
    deployment: Phasing = Phasing()
    release: Phasing = Phasing()
    cash_rate: Rate = 0.0
    return_: Return = Field(default_factory=lambda: Return(rate=0.0), alias="return")
    payout: Share = 0.0
    term_years: int | None = Field(default=None, strict=True, ge=1, le=200)
    fee: Fee | None = None
    waterfall: Waterfall
    readings: list[str] = []


class Assumptions(Model):
    """A whole scenario: the model's only input."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)
    description: str | None = None
    extends: str | None = None
    timeline: Timeline
    discount_rate: Rate
    fx: dict[Annotated[str, Field(pattern=_CURRENCY)], FxRate] = {}
    parties: dict[Ident, Party] = Field(min_length=1)
    pool: Pool
    vehicles: dict[Ident, Vehicle] = Field(min_length=1)
    correlation: list[list[Num]] | None = None
    readings: dict[Ident, Reading] = {}
    sources: dict[str, Source] = {}
    #: key inputs for `finmodel tornado` and their [low, high] values (default: +-50%)
    tornado: (
        dict[
            str,
            Annotated[
                list[Annotated[int, Field(strict=True)] | Num], Field(min_length=2, max_length=2)
            ],
        ]
        | None
    ) = None


# ---------------------------------------------------------------------------------------------
# Checks that span fields. Each problem is (key path, message); the loader adds file and line.

Problem = tuple[tuple[str | int, ...], str]


def problems(a: Assumptions) -> list[Problem]:
    """Every cross-field problem in ``a``, in file order; an empty list means valid.

    Examples
    --------
    >>> from finmodel.loader import load
    >>> problems(load("base"))
    []
    """
    found: list[Problem] = []
    found += _party_problems(a)
    found += _currency_problems(a)
    found += _pool_problems(a)
    found += _vehicle_problems(a)
    found += _correlation_problems(a)
    found += _source_problems(a)
    if not found:  # the pool's arithmetic needs every currency, party and vehicle in place
        from finmodel.pool import allocation_problems

        found += allocation_problems(a)
    return found


def _party_refs(a: Assumptions) -> list[tuple[tuple[str | int, ...], str]]:
    refs: list[tuple[tuple[str | int, ...], str]] = [(("pool", "owner"), a.pool.owner)]
    for vid, v in a.vehicles.items():
        w = ("vehicles", vid, "waterfall")
        refs += [((*w, "profit_split", p), p) for p in v.waterfall.profit_split]
        cap = v.waterfall.capital_to
        if isinstance(cap, str):
            refs.append(((*w, "capital_to"), cap))
        elif isinstance(cap, dict):
            refs += [((*w, "capital_to", p), p) for p in cap]
        if v.waterfall.hurdle:
            refs.append(((*w, "hurdle", "to"), v.waterfall.hurdle.to))
        if v.fee:
            refs.append((("vehicles", vid, "fee", "to"), v.fee.to))
        for i, c in enumerate(v.capital.contributions or []):
            refs.append((("vehicles", vid, "capital", "contributions", i, "party"), c.party))
    return refs


def _party_problems(a: Assumptions) -> list[Problem]:
    declared = ", ".join(a.parties)
    found: list[Problem] = [
        (path, f"party '{p}' is not declared in 'parties' (declared: {declared})")
        for path, p in _party_refs(a)
        if p not in a.parties
    ]
    for vid, v in a.vehicles.items():
        w = ("vehicles", vid, "waterfall")
        found += _shares_problem((*w, "profit_split"), v.waterfall.profit_split)
        if isinstance(v.waterfall.capital_to, dict):
            found += _shares_problem((*w, "capital_to"), v.waterfall.capital_to)
    return found


def _shares_problem(path: tuple[str | int, ...], shares: dict[str, float]) -> list[Problem]:
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-9:
        return [(path, f"shares must sum to 1 (they sum to {total:.10g})")]
    return []


def _currency_problems(a: Assumptions) -> list[Problem]:
    uses: list[tuple[tuple[str | int, ...], str]] = []
    uses += [
        (("pool", "holdings", i, "currency"), h.currency) for i, h in enumerate(a.pool.holdings)
    ]
    uses += [
        (("pool", "allocation", i, "currency"), c.currency) for i, c in enumerate(a.pool.allocation)
    ]
    for vid, v in a.vehicles.items():
        for i, c in enumerate(v.capital.contributions or []):
            uses.append((("vehicles", vid, "capital", "contributions", i, "currency"), c.currency))
    found: list[Problem] = [
        (path, f"currency '{cur}' has no rate in 'fx' (rates for: USD, {', '.join(a.fx)})")
        for path, cur in uses
        if cur != "USD" and cur not in a.fx
    ]
    for cur, fx in a.fx.items():
        if fx.path is not None and len(fx.path) > a.timeline.years:
            found.append(
                (("fx", cur, "path"), f"has {len(fx.path)} years, the timeline {a.timeline.years}")
            )
    return found


def _pool_problems(a: Assumptions) -> list[Problem]:
    found: list[Problem] = []
    ids = [h.id for h in a.pool.holdings]
    for i, h in enumerate(a.pool.holdings):
        if h.id in ids[:i]:
            found.append((("pool", "holdings", i, "id"), f"holding id '{h.id}' is used twice"))
    selectable = {"europe", "other", *ids}
    funded = {c.vehicle for c in a.pool.allocation}
    for i, c in enumerate(a.pool.allocation):
        path = ("pool", "allocation", i)
        if c.vehicle != STAYS_FROZEN and c.vehicle not in a.vehicles:
            found.append(
                (
                    (*path, "vehicle"),
                    f"'{c.vehicle}' is not a vehicle (vehicles: {', '.join(a.vehicles)}; "
                    f"or '{STAYS_FROZEN}')",
                )
            )
        elif c.vehicle in a.vehicles and a.vehicles[c.vehicle].capital.from_ != "pool":
            found.append(((*path, "vehicle"), f"vehicle '{c.vehicle}' does not take pool capital"))
        for j, s in enumerate(c.from_):
            if s not in selectable:
                found.append(
                    (
                        (*path, "from", j),
                        f"'{s}' is neither a region (europe, other) nor a holding id",
                    )
                )
    for vid, v in a.vehicles.items():
        if v.capital.from_ == "pool" and vid not in funded:
            found.append(
                (
                    ("vehicles", vid, "capital", "from"),
                    "takes pool capital but no carve-out names it",
                )
            )
    return found


def _vehicle_problems(a: Assumptions) -> list[Problem]:
    found: list[Problem] = []
    for vid, v in a.vehicles.items():
        path = ("vehicles", vid)
        term = v.term_years
        if v.kind is VehicleKind.fund and term is None:
            found.append(((*path, "term_years"), "a fund needs a term (years until liquidation)"))
        if term is not None and v.deployment.span_years > term:
            found.append(
                (
                    (*path, "deployment"),
                    f"deploys over {v.deployment.span_years} years, past the term of {term}",
                )
            )
        if v.return_.path is not None and len(v.return_.path) > a.timeline.years:
            found.append(
                (
                    (*path, "return", "path"),
                    f"has {len(v.return_.path)} years, the timeline {a.timeline.years}",
                )
            )
        for i, c in enumerate(v.capital.contributions or []):
            end = c.start_year + c.years
            if term is not None and end >= term:
                found.append(
                    (
                        (*path, "capital", "contributions", i, "years"),
                        f"paid until year {end}, not before the term of {term} years",
                    )
                )
            if end > a.timeline.years:
                found.append(
                    (
                        (*path, "capital", "contributions", i, "years"),
                        f"paid until year {end}, past the {a.timeline.years}-year timeline",
                    )
                )
        found += _kind_problems(path, v)
        if v.kind is not VehicleKind.fund and v.waterfall.basis is not Basis.capital_first:
            found.append(
                (
                    (*path, "waterfall", "basis"),
                    f"a {v.kind.value} passes capital on to capital_to: use capital_first",
                )
            )
        if v.waterfall.hurdle is not None and v.waterfall.basis is not Basis.capital_first:
            found.append(((*path, "waterfall", "hurdle"), "a hurdle needs basis capital_first"))
        for i, r in enumerate(v.readings):
            if r not in a.readings:
                found.append(((*path, "readings", i), f"reading '{r}' is not in 'readings'"))
    return found


#: Settings each kind of vehicle uses; any other set in a file would be silently ignored.
_USES = {
    VehicleKind.fund: {"deployment", "cash_rate", "return_", "payout", "term_years", "fee"},
    VehicleKind.grant: set(),
    VehicleKind.release: {"release", "cash_rate"},
}
_KIND_SETTINGS = {"deployment", "release", "cash_rate", "return_", "payout", "term_years", "fee"}


def _kind_problems(path: tuple[str | int, ...], v: Vehicle) -> list[Problem]:
    """Settings given for a vehicle whose kind does not use them: an error, not a no-op."""
    unused = (v.model_fields_set & _KIND_SETTINGS) - _USES[v.kind]
    fields = Vehicle.model_fields
    return [
        ((*path, fields[f].alias or f), f"a {v.kind.value} does not use this setting")
        for f in sorted(unused)
    ]


def _correlation_problems(a: Assumptions) -> list[Problem]:
    if a.correlation is None:
        return []
    c = np.asarray(a.correlation, dtype=float)
    n = len(a.vehicles)
    path: tuple[str | int, ...] = ("correlation",)
    if c.ndim != 2 or c.shape != (n, n):
        return [(path, f"must be a {n}x{n} matrix, one row per vehicle in file order")]
    if not np.allclose(c, c.T, atol=1e-12):
        return [(path, "must be symmetric")]
    if not np.allclose(np.diag(c), 1.0, atol=1e-12):
        return [(path, "must have 1 on the diagonal")]
    if np.any(np.abs(c) > 1.0):
        return [(path, "entries must lie in [-1, 1]")]
    low = float(np.linalg.eigvalsh(c).min())
    if low < -1e-10:
        return [(path, f"must be positive semi-definite (smallest eigenvalue {low:.3g})")]
    return []


def _source_problems(a: Assumptions) -> list[Problem]:
    data = a.model_dump(by_alias=True)
    found: list[Problem] = []
    keyed = [("sources", k) for k in a.sources] + [("tornado", k) for k in a.tornado or {}]
    for table, key in keyed:
        if not number_at(data, key):
            found.append(((table, key), "is not the key path of a number in this file"))
    return found


def number_at(data: object, dotted: str) -> bool:
    """Whether the dotted key path leads to a number in ``data`` (dicts and lists).

    Examples
    --------
    >>> number_at({"a": [{"b": 1.5}]}, "a.0.b"), number_at({"a": {"b": "x"}}, "a.b")
    (True, False)
    """
    node = data
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and re.fullmatch(r"\d+", part) and int(part) < len(node):
            node = node[int(part)]
        else:
            return False
    return isinstance(node, (int, float)) and not isinstance(node, bool)
