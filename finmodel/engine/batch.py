"""What the engine takes: frozen dataclasses of arrays with a leading scenario axis.

One scenario is a batch of one. :func:`finmodel.inputs.compile.compile_batch` builds a batch from
validated assumptions; sweeps and simulations build batches of many by replacing arrays here (a
return path, a rate, a share), never by looping over scenarios in the engine. The engine reads
nothing else: no pydantic model reaches it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from finmodel.engine.pool import PoolSplit
from finmodel.engine.timeline import Timeline
from finmodel.kinds import Array, Basis, FeeBasis, RepaymentStyle, VehicleKind

#: A compiled input by its path: ("discount_rate",), ("pool", "taken"), ("vehicle_ids",),
#: ("vehicles", vehicle id, field).
FieldPath = tuple[str | int, ...]


@dataclass(frozen=True)
class VehicleInputs:
    """One vehicle's parameters. Arrays are (n_scenarios, ...) or broadcast from 1.

    contributions : (n_scenarios, n_parties, columns) USD paid in by each party (>= 0)
    deploy_target : (n_scenarios, columns) cumulative fraction of committed capital deployed by k
    release_share : (n_scenarios, columns) fraction of the balance released at period k (release)
    return_rate : (n_scenarios, columns) per-period project return
    cash_rate, payout, fee_rate, hurdle_rate : (n_scenarios, 1) per-period rates and shares
    term : (n_scenarios,) int, the liquidation period (n_periods + 1 or more: past the horizon)
    capital_to, profit_split : (n_scenarios, n_parties) shares; capital_to None = contributors
    revenue : (n_scenarios, columns) USD a stream earns from outside (None: nothing)
    return_paid_by : (n_scenarios, n_parties) shares of a fund's projects' return each party
        pays into it (None: the return comes from outside)
    loan : a loan's terms (None for other kinds)
    """

    id: str
    kind: VehicleKind
    basis: Basis
    contributions: Array
    deploy_target: Array
    release_share: Array
    return_rate: Array
    cash_rate: Array
    payout: Array
    term: np.ndarray
    fee_rate: Array
    fee_basis: FeeBasis
    fee_to: Array
    hurdle_rate: Array
    hurdle_to: Array
    capital_to: Array | None
    profit_split: Array
    revenue: Array | None = None
    opening: Array | None = None
    borrower: Array | None = None
    loan_rate: Array | None = None
    repay_first: int = 0
    repay_last: int = 0
    serviced_from: str | None = None
    funds_reconstruction: bool = False
    repay_style: RepaymentStyle = RepaymentStyle.equal_principal
    return_paid_by: Array | None = None

    @property
    def size(self) -> int:
        """Scenarios this vehicle's inputs span: 1 when no array varies across the batch."""
        arrays = [getattr(self, f) for f in self.__dataclass_fields__]
        return max(x.shape[0] for x in arrays if isinstance(x, np.ndarray) and x.ndim)



@dataclass(frozen=True)
class Batch:
    """Everything the engine needs for n_scenarios scenarios of one timeline."""

    names: Sequence[str]  # a scenario's name each: its length is n_scenarios
    timeline: Timeline
    parties: list[str]
    owner: int
    discount_rate: Array  # (n_scenarios,) or (1,)
    claims_recovery: Array  # (n_scenarios,) or (1,): the pool owner's share of its claims
    party_discount: Array  # (n_scenarios or 1, n_parties): each party's own annual rate
    pool: PoolSplit  # arrays (n_scenarios, ...) or (1, ...)
    pool_uses: list[str]  # the carve-outs' vehicle ids, in order
    vehicles: list[VehicleInputs]

    @property
    def n_scenarios(self) -> int:
        return len(self.names)


def by_path(b: Batch) -> dict[FieldPath, Any]:
    """A batch's inputs by path: ("discount_rate",), ("pool", "taken"), ("vehicle_ids",),
    ("vehicles", vehicle id, field)... (the names aside)."""
    out: dict[FieldPath, Any] = {}
    for f in dataclasses.fields(b):
        value = getattr(b, f.name)
        if f.name == "vehicles":
            out[("vehicle_ids",)] = tuple(v.id for v in value)
            for v in value:
                for g in dataclasses.fields(v):
                    out[("vehicles", v.id, g.name)] = getattr(v, g.name)
        elif f.name == "pool":
            for g in dataclasses.fields(value):
                out[("pool", g.name)] = getattr(value, g.name)
        elif f.name != "names":
            out[(f.name,)] = value
    return out



def from_paths(inputs: dict[FieldPath, Any], names: Sequence[str]) -> Batch:
    """The batch whose inputs by path are ``inputs`` (as :func:`by_path` gives them), named
    ``names``."""
    vehicles = [
        VehicleInputs(**{g.name: inputs[("vehicles", vid, g.name)]
                         for g in dataclasses.fields(VehicleInputs)})
        for vid in inputs[("vehicle_ids",)]
    ]  # fmt: skip
    pool = PoolSplit(**{g.name: inputs[("pool", g.name)] for g in dataclasses.fields(PoolSplit)})
    top = {
        f.name: inputs[(f.name,)]
        for f in dataclasses.fields(Batch)
        if f.name not in ("names", "vehicles", "pool")
    }
    return Batch(names=names, vehicles=vehicles, pool=pool, **top)
