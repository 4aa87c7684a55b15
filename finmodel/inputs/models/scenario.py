"""A whole scenario, :class:`Assumptions`: the model's only input, validated once, at the edge.

An :class:`Assumptions` exists only validated, cross-field checks included
(:func:`finmodel.inputs.checks.problems`), and stays so: it is immutable all the way down, and
``model_copy(update=...)`` validates the copy as a file would be. Counts and dates stay within
:mod:`finmodel.limits`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import AfterValidator, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from finmodel import limits
from finmodel.exceptions import InputError, also
from finmodel.inputs.checks import nearest_of, problems
from finmodel.inputs.models.base import (
    CURRENCY,
    Amount,
    Ident,
    Model,
    Num,
    Problem,
    Rate,
    Reading,
    ReadOnlyDict,
    Source,
    Table,
    exactly_one,
)
from finmodel.inputs.models.pool import Pool
from finmodel.inputs.models.vehicle import Vehicle
from finmodel.inputs.names import name_problem
from finmodel.kinds import Frequency


class TimelineSpec(Model):
    """The timeline as the file gives it (the engine's is
    :class:`finmodel.engine.timeline.Timeline`)."""

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
        exactly_one(self, "rate", "path")
        return self



class Party(Model):
    name: str = Field(min_length=1)



class Claims(Model):
    """How a party's claims at the horizon are valued beside its NPV.

    ``recovery``: the probability-weighted share of its claims that the pool's owner recovers
    at the horizon (the immobilised principal it keeps title to). Every other party's claims
    (a fund's or a loan's value at the horizon) count in full. 0 values the owner's claims at
    nothing, as the NPV without claims does.
    """

    recovery: Annotated[float, Field(strict=True, ge=0.0, le=1.0, allow_inf_nan=False)] = 0.0
    source: Source | None = None



class Need(Model):
    """An estimate of reconstruction needs: ``amount_bn`` over ``years`` from the start.

    ``first_year_bn`` is the first year's need (the published priority need); the rest of the
    amount falls evenly on the other years. Without it the whole amount falls evenly.
    """

    id: Ident
    name: str | None = None
    amount_bn: Amount
    currency: str = Field(default="USD", pattern=CURRENCY)
    years: int = Field(strict=True, ge=1, le=100)
    first_year_bn: Amount | None = None
    source: Source | None = None



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

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.=+-]*$", max_length=80)
    description: str | None = None
    extends: str | None = None
    timeline: TimelineSpec
    discount_rate: Rate
    #: how claims at the horizon are valued beside the NPV (``npv_with_claims``)
    claims: Claims = Field(default_factory=Claims)
    #: a party's own discount rate (its cost of capital) for its NPV; others: ``discount_rate``
    party_discount_rates: Table[Ident, Rate] = Field(
        default={}, validate_default=True, max_length=limits.MAX_PARTIES
    )
    fx: Table[Annotated[str, Field(pattern=CURRENCY)], FxRate] = Field(
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

        problem = name_problem(name)
        if problem:
            raise PydanticCustomError("reserved_name", problem)
        return name

    @model_validator(mode="after")
    def _consistent(self) -> Assumptions:
        # raised as it is (pydantic wraps only ValueError): the loader maps each key path
        # of ``found`` to its file and line
        found = [
            (("party_discount_rates", p), f"'{p}' is not a party: declare it under parties"
                                          + nearest_of(p, list(self.parties)))
            for p in self.party_discount_rates
            if p not in self.parties
        ] + problems(self)
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
        others = [f"{'.'.join(str(p) for p in at)}: {text}" for at, text in found[1:]]
        super().__init__(message + also(others), field=".".join(str(p) for p in path))
