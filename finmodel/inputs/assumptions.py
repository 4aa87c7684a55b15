"""The assumption file as frozen pydantic models: validated once, at the edge.

The models forbid unknown keys (a typo is an error, not a silently ignored line), and
:func:`problems` adds the checks that span fields: shares that sum to 1, parties that are
declared, currencies that have a rate, carve-outs that fit the pool. Past this module the
engine trusts its inputs.

An :class:`Assumptions` exists only validated, cross-field checks included, and stays so: it
is immutable all the way down (its lists are tuples, its tables read-only dicts), and
``model_copy(update=...)`` validates the copy as a file would be. Every number is finite; every
text holds no control character but tab and line feed (a report could not write one, and a
terminal would act on it); counts and dates stay within :mod:`finmodel.limits`.

Amounts are in billions of their currency (``amount_bn``); rates are annual effective decimals.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal, TypeVar

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from finmodel import limits
from finmodel.exceptions import InputError, shown
from finmodel.kinds import Basis, FeeBasis, Frequency, Method, RepaymentStyle, VehicleKind


class ReadOnlyDict(dict):
    """A dict that cannot be changed: a table of validated assumptions.

    It is a dict for every reader (``json``, ``isinstance``, pydantic's dump); a change
    raises ``TypeError``. Change a scenario with ``with_overrides`` or ``model_copy(update=)``,
    which validate the result.

    Examples
    --------
    >>> d = ReadOnlyDict(us=0.5)
    >>> d["us"], isinstance(d, dict)
    (0.5, True)
    >>> d.pop("us")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: validated assumptions cannot be changed in place: ...
    """

    __slots__ = ()

    def _read_only(self, *args: object, **kwargs: object) -> None:
        raise TypeError(
            "validated assumptions cannot be changed in place: use with_overrides or "
            "model_copy(update=...)"
        )

    __setitem__ = __delitem__ = __ior__ = _read_only  # type: ignore[assignment]
    pop = popitem = clear = update = setdefault = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple:  # copy and pickle as a new read-only dict
        return (type(self), (dict(self),))

    def __copy__(self) -> ReadOnlyDict:
        return self

    def __deepcopy__(self, memo: dict) -> ReadOnlyDict:
        return self  # nothing in it can change: a copy may share it


K = TypeVar("K")
V = TypeVar("V")
#: A table of a scenario: a dict once validated, read-only.
Table = Annotated[dict[K, V], AfterValidator(ReadOnlyDict)]

#: A real number from the file; ``true`` or ``"0.06"`` are type errors, not numbers.
#: (Every number of every model is finite: ``.inf`` and ``.nan`` are refused.)
Num = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Rate = Annotated[float, Field(strict=True, gt=-1.0, lt=10.0, allow_inf_nan=False)]
Share = Annotated[float, Field(strict=True, ge=0.0, le=1.0, allow_inf_nan=False)]
Amount = Annotated[float, Field(strict=True, ge=0.0, lt=1e6, allow_inf_nan=False)]
Ident = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]

#: The reserved carve-out target for assets that stay immobilised.
STAYS_FROZEN = "stays_frozen"
_CURRENCY = r"^[A-Z]{3}$"


#: Characters a text may hold: those YAML lets a file hold as they are, less carriage return
#: and the C1 controls; so no control character but tab and line feed, no lone surrogate.
_TEXT = re.compile(r"[\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]*")


def text_problem(value: object) -> str | None:
    r"""What makes ``value`` (a text, or a table or list holding texts) unfit to print or to
    write into a workbook; None when nothing does.

    Examples
    --------
    >>> text_problem("Ukraine"), text_problem({"a": ["ok", "bell\x07"]})
    (None, "holds '\\x07', a control character (character 5 of 'bell\\x07')")
    """
    if isinstance(value, str):
        m = _TEXT.match(value)
        if m.end() == len(value):
            return None
        c = value[m.end()]
        what = (
            "half of a UTF-16 pair, no character" if "\ud800" <= c <= "\udfff"
            else "no character" if c in "\ufffe\uffff"
            else "a control character"
        )  # fmt: skip
        return f"holds {shown(c)}, {what} (character {m.end() + 1} of {shown(value)})"
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if isinstance(value, (list, tuple)):
        for item in value:
            found = text_problem(item)
            if found:
                return found
    return None


class Model(BaseModel):
    """Base of every assumption model: frozen all the way down (tuples and read-only dicts),
    unknown keys forbidden, numbers finite, texts free of control characters."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, v: Any) -> Any:
        found = text_problem(v)
        if found:
            raise ValueError(
                f"{found}; text may hold tabs and line breaks but no other control character"
            )
        return v

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Any:
        """A copy with ``update`` (field names) applied, validated as a file would be, checks
        across fields included: pydantic's own copy skips validation. Without ``update`` the
        copy is this object, which cannot change.

        Raises
        ------
        InputError
            What the update makes invalid, with its key path.

        Examples
        --------
        >>> from finmodel.inputs.loader import load
        >>> a = load("base")
        >>> a.model_copy(update={"discount_rate": 0.07}).discount_rate
        0.07
        >>> a.model_copy(update={"discount_rate": float("nan")})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        finmodel.exceptions.InputError: model_copy: discount_rate: ...finite number (got nan)
        """
        if not update:
            return self
        fields = {k: getattr(self, k) for k in self.model_fields_set}
        return validated(type(self), {**fields, **update}, where="model_copy")


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: Any, where: str = "") -> M:
    """``model`` validated from ``data``, every problem raised as :class:`InputError`.

    Examples
    --------
    >>> validated(Timeline, {"start": "2026-01-01", "years": 0}, "ex")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: ex: years: Input should be greater than or equal to 1 (got 0)
    """
    try:
        return model.model_validate(data)
    except InputError as e:  # problems across fields (Inconsistent)
        e.file = e.file or where or None
        raise
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        loc = clean_loc(tuple(err["loc"]))
        more = len(e.errors()) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        field = ".".join(str(p) for p in loc) or None
        raise InputError(explain(err) + suffix, file=where or None, field=field) from None


