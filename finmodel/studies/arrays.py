"""Array keys: inputs whose compiled arrays can be computed for a whole column of values at
once, one value per scenario, element by element as the single run computes them for one, and
put into a batch compiled once (as a simulation puts in its sampled returns).

They are the keys that set one of a vehicle's rates, each compiled by one setting function
(:data:`finmodel.inputs.compile.SETTING_FIELDS`: ``return.rate`` without a path,
``cash_rate``, ``payout``, ``fee.rate`` and ``waterfall.hurdle.rate`` where the section exists),
and, outside the vehicles, the ``discount_rate`` and ``claims.recovery``. A sensitivity study
(:mod:`finmodel.studies.sensitivity`) and a break-even (:mod:`finmodel.studies.solve`) use
them; the tests check each value against the single run, bit for bit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from finmodel.engine.batch import Batch
from finmodel.engine.timeline import Timeline
from finmodel.inputs.models.scenario import Assumptions
from finmodel.kinds import Array

#: What an array key sets: the compiled field, and how a column of values (n,) becomes it,
#: as the setting's function in finmodel.inputs.compile computes it for one value.
ArrayKey = tuple[str, Callable[[Timeline, Array], Array]]
_VEHICLE_ARRAYS: dict[str, ArrayKey] = {
    "return.rate": ("return_rate", lambda tl, x: tl.period_rates(x[:, None])),
    "cash_rate": ("cash_rate", lambda tl, x: tl.per_period(x[:, None])),
    "payout": ("payout", lambda tl, x: x[:, None].copy()),
    "fee.rate": ("fee_rate", lambda tl, x: tl.per_period(x[:, None])),
    "waterfall.hurdle.rate": ("hurdle_rate", lambda tl, x: tl.per_period(x[:, None])),
}


#: Keys outside a vehicle whose compiled field is their value, one per scenario, as
#: ``compile_batch`` sets it (the discount rate also sets each party's without a rate of its own).
_TOP_ARRAYS: dict[str, ArrayKey] = {
    "discount_rate": ("discount_rate", lambda tl, x: np.asarray(x, dtype=float)),
    "claims.recovery": ("claims_recovery", lambda tl, x: np.asarray(x, dtype=float)),
}


def array_key(a: Assumptions, key: str) -> tuple[str | None, ArrayKey] | None:
    """(vehicle id or None for the discount rate, what it sets) if ``key`` is an array key."""
    if key in _TOP_ARRAYS:
        return None, _TOP_ARRAYS[key]
    parts = key.split(".", 2)
    if len(parts) < 3 or parts[0] != "vehicles" or parts[1] not in a.vehicles:
        return None
    v, setting = a.vehicles[parts[1]], parts[2]
    present = {
        "return.rate": v.return_ is not None and v.return_.path is None,
        "cash_rate": True,
        "payout": True,
        "fee.rate": v.fee is not None,
        "waterfall.hurdle.rate": v.waterfall is not None and v.waterfall.hurdle is not None,
    }
    if not present.get(setting, False):
        return None
    return parts[1], _VEHICLE_ARRAYS[setting]


def repeated(b: Batch, n: int) -> Batch:
    """``b`` (one scenario) as a batch of ``n`` scenarios, its inputs broadcast along the
    scenario axis until :func:`with_arrays` gives some of them a value per scenario."""
    return dataclasses.replace(b, names=[b.names[0]] * n)


def _party_discount(b: Batch, a: Assumptions, rate: Array) -> Array:
    """Each party's discount rate per scenario, (n, parties), as compile sets it: its own from
    ``party_discount_rates``, else the scenario's ``rate``."""
    own = [a.party_discount_rates.get(p) for p in b.parties]
    return np.stack([np.full(rate.shape, r, dtype=float) if r is not None else rate for r in own],
                    axis=-1)  # fmt: skip


def with_arrays(b: Batch, a: Assumptions, columns: dict[str, Array]) -> Batch:
    """``b`` with each array key's compiled field computed from its column of values (one
    value per scenario of ``b``)."""
    tl = b.timeline
    top: dict = {}
    moved: dict[str, dict] = {}
    for key, x in columns.items():
        found = array_key(a, key)
        assert found is not None, key
        vid, (field, compile_) = found
        if vid is None:
            top[field] = compile_(tl, x)
            if field == "discount_rate":  # and every party without a rate of its own
                top["party_discount"] = _party_discount(b, a, top[field])
        else:
            moved.setdefault(vid, {})[field] = compile_(tl, x)
    vehicles = [dataclasses.replace(v, **moved[v.id]) if v.id in moved else v for v in b.vehicles]
    return dataclasses.replace(b, vehicles=vehicles, **top)
