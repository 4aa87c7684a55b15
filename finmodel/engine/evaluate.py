"""The engine: a batch of scenarios in, every vehicle's schedule and every payment out.

Pure numpy. The data flow is pool -> schedule -> waterfall; :mod:`finmodel.engine.metrics` then
reduces the result and checks that the money adds up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodel.engine.batch import Batch
from finmodel.engine.schedule import Schedule, schedule
from finmodel.engine.waterfall import Allocation, allocations
from finmodel.kinds import Array


@dataclass(frozen=True)
class Outcome:
    """What a batch produces: each vehicle's schedule, and every payment to or from a party.

    A vehicle whose inputs are the same in every scenario of the batch is computed once: its
    schedule and payments have a leading axis of 1 and broadcast against the batch.
    """

    batch: Batch
    schedules: dict[str, Schedule]
    allocations: list[Allocation]

    def party_flows(self) -> Array:
        """Every party's net flow per period, shape (n_scenarios, n_parties, columns)."""
        b = self.batch
        out = np.zeros((b.n_scenarios, len(b.parties), b.timeline.columns))
        for a in self.allocations:
            out += a.by_party()
        return out

    def received_from(self, vehicle: str) -> Array:
        """USD each party received from ``vehicle``, not counting contributions: (n, n_parties)."""
        return _sum_party(self, lambda a: a.vehicle == vehicle and not a.flow.is_paid)

    def paid_to(self, vehicle: str) -> Array:
        """USD each party paid into ``vehicle``, as positive numbers, (n_scenarios, n_parties)."""
        return -_sum_party(self, lambda a: a.vehicle == vehicle and a.flow.is_paid)


def _sum_party(o: Outcome, keep) -> Array:
    b = o.batch
    out = np.zeros((b.n_scenarios, len(b.parties)))
    for a in o.allocations:
        if keep(a):
            out += a.amount.sum(axis=1)[:, None] * a.shares
    return out


def evaluate(batch: Batch) -> Outcome:
    """Run every vehicle of ``batch``: schedules, then the waterfall.

    Examples
    --------
    >>> from finmodel.inputs.compile import compile_batch
    >>> from finmodel.inputs.loader import load
    >>> o = evaluate(compile_batch(load("base")))
    >>> sorted(o.schedules) == sorted(load("base").vehicles)
    True
    """
    # a vehicle whose inputs do not vary runs once and broadcasts (shape (1, columns));
    # a loan serviced from another vehicle runs after it, on what its borrower received
    schedules: dict[str, Schedule] = {}
    paid: dict[str, list[Allocation]] = {}
    for v in sorted(batch.vehicles, key=lambda v: v.serviced_from is not None):
        available: Array | None = None
        if v.serviced_from is not None:
            assert v.borrower is not None  # a loan's, which compile sets
            borrower = v.borrower[0]
            received = sum(
                a.amount * (a.shares @ borrower)[:, None]
                for a in paid[v.serviced_from]
                if not a.flow.is_paid
            )
            available = np.zeros((1, batch.timeline.columns)) + received
        n = v.size if available is None else max(v.size, available.shape[0])
        schedules[v.id] = schedule(v, n, available)
        paid[v.id] = allocations(v, schedules[v.id])
    schedules = {v.id: schedules[v.id] for v in batch.vehicles}
    allocs = [a for v in batch.vehicles for a in paid[v.id]]
    return Outcome(batch=batch, schedules=schedules, allocations=allocs)