def clean_loc(loc: tuple) -> tuple[str | int, ...]:
    """A pydantic error's location as a key path: without the union-branch tags pydantic
    puts in it (``str``, ``dict[str,...]``, ``function-after[...]``).

    Examples
    --------
    >>> clean_loc(("vehicles", "x", "waterfall", "capital_to", "dict[str,...]", "us"))
    ('vehicles', 'x', 'waterfall', 'capital_to', 'us')
    """
    tags = re.compile(
        r"^(str|int|float|bool|list|tuple|dict|none|constrained-str|literal|function-)\b|\["
    )
    return tuple(p for p in loc if isinstance(p, int) or not tags.match(p))


def explain(err: dict) -> str:
    """A pydantic error as a message: what is wrong, with a short echo of the value."""
    kind, msg = err["type"], err["msg"]
    got = err.get("input")
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; `finmodel schema` lists the keys)"
    if kind == "missing":
        return "is required but missing"
    if kind == "value_error":  # our own validators' messages: they say what they found
        return msg.removeprefix("Value error, ")
    if isinstance(got, (dict, list, tuple, BaseModel)):
        return msg
    if isinstance(got, dt.date):
        return f"{msg} (got {got.isoformat()})"
    return f"{msg} (got {shown(got)})"


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
    start: dt.date = Field(ge=limits.FIRST_START, le=limits.LAST_START)
    years: int = Field(strict=True, ge=1, le=limits.MAX_YEARS)
    frequency: Frequency = Frequency.annual


class FxRate(Model):
    """USD per unit of a currency: a constant ``rate`` or a per-year ``path``."""

    rate: Annotated[float, Field(strict=True, gt=0.0, allow_inf_nan=False)] | None = None
    path: tuple[Annotated[float, Field(strict=True, gt=0.0, allow_inf_nan=False)], ...] | None = (
        Field(default=None, max_length=limits.MAX_YEARS)
    )
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
    from_: tuple[str, ...] = Field(alias="from", min_length=1, max_length=limits.MAX_HOLDINGS)
    method: Method = Method.pro_rata

    @model_validator(mode="after")
    def _one_of(self) -> Carveout:
        _exactly_one(self, "amount_bn", "amount")
        return self


