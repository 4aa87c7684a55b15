"""Names a person reads: a key path, a party or a result column as a label with its unit.

Every table a person reads (the run report, sweep, simulation, tornado and compare workbooks,
the console) names an input by its label and unit, taken from the assumptions, with the key
path beside it where an analyst needs it for ``--set``. This module is the one place that
turns a key path into words; it is pure (no I/O) and reads only the assumptions it is given.

API
---
:func:`label` (a key path -> :class:`Label`: words, unit, kind), :func:`party_name`,
:func:`vehicle_name`, :func:`column_label` (a result column such as ``us.npv`` or
``us_led_fund.irr``), :func:`show` (a value as text in its unit: ``8.0%``, ``100.00``).

The kind of a value decides how it is shown: ``rate`` and ``share`` as percentages, ``amount``
as bn of its currency with two decimals, ``fx`` as a plain number (USD per unit), ``years``
and ``count`` as whole numbers.

Examples
--------
>>> from finmodel.inputs.loader import load
>>> a = load("base")
>>> label(a, "vehicles.us_led_fund.return.rate").full
'US-led reconstruction fund: return rate, % a year'
>>> label(a, "pool.allocation.0.amount_bn").full
'Allocation to the US-led reconstruction fund, USD bn'
>>> label(a, "fx.EUR.rate").full
'Exchange rate of the EUR, USD per EUR'
>>> column_label(a, "us.npv")
'United States: NPV, USD bn'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions

Kind = Literal["rate", "share", "amount", "fx", "price", "years", "count", "other"]

#: The last segment(s) of a key path in words, with the kind of value they hold.
_FIELDS: dict[tuple[str, ...], tuple[str, Kind]] = {
    ("return", "rate"): ("return rate", "rate"),
    ("return", "uncertainty", "vol"): ("return volatility", "rate"),
    ("cash_rate",): ("cash rate", "rate"),
    ("payout",): ("payout share of profit", "share"),
    ("term_years",): ("term", "years"),
    ("deployment", "years"): ("deployment period", "years"),
    ("release", "years"): ("release period", "years"),
    ("fee", "rate"): ("fee rate", "rate"),
    ("hurdle", "rate"): ("hurdle rate", "rate"),
    ("loan", "rate"): ("loan rate", "rate"),
    ("repayment", "grace_years"): ("loan grace period", "years"),
    ("repayment", "years"): ("loan repayment period", "years"),
    ("stream", "amount_bn"): ("payment a year", "amount"),
    ("stream", "years"): ("payment years", "years"),
    ("stream", "start_year"): ("first payment year", "years"),
    ("stream", "ramp_years"): ("ramp-up", "years"),
    ("energy", "price_per_mwh"): ("electricity price", "price"),
    ("energy", "capacity_gw"): ("capacity", "other"),
    ("energy", "capacity_factor"): ("capacity factor", "share"),
    ("energy", "cost_per_mwh"): ("fuel and running cost", "price"),
    ("energy", "unit_start_years"): ("each unit's first year of output", "years"),
    ("restart_capital", "amount_bn"): ("restart capital", "amount"),
    ("restart_capital", "start_year"): ("restart capital's first year", "years"),
    ("restart_capital", "years"): ("restart capital's years", "years"),
    ("timeline", "years"): ("Timeline: years modelled", "years"),
    ("discount_rate",): ("Discount rate", "rate"),
}

#: A last segment no entry above knows: its words and kind, so that every key has a unit.
_LAST: dict[str, tuple[str, Kind]] = {
    "amount_bn": ("amount", "amount"),
    "years": ("years", "years"),
    "start_year": ("start year", "years"),
    "rate": ("rate", "rate"),
    "vol": ("volatility", "rate"),
    "path": ("rate path, per year", "rate"),
    "fractions": ("share per year", "share"),
}

_UNITS: dict[Kind, str] = {"rate": "% a year", "share": "%", "years": "years", "count": ""}

#: A result column's metric in words, with its kind (columns are ``ID.METRIC``).
METRICS: dict[str, tuple[str, Kind]] = {
    "npv": ("NPV", "amount"),
    "received": ("received", "amount"),
    "paid": ("paid", "amount"),
    "net": ("net", "amount"),
    "profit": ("profit", "amount"),
    "terminal_claim": ("claim on terminal value", "amount"),
    "npv_with_claims": ("NPV with claims valued", "amount"),
    "contributed": ("paid in", "amount"),
    "distributed": ("paid out", "amount"),
    "irr": ("IRR", "rate"),
    "moic": ("MOIC", "other"),
}


@dataclass(frozen=True)
class Label:
    """What a key path means: ``text`` in words, its ``unit`` ("% a year", "USD bn", "EUR per
    MWh", ...), its ``kind`` (how a value is shown) and the ``key`` itself (for ``--set``)."""

    text: str
    unit: str
    kind: Kind
    key: str

    @property
    def full(self) -> str:
        """The label and its unit: ``"US-led reconstruction fund: return rate, % a year"``."""
        return f"{self.text}, {self.unit}" if self.unit else self.text


def party_name(a: Assumptions, pid: str) -> str:
    """A party's name from the assumptions (its id if it has none there).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> party_name(load("base"), "us"), party_name(load("base"), "nobody")
    ('United States', 'nobody')
    """
    p = a.parties.get(pid)
    return p.name if p is not None and p.name else pid


def vehicle_name(a: Assumptions, vid: str) -> str:
    """A vehicle's name from the assumptions (its id if unknown)."""
    v = a.vehicles.get(vid)
    return v.name if v is not None and v.name else vid


def label(a: Assumptions, key: str) -> Label:
    """The key path ``key`` (as ``--set`` takes it) as a :class:`Label`.

    A key this module has no words for is shown as its path with ``_`` read as spaces, so
    every key has a label.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> a = load("base")
    >>> label(a, "vehicles.znpp_output.stream.energy.price_per_mwh").full
    'Zaporizhzhia NPP electricity, split Russia/Ukraine: electricity price, EUR per MWh'
    >>> label(a, "vehicles.us_led_fund.waterfall.profit_split.us").full
    'US-led reconstruction fund: profit share of United States, %'
    >>> label(a, "vehicles.world_bank_package.capital.contributions.0.amount_bn").full
    'World Bank financing package: paid in by World Bank (IBRD), USD bn'
    >>> label(a, "party_discount_rates.russia").full
    'Discount rate of Russia (Central Bank of Russia), % a year'
    >>> label(a, "tornado.vehicles.znpp_output.stream.energy.price_per_mwh").unit
    'EUR per MWh'
    """
    parts = key.split(".")
    if parts[0] == "tornado" and len(parts) > 1:  # a (low, high) range of another input
        of = label(a, ".".join(parts[1:]))
        return Label(f"Tornado range: {of.text}", of.unit, of.kind, key)
    data = a.model_dump(mode="python", by_alias=True)
    if parts[0] == "fx" and len(parts) == 3:
        return Label(f"Exchange rate of the {parts[1]}", f"USD per {parts[1]}", "fx", key)
    if parts[0] == "pool" and len(parts) == 4 and parts[-1] == "amount_bn":
        return _pool_label(a, data, parts, key)
    if parts[0] == "vehicles" and len(parts) > 2:
        return _vehicle_label(a, data, parts, key)
    if parts[0] == "party_discount_rates" and len(parts) == 2:
        return Label(f"Discount rate of {party_name(a, parts[1])}", "% a year", "rate", key)
    text, kind = _field(parts)
    return Label(text, _unit(kind, _currency(data, parts)), kind, key)


def _field(parts: list[str]) -> tuple[str, Kind]:
    for n in (3, 2, 1):
        hit = _FIELDS.get(tuple(parts[-n:]))
        if hit is not None:
            return hit
    words = " ".join(p for p in parts[:-1] if not p.isdigit()).replace("_", " ")
    if parts[-1] in _LAST:
        last, kind = _LAST[parts[-1]]
        return f"{words} {last}".strip().capitalize(), kind
    if len(parts) > 1 and parts[-2] == "unit_start_years" and parts[-1].isdigit():
        return f"unit {int(parts[-1]) + 1}'s first year of output", "years"
    if len(parts) > 1 and parts[-2] in ("profit_split", "capital_to", "paid_by"):
        return f"{words} {parts[-1]}".capitalize(), "share"
    return " ".join(parts).replace("_", " ").capitalize(), "other"


def _unit(kind: Kind, currency: str) -> str:
    if kind == "amount":
        return f"{currency} bn"
    if kind == "price":
        return f"{currency} per MWh"
    return _UNITS.get(kind, "")


def _node(data: Any, parts: list[str]) -> Any:
    """The node of the dumped assumptions at ``parts`` (list items by index or id), or None."""
    for part in parts:
        if isinstance(data, (list, tuple)):
            hits = [i for i, x in enumerate(data) if str(i) == part or _id(x) == part]
            data = data[hits[0]] if hits else None
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _id(item: Any) -> Any:
    return item.get("id") if isinstance(item, dict) else None


def _currency(data: Any, parts: list[str]) -> str:
    """The currency of the nearest node on the path that names one (USD if none does)."""
    for n in range(len(parts) - 1, 0, -1):
        node = _node(data, parts[:n])
        if isinstance(node, dict) and isinstance(node.get("currency"), str):
            return node["currency"]
    return "USD"


def _pool_label(a: Assumptions, data: Any, parts: list[str], key: str) -> Label:
    item = _node(data, parts[:3]) or {}
    currency = _currency(data, parts)
    if parts[1] == "allocation":
        text = f"Allocation to the {vehicle_name(a, str(item.get('vehicle', parts[2])))}"
    else:
        text = f"Frozen holding: {item.get('name') or parts[2]}"
    return Label(text, f"{currency} bn", "amount", key)


def _vehicle_label(a: Assumptions, data: Any, parts: list[str], key: str) -> Label:
    owner = vehicle_name(a, parts[1])
    rest = parts[2:]
    currency = _currency(data, parts)
    if rest[:2] == ["waterfall", "profit_split"] and len(rest) == 3:
        return Label(f"{owner}: profit share of {party_name(a, rest[2])}", "%", "share", key)
    if rest[:2] == ["capital", "contributions"] and rest[-1] == "amount_bn":
        item = _node(data, parts[:5]) or {}
        who = party_name(a, str(item.get("party", "")))
        return Label(f"{owner}: paid in by {who}", f"{currency} bn", "amount", key)
    text, kind = _field(rest)
    return Label(f"{owner}: {text}", _unit(kind, currency), kind, key)


def column_label(a: Assumptions, column: str) -> str:
    """A result column ``ID.METRIC`` (a party's or a vehicle's) in words, with its unit.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> a = load("base")
    >>> column_label(a, "us_led_fund.irr"), column_label(a, "europe.received")
    ('US-led reconstruction fund: IRR, % a year', 'EU and European states: received, USD bn')
    """
    owner, _, metric = column.rpartition(".")
    if not owner or metric not in METRICS:
        return column
    name = party_name(a, owner) if owner in a.parties else vehicle_name(a, owner)
    words, kind = METRICS[metric]
    unit = "USD bn" if kind == "amount" else _unit(kind, "USD")
    return f"{name}: {words}, {unit}" if unit else f"{name}: {words}"


def show(lab: Label, value: Any) -> str:
    """``value`` as text in the unit of ``lab``: rates and shares as percentages, amounts with
    two decimals, years whole; anything else as given.

    Examples
    --------
    >>> lab = Label("US-led fund: return rate", "% a year", "rate", "k")
    >>> show(lab, 0.03), show(Label("x", "USD bn", "amount", "k"), 100), show(lab, "a")
    ('3.0%', '100.00', 'a')
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if lab.kind in ("rate", "share"):
        return f"{value * 100:.1f}%"
    if lab.kind == "amount":
        return f"{value:,.2f}"
    if lab.kind == "years":
        return f"{value:g}"
    return f"{value:g}"
