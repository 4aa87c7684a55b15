"""The per-scenario numbers a study keeps of each of its scenarios: every party's and every
vehicle's metrics, one array each, in the order of :data:`PARTY_METRICS` and
:data:`VEHICLE_METRICS`. A sweep's table, a simulation's statistics and a comparison's rows all
name their metrics from these two lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from finmodel.engine.evaluate import Outcome
from finmodel.engine.metrics import claims_value, party_metrics, terminal_claims, vehicle_metrics
from finmodel.kinds import Array

#: A party's metrics, USD: what it received, paid, its net, NPV, claim on terminal values and
#: NPV with that claim valued (:mod:`finmodel.engine.claims_value`).
PARTY_METRICS = ("received", "paid", "net", "npv", "terminal_claim", "npv_with_claims")
#: A vehicle's metrics: USD contributed, distributed and profit, then MOIC, IRR (annual), NPV.
VEHICLE_METRICS = ("contributed", "distributed", "profit", "moic", "irr", "npv")


@dataclass(frozen=True)
class Measures:
    """party : (n_scenarios, n_parties, len(PARTY_METRICS)); vehicle : (n_scenarios,
    n_vehicles, len(VEHICLE_METRICS)), in the batch's order of parties and vehicles."""

    party: Array
    vehicle: Array

    def of_party(self, j: int, metric: str) -> Array:
        """Party ``j``'s ``metric`` in each scenario, shape (n_scenarios,)."""
        return self.party[:, j, PARTY_METRICS.index(metric)]

    def of_vehicle(self, i: int, metric: str) -> Array:
        """Vehicle ``i``'s ``metric`` in each scenario, shape (n_scenarios,)."""
        return self.vehicle[:, i, VEHICLE_METRICS.index(metric)]


def measure(o: Outcome) -> Measures:
    """Every party's and vehicle's metrics in each scenario of ``o``.

    Examples
    --------
    >>> from finmodel.engine.evaluate import evaluate
    >>> from finmodel.inputs.compile import compile_batch
    >>> from finmodel.inputs.loader import load
    >>> m = measure(evaluate(compile_batch(load("base"))))
    >>> m.party.shape, m.vehicle.shape
    ((1, 5, 6), (1, 8, 6))
    >>> bool(m.of_party(0, "net")[0] == m.of_party(0, "received")[0] - m.of_party(0, "paid")[0])
    True
    """
    pm = party_metrics(o)
    by_vehicle = terminal_claims(o)[0]  # (n, vehicles, parties)
    claims = by_vehicle.sum(axis=1)
    extra = {"terminal_claim": claims, "npv_with_claims": pm.npv + claims_value(o, by_vehicle)}
    party = np.stack([extra[m] if m in extra else getattr(pm, m) for m in PARTY_METRICS], axis=-1)
    vms = [vehicle_metrics(o, v.id) for v in o.batch.vehicles]
    vehicle = np.stack(
        [np.stack([getattr(vm, m) for m in VEHICLE_METRICS], axis=-1) for vm in vms], axis=1
    )
    return Measures(party=party, vehicle=vehicle)