class Pool(Model):
    owner: str
    holdings: tuple[Holding, ...] = Field(min_length=1, max_length=limits.MAX_HOLDINGS)
    allocation: tuple[Carveout, ...] = Field(min_length=1, max_length=limits.MAX_CARVEOUTS)


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
    currency: str = Field(default="USD", pattern=_CURRENCY)
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
        _exactly_one(self, "from_", "contributions")
        return self


class Uncertainty(Model):
    """How a sampled return varies around its rate (used by Monte Carlo)."""

    dist: Literal["normal", "lognormal", "student_t"] = "normal"
    vol: Annotated[float, Field(strict=True, ge=0.0, le=5.0)] = 0.0
    df: Annotated[float, Field(strict=True, gt=2.0, le=1e6)] | None = None


class Return(Model):
    """The projects' annual return: a constant ``rate`` or a per-year ``path``."""

    rate: Rate | None = None
    path: tuple[Rate, ...] | None = Field(default=None, max_length=limits.MAX_YEARS)
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


Price = Annotated[float, Field(strict=True, ge=0.0, lt=1e5, allow_inf_nan=False)]
#: A value per party (a share, a price): a read-only table of at most MAX_PARTIES entries.
PartyShares = Annotated[
    dict[str, Share], Field(max_length=limits.MAX_PARTIES), AfterValidator(ReadOnlyDict)
]
PartyPrices = Annotated[
    dict[str, Price], Field(max_length=limits.MAX_PARTIES), AfterValidator(ReadOnlyDict)
]


class Energy(Model):
    """Electricity output priced per MWh: capacity x capacity factor x 8,760 h x price.

    ``split_as: revenue`` splits the money from selling all of it at ``price_per_mwh``;
    ``split_as: energy`` gives each party its share of the MWh, valued at its own price
    (``price_per_mwh_by_party``; a party not listed gets ``price_per_mwh``).
    """

    capacity_gw: Annotated[float, Field(strict=True, gt=0.0, le=1000.0, allow_inf_nan=False)]
    capacity_factor: Annotated[float, Field(strict=True, gt=0.0, le=1.0, allow_inf_nan=False)]
    price_per_mwh: Price
    price_per_mwh_by_party: PartyPrices | None = None
    currency: str = Field(default="USD", pattern=_CURRENCY)
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
    currency: str = Field(default="USD", pattern=_CURRENCY)
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
        _exactly_one(self, "repayment", "serviced_from")
        return self


class Waterfall(Model):
    basis: Basis = Basis.capital_first
    capital_to: str | PartyShares | None = None
    hurdle: Hurdle | None = None
    profit_split: PartyShares = Field(min_length=1)


class Need(Model):
    """An estimate of reconstruction needs: ``amount_bn`` over ``years`` from the start."""

    id: Ident
    name: str | None = None
    amount_bn: Amount
    currency: str = Field(default="USD", pattern=_CURRENCY)
    years: int = Field(strict=True, ge=1, le=100)
    source: Source | None = None


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


#: A tornado range: [low, high], whole numbers (for a count of years) or real numbers.
Range = Annotated[
    tuple[Annotated[int, Field(strict=True, ge=-(10**15), le=10**15)] | Num, ...],
    Field(min_length=2, max_length=2),
]
Ranges = Annotated[
    dict[str, Range], Field(max_length=limits.MAX_ENTRIES), AfterValidator(ReadOnlyDict)
]


