"""The frozen-asset pool as the assumption file gives it: holdings (the sources) and the ordered
carve-outs that allocate them (the uses).

That the carve-outs fit the holdings, and that every dollar goes to one of them, is checked in
:func:`finmodel.inputs.checks.allocation_problems`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from finmodel import limits
from finmodel.inputs.models.base import CURRENCY, Amount, Ident, Model, Source, exactly_one
from finmodel.kinds import Method

#: The reserved carve-out target for assets that stay immobilised.
STAYS_FROZEN = "stays_frozen"



class Holding(Model):
    id: Ident
    name: str | None = None
    region: Literal["europe", "other"]
    amount_bn: Amount
    currency: str = Field(default="USD", pattern=CURRENCY)
    source: Source | None = None



class Carveout(Model):
    """One use of the pool: a fixed ``amount_bn`` or the ``remainder`` of its selection."""

    vehicle: str = Field(min_length=1)
    amount_bn: Amount | None = None
    amount: Literal["remainder"] | None = None
    currency: str = Field(default="USD", pattern=CURRENCY)
    from_: tuple[str, ...] = Field(alias="from", min_length=1, max_length=limits.MAX_HOLDINGS)
    method: Method = Method.pro_rata

    @model_validator(mode="after")
    def _one_of(self) -> Carveout:
        exactly_one(self, "amount_bn", "amount")
        return self



class Pool(Model):
    owner: str
    holdings: tuple[Holding, ...] = Field(min_length=1, max_length=limits.MAX_HOLDINGS)
    allocation: tuple[Carveout, ...] = Field(min_length=1, max_length=limits.MAX_CARVEOUTS)
