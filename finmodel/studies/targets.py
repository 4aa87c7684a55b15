"""What a break-even or a sensitivity study reads off a run: a metric named as in the summary
(``parties.us.npv``, ``vehicles.us_led_fund.irr``), and the inputs it may move (the numeric
keys of the assumptions), with the nearest names suggested for a misspelt one.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from finmodel.engine.evaluate import Outcome
from finmodel.engine.metrics import claims_value, party_metrics, terminal_claims, vehicle_metrics
from finmodel.exceptions import InputError
from finmodel.inputs.models.scenario import Assumptions
from finmodel.kinds import Array

#: A party's metrics, as the summary names them (USD).
PARTY_FIELDS = ("received", "paid", "net", "npv", "terminal_claim", "npv_with_claims")
#: A party's metrics on one vehicle, ``parties.PARTY.by_vehicle.VEHICLE.FIELD`` (USD).
BY_VEHICLE_FIELDS = (
    "received", "paid", "net", "profit_received", "terminal_claim", "profit_claim", "npv"
)  # fmt: skip
#: A vehicle's metrics, as the summary names them (USD; MOIC and IRR as ratios).
VEHICLE_FIELDS = (
    "contributed", "distributed", "fees", "terminal_value", "profit", "moic", "irr", "npv"
)  # fmt: skip


METRIC_HINT = (
    "; metrics are parties.PARTY.FIELD, parties.PARTY.by_vehicle.VEHICLE.FIELD or "
    "vehicles.VEHICLE.FIELD, as in NAME.summary.json"
)
KEY_HINT = "; keys are dotted paths as --set takes them (`finmodel schema` lists them)"


@dataclass(frozen=True)
class Metric:
    """A metric of one party or one vehicle: ``entity`` is "parties" or "vehicles";
    ``vehicle`` names the vehicle of a party's ``by_vehicle`` metric."""

    entity: str
    id: str
    field: str
    vehicle: str | None = None

    @property
    def name(self) -> str:
        if self.vehicle is not None:
            return f"{self.entity}.{self.id}.by_vehicle.{self.vehicle}.{self.field}"
        return f"{self.entity}.{self.id}.{self.field}"

    def of(self, o: Outcome) -> Array:
        """The metric in each scenario of ``o``, shape (n_scenarios,), computed as the
        summary computes it (NaN where it is undefined, an IRR with no sign change).

        Examples
        --------
        >>> import finmodel
        >>> from finmodel.inputs.loader import load
        >>> r = finmodel.run(load("base"))
        >>> m = metric(load("base"), "parties.us.npv")
        >>> float(m.of(r.outcome)[0]) == r.summary["parties"]["us"]["npv"]
        True
        """
        if self.entity == "vehicles":
            return np.asarray(getattr(vehicle_metrics(o, self.id), self.field), dtype=float)
        j = list(o.batch.parties).index(self.id)
        if self.vehicle is not None:
            return _by_vehicle(o, list(o.schedules).index(self.vehicle), self.field)[:, j]
        if self.field == "terminal_claim":
            return terminal_claims(o)[0][:, :, j].sum(axis=1)
        if self.field == "npv_with_claims":
            pm = party_metrics(o)
            return (pm.npv + claims_value(o, terminal_claims(o)[0]))[:, j]
        return getattr(party_metrics(o), self.field)[:, j]


def _by_vehicle(o: Outcome, i: int, field: str) -> Array:
    """Every party's ``field`` on vehicle ``i``, (n_scenarios, n_parties), as the summary's
    ``by_vehicle`` table computes it."""
    if field in ("terminal_claim", "profit_claim"):
        return terminal_claims(o)[field == "profit_claim"][:, i, :]
    pm = party_metrics(o)
    received, paid = pm.received_by_vehicle[:, i, :], pm.paid_by_vehicle[:, i, :]
    by = {
        "received": received,
        "paid": paid,
        "net": received - paid,
        "profit_received": pm.profit_by_vehicle[:, i, :],
        "npv": pm.npv_by_vehicle[:, i, :],
    }
    return by[field]


def metric_names(a: Assumptions) -> list[str]:
    """Every metric name of ``a``, in the summary's order.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> names = metric_names(load("base"))
    >>> "parties.us.npv" in names, "vehicles.us_led_fund.irr" in names
    (True, True)
    """
    out = []
    for p in a.parties:
        out += [f"parties.{p}.{f}" for f in PARTY_FIELDS]
        out += [f"parties.{p}.by_vehicle.{v}.{f}" for v in a.vehicles for f in BY_VEHICLE_FIELDS]
    return out + [f"vehicles.{v}.{f}" for v in a.vehicles for f in VEHICLE_FIELDS]


def metric(a: Assumptions, name: str, where: str = "--target") -> Metric:
    """The metric ``name`` of ``a``; an unknown one is bad input, with the nearest names.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> metric(load("base"), "parties.ukraine.npv").id
    'ukraine'
    >>> metric(load("base"), "parties.ukriane.npv")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: --target: parties.ukriane.npv: unknown metric; did you mean ...
    """
    if name in metric_names(a):
        parts = name.split(".")
        if len(parts) == 5:  # parties.PARTY.by_vehicle.VEHICLE.FIELD
            return Metric(parts[0], parts[1], parts[4], vehicle=parts[3])
        return Metric(*parts)
    raise InputError(
        f"unknown metric{nearest(name, metric_names(a), METRIC_HINT)}", file=where, field=name
    )


def nearest(name: str, names: list[str], hint: str = "") -> str:
    """``; did you mean X?`` (or X, Y or Z) for the names closest to ``name``; else ``hint``.

    Examples
    --------
    >>> nearest("discount_rat", ["discount_rate", "fx.EUR.rate"])
    '; did you mean discount_rate?'
    """
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    if close:
        return f"; did you mean {' or '.join(close)}?"
    return hint


def numeric_keys(a: Assumptions) -> dict[str, float]:
    """Every number the assumptions set, by its key path (as ``--set`` takes it); a whole
    number too (an amount may be written 100), as a float.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> numeric_keys(load("base"))["vehicles.us_led_fund.return.rate"]
    0.08
    """
    return {k: float(v) for k, v in _numbers(a).items()}


def whole_number_keys(a: Assumptions) -> set[str]:
    """The keys of numbers that must be whole (years, counts: a field of integers). A decimal
    field holds a float even where the file writes 100, so a key whose value is an int is one.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> keys = whole_number_keys(load("base"))
    >>> "vehicles.us_led_fund.term_years" in keys, "discount_rate" in keys
    (True, False)
    """
    return {k for k, v in _numbers(a).items() if isinstance(v, int)}


def _numbers(a: Assumptions) -> dict[str, int | float]:
    out: dict[str, int | float] = {}

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(node, (list, tuple)):
            for i, v in enumerate(node):
                walk(v, f"{path}.{i}")
        elif isinstance(node, (int, float)) and not isinstance(node, bool) and math.isfinite(node):
            out[path] = node

    walk(a.model_dump(mode="python", by_alias=True), "")
    return out


def continuous_key(a: Assumptions, name: str, where: str) -> float:
    """The value of the number at key ``name``; a key that is not one (unknown, or not a
    decimal number) is bad input, with the nearest keys.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> continuous_key(load("base"), "discount_rate", "--vary")
    0.04
    >>> continuous_key(load("base"), "discount_rat", "--vary")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: --vary: discount_rat: ...; did you mean discount_rate?
    """
    keys = numeric_keys(a)
    if name in keys:
        return keys[name]
    raise InputError(
        f"not a number the assumptions set{nearest(name, list(keys), KEY_HINT)}", file=where,
        field=name,
    )