class Assumptions(Model):
    """A whole scenario: the model's only input."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)
    description: str | None = None
    extends: str | None = None
    timeline: Timeline
    discount_rate: Rate
    fx: Table[Annotated[str, Field(pattern=_CURRENCY)], FxRate] = Field(
        default={}, validate_default=True, max_length=limits.MAX_ENTRIES
    )
    parties: Table[Ident, Party] = Field(min_length=1, max_length=limits.MAX_PARTIES)
    pool: Pool
    vehicles: Table[Ident, Vehicle] = Field(min_length=1, max_length=limits.MAX_VEHICLES)
    correlation: tuple[tuple[Num, ...], ...] | None = Field(
        default=None, max_length=limits.MAX_VEHICLES
    )
    #: estimates of reconstruction needs, to show what share of them a reading funds
    needs: tuple[Need, ...] = Field(default=(), max_length=limits.MAX_ENTRIES)
    readings: Table[Ident, Reading] = Field(
        default={}, validate_default=True, max_length=limits.MAX_ENTRIES
    )
    sources: Table[str, Source] = Field(
        default={}, validate_default=True, max_length=limits.MAX_ENTRIES
    )
    #: rates above 1 (100% a year) are meant, not percentages typed for decimals
    allow_high_rates: bool = False
    #: key inputs for `finmodel tornado` and their [low, high] values (default: +-50%)
    tornado: Ranges | None = None

    @field_validator("name")
    @classmethod
    def _name_names_its_own_files(cls, name: str) -> str:
        """A scenario's name names its report files: it may not give another command's."""
        from finmodel.reports.files import name_problem

        problem = name_problem(name)
        if problem:
            raise PydanticCustomError("reserved_name", problem)
        return name

    @model_validator(mode="after")
    def _consistent(self) -> Assumptions:
        # raised as it is (pydantic wraps only ValueError): the loader maps each key path
        # of ``found`` to its file and line
        found = problems(self)
        if found:
            raise Inconsistent(found)
        return self


class Inconsistent(InputError):
    """Assumptions whose fields are each valid but do not fit together.

    ``found`` lists every problem as (key path, message); the error names the first.
    """

    def __init__(self, found: list[Problem]) -> None:
        self.found = found
        path, message = found[0]
        more = len(found) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(message + suffix, field=".".join(str(p) for p in path))


# ---------------------------------------------------------------------------------------------
# Checks that span fields. Each problem is (key path, message); the loader adds file and line.

Problem = tuple[tuple[str | int, ...], str]


def problems(a: Assumptions) -> list[Problem]:
    """Every cross-field problem in ``a``, in file order; an empty list means valid.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> problems(load("base"))
    []
    """
    found: list[Problem] = _size_problems(a)
    found += _party_problems(a)
    found += _currency_problems(a)
    found += _pool_problems(a)
    found += _vehicle_problems(a)
    found += _correlation_problems(a)
    found += _source_problems(a)
    found += rate_problems(a)
    if not found:  # the pool's arithmetic needs every currency, party and vehicle in place
        from finmodel.engine.pool import allocation_problems

        found += allocation_problems(a)
    return found


def _size_problems(a: Assumptions) -> list[Problem]:
    """Each vehicle's schedule has a column per period (in the engine and in the workbook),
    and the engine's arrays a number per vehicle, party and period: bounded counts.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> _size_problems(load("base"))
    []
    """
    periods = a.timeline.years * a.timeline.frequency.periods_per_year + 1
    n, p = len(a.vehicles), len(a.parties)
    found: list[Problem] = []
    if n * periods > limits.MAX_VEHICLE_PERIODS:
        found.append(
            (
                ("vehicles",),
                f"{n:,} vehicles x {periods:,} periods make {n * periods:,} columns of "
                f"schedules, past the limit of {limits.MAX_VEHICLE_PERIODS:,}",
            )
        )
    if n * p * periods > limits.MAX_CELLS:
        found.append(
            (
                ("vehicles",),
                f"{n:,} vehicles x {p:,} parties x {periods:,} periods make "
                f"{n * p * periods:,} numbers per array, past the limit of {limits.MAX_CELLS:,}",
            )
        )
    return found


def listing(names: Iterable[str], limit: int = 12) -> str:
    """Names for a message: the first ``limit``, then how many more.

    Examples
    --------
    >>> listing(["a", "b"]), listing([f"v{i}" for i in range(100)], limit=3)
    ('a, b', 'v0, v1, v2 and 97 more')
    """
    names = list(names)
    head = ", ".join(shown(n)[1:-1] if n != shown(n)[1:-1] else n for n in names[:limit])
    return head + (f" and {len(names) - limit:,} more" if len(names) > limit else "")


def _party_refs(a: Assumptions) -> list[tuple[tuple[str | int, ...], str]]:
    refs: list[tuple[tuple[str | int, ...], str]] = [(("pool", "owner"), a.pool.owner)]
    for vid, v in a.vehicles.items():
        w = ("vehicles", vid, "waterfall")
        if v.waterfall is not None:
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
        for i, c in enumerate(_contributions(v)):
            refs.append((("vehicles", vid, "capital", "contributions", i, "party"), c.party))
        if v.stream is not None and v.stream.payer is not None:
            refs.append((("vehicles", vid, "stream", "payer"), v.stream.payer))
        if v.stream is not None and v.stream.energy is not None:
            prices = v.stream.energy.price_per_mwh_by_party or {}
            e = ("vehicles", vid, "stream", "energy", "price_per_mwh_by_party")
            refs += [((*e, p), p) for p in prices]
        if v.loan is not None:
            refs.append((("vehicles", vid, "loan", "borrower"), v.loan.borrower))
    return refs


def _contributions(v: Vehicle) -> list[Contribution]:
    """A vehicle's contributions from parties (none when its capital comes from the pool)."""
    return (v.capital.contributions or []) if v.capital is not None else []


def _party_problems(a: Assumptions) -> list[Problem]:
    declared = listing(a.parties)
    found: list[Problem] = [
        (path, f"party {shown(p)} is not declared in 'parties' (declared: {declared})")
        for path, p in _party_refs(a)
        if p not in a.parties
    ]
    for vid, v in a.vehicles.items():
        w = ("vehicles", vid, "waterfall")
        if v.waterfall is None:
            continue
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
    uses += [(("needs", i, "currency"), n.currency) for i, n in enumerate(a.needs)]
    for vid, v in a.vehicles.items():
        for i, c in enumerate(_contributions(v)):
            uses.append((("vehicles", vid, "capital", "contributions", i, "currency"), c.currency))
        if v.stream is not None:
            e = v.stream.energy
            at, cur = ("stream", "currency"), v.stream.currency
            if e is not None:
                at, cur = ("stream", "energy", "currency"), e.currency
            uses.append((("vehicles", vid, *at), cur))
    rated = listing(["USD", *a.fx])
    found: list[Problem] = [
        (path, f"currency '{cur}' has no rate in 'fx' (rates for: {rated})")
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
    ids: set[str] = set()
    for i, h in enumerate(a.pool.holdings):
        if h.id in ids:
            found.append((("pool", "holdings", i, "id"), f"holding id '{h.id}' is used twice"))
        ids.add(h.id)
    selectable = {"europe", "other", *ids}
    funded = {c.vehicle for c in a.pool.allocation}
    for i, c in enumerate(a.pool.allocation):
        path = ("pool", "allocation", i)
        if c.vehicle != STAYS_FROZEN and c.vehicle not in a.vehicles:
            found.append(
                (
                    (*path, "vehicle"),
                    f"{shown(c.vehicle)} is not a vehicle (vehicles: {listing(a.vehicles)}; "
                    f"or '{STAYS_FROZEN}')",
                )
            )
        elif c.vehicle in a.vehicles and _capital_from(a.vehicles[c.vehicle]) != "pool":
            found.append(((*path, "vehicle"), f"vehicle '{c.vehicle}' does not take pool capital"))
        for j, s in enumerate(c.from_):
            if s not in selectable:
                found.append(
                    (
                        (*path, "from", j),
                        f"{shown(s)} is neither a region (europe, other) nor a holding id",
                    )
                )
    for vid, v in a.vehicles.items():
        if _capital_from(v) == "pool" and vid not in funded:
            found.append(
                (
                    ("vehicles", vid, "capital", "from"),
                    "takes pool capital but no carve-out names it",
                )
            )
    return found


def _capital_from(v: Vehicle) -> str | None:
    return v.capital.from_ if v.capital is not None else None


def _vehicle_problems(a: Assumptions) -> list[Problem]:
    found: list[Problem] = []
    lenders = [k for k, o in a.vehicles.items() if o.kind is not VehicleKind.loan]
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
        for i, c in enumerate(_contributions(v)):
            if c.before_start and v.kind is not VehicleKind.loan:
                found.append(
                    (
                        (*path, "capital", "contributions", i, "before_start"),
                        "only a loan has money lent before the start",
                    )
                )
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
        found += _stream_problems(path, v)
        found += _loan_problems(lenders, path, v)
        if v.waterfall is None:
            continue
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
                found.append(((*path, "readings", i), f"reading {shown(r)} is not in 'readings'"))
    return found


#: Settings each kind of vehicle uses; any other set in a file would be silently ignored.
_USES = {
    VehicleKind.fund: {
        "capital",
        "deployment",
        "cash_rate",
        "return_",
        "payout",
        "term_years",
        "fee",
        "waterfall",
    },
    VehicleKind.grant: {"capital", "waterfall"},
    VehicleKind.release: {"capital", "release", "cash_rate", "waterfall"},
    VehicleKind.stream: {"stream", "waterfall"},
    VehicleKind.loan: {"capital", "loan"},
}
#: Settings each kind cannot do without.
_NEEDS = {
    VehicleKind.fund: ("capital", "waterfall"),
    VehicleKind.grant: ("capital", "waterfall"),
    VehicleKind.release: ("capital", "waterfall"),
    VehicleKind.stream: ("stream", "waterfall"),
    VehicleKind.loan: ("capital", "loan"),
}
_KIND_SETTINGS = set().union(*_USES.values())


def _kind_problems(path: tuple[str | int, ...], v: Vehicle) -> list[Problem]:
    """Settings a vehicle's kind needs but lacks, or does not use (an error, not a no-op)."""
    fields = Vehicle.model_fields
    found: list[Problem] = [
        ((*path, fields[f].alias or f), f"a {v.kind.value} needs this setting")
        for f in _NEEDS[v.kind]
        if getattr(v, f) is None
    ]
    unused = (v.model_fields_set & _KIND_SETTINGS) - _USES[v.kind]
    found += [
        ((*path, fields[f].alias or f), f"a {v.kind.value} does not use this setting")
        for f in sorted(unused)
        if getattr(v, f) is not None
    ]
    return found


def _stream_problems(path: tuple[str | int, ...], v: Vehicle) -> list[Problem]:
    """A stream's waterfall only splits; its energy prices by party need the energy split."""
    if v.kind is not VehicleKind.stream or v.stream is None or v.waterfall is None:
        return []
    w, found = v.waterfall, []
    for name in ("capital_to", "hurdle"):
        if getattr(w, name) is not None:
            found.append(
                ((*path, "waterfall", name), "a stream passes every payment to profit_split")
            )
    e = v.stream.energy
    if e is not None and e.price_per_mwh_by_party and e.split_as != "energy":
        found.append(
            (
                (*path, "stream", "energy", "price_per_mwh_by_party"),
                "prices by party value shares of the energy: set split_as: energy",
            )
        )
    return found


def _loan_problems(lenders: list[str], path: tuple[str | int, ...], v: Vehicle) -> list[Problem]:
    """A loan is lent by parties (not the pool) and serviced from another, existing vehicle
    (``lenders``: the vehicles that are not loans, which a loan may be serviced from)."""
    if v.kind is not VehicleKind.loan or v.loan is None or v.capital is None:
        return []
    found: list[Problem] = []
    if v.capital.contributions is None:
        found.append(((*path, "capital"), "a loan is lent by parties: give contributions"))
    src = v.loan.serviced_from
    if src is not None and src not in lenders:
        found.append(
            (
                (*path, "loan", "serviced_from"),
                f"{shown(src)} is not a vehicle to service the loan from "
                f"(any other vehicle but a loan: {listing(lenders) or 'none'})",
            )
        )
    return found


#: The largest rate a file may give without ``allow_high_rates: true``: 100% a year.
MAX_RATE = 1.0


def rates(a: Assumptions) -> list[tuple[tuple[str | int, ...], float]]:
    """Every annual rate in ``a`` with its key path: the discount rate, and each vehicle's
    return (rate or path), cash rate, fee, hurdle and loan rates, as far as its kind uses them.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> [".".join(map(str, p)) for p, _ in rates(load("base"))][:4]
    ['discount_rate', 'vehicles.us_led_fund.return.rate', 'vehicles.us_led_fund.cash_rate', \
'vehicles.unfrozen_european_assets.cash_rate']
    """
    out: list[tuple[tuple[str | int, ...], float]] = [(("discount_rate",), a.discount_rate)]
    for vid, v in a.vehicles.items():
        at, uses = ("vehicles", vid), _USES[v.kind]  # a kind's own rates, not unused defaults
        if "return_" in uses and v.return_.rate is not None:
            out.append(((*at, "return", "rate"), v.return_.rate))
        if "return_" in uses:
            out += [((*at, "return", "path", i), x) for i, x in enumerate(v.return_.path or [])]
        if "cash_rate" in uses:
            out.append(((*at, "cash_rate"), v.cash_rate))
        if v.fee is not None:
            out.append(((*at, "fee", "rate"), v.fee.rate))
        if v.waterfall is not None and v.waterfall.hurdle is not None:
            out.append(((*at, "waterfall", "hurdle", "rate"), v.waterfall.hurdle.rate))
        if v.loan is not None:
            out.append(((*at, "loan", "rate"), v.loan.rate))
    return out


def rate_problems(a: Assumptions) -> list[Problem]:
    """Rates above 1 (100% a year): most likely a percentage typed for a decimal (5 for 0.05).
    A file that means them says ``allow_high_rates: true``.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> a = load("base", {"discount_rate": 5.0, "allow_high_rates": True})
    >>> rate_problems(a), rate_problems(BaseModel.model_copy(a, update={"allow_high_rates": False}))
    ([], [(('discount_rate',), 'is 5, a rate above 1 (500% a year); rates are decimals: did you \
mean 0.05? (if 500% is meant, set allow_high_rates: true)')])
    """
    if a.allow_high_rates:
        return []
    return [
        (
            path,
            f"is {x:g}, a rate above 1 ({x:.0%} a year); rates are decimals: did you mean "
            f"{x / 100:g}? (if {x:.0%} is meant, set allow_high_rates: true)",
        )
        for path, x in rates(a)
        if x > MAX_RATE
    ]


def _correlation_problems(a: Assumptions) -> list[Problem]:
    if a.correlation is None:
        return []
    funds = funds_with_returns(a)
    n = len(funds)
    path: tuple[str | int, ...] = ("correlation",)
    if len(a.correlation) != n or any(len(row) != n for row in a.correlation):
        return [
            (
                path,
                f"must be a {n}x{n} matrix, one row per fund in file order ({listing(funds)})",
            )
        ]
    c = np.asarray(a.correlation, dtype=float)
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


def funds_with_returns(a: Assumptions) -> list[str]:
    """The vehicles that earn a return (kind ``fund``), in file order: ``correlation``'s rows.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> funds_with_returns(load("base"))
    ['us_led_fund', 'us_russia_instrument']
    """
    return [vid for vid, v in a.vehicles.items() if v.kind is VehicleKind.fund]


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
        elif (
            isinstance(node, (list, tuple)) and re.fullmatch(r"\d+", part) and int(part) < len(node)
        ):
            node = node[int(part)]
        else:
            return False
    return isinstance(node, (int, float)) and not isinstance(node, bool)
