"""Key paths and overrides in words a person reads, and the name a changed run's reports take.

One function, :func:`label`, turns a key path into a human label and a unit, from the names the
assumptions give their vehicles, parties and holdings; :func:`change` words one override
("US-led reconstruction fund: return rate 3.0% (base 8.0%)"); :func:`changed_name` names the
reports of a run with overrides so that they never replace the base case's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from finmodel.exceptions import shown

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions

#: Longest derived report name: the models take names of up to 80 characters.
NAME_LIMIT = 80


def label(a: Assumptions, key: str) -> tuple[str, str]:
    """A key path as a person reads it, and the unit :func:`value_text` shows its value in:
    the words of :func:`finmodel.inputs.labels.label` (the one place that names inputs), with
    ``%`` for rates and shares.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> a = load("base")
    >>> label(a, "vehicles.us_led_fund.return.rate")
    ('US-led reconstruction fund: return rate', '%')
    >>> label(a, "fx.EUR.rate")
    ('Exchange rate of the EUR', 'USD per EUR')
    """
    from finmodel.inputs.labels import label as named

    lab = named(a, key)
    return lab.text, "%" if lab.kind in ("rate", "share") else lab.unit


def _child(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list):
        if part.isdigit() and int(part) < len(node):
            return node[int(part)]
        return next((x for x in node if isinstance(x, dict) and x.get("id") == part), None)
    return None


def _digits(x: float, least: int) -> str:
    """``x`` with ``least`` decimals, more where the value has them (up to 6): a figure is
    never shown rounded (7.45 stays 7.45, 100 is 100.0).

    >>> _digits(7.45, 1), _digits(100, 1), _digits(1.16, 2), _digits(0.123456789, 1)
    ('7.45', '100.0', '1.16', '0.123457')
    """
    text = f"{x:,.6f}".rstrip("0")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return f"{x:,.{max(least, decimals)}f}"


def value_text(value: Any, unit: str) -> str:
    """A value in its unit: fractions as percentages, amounts with fixed decimals.

    Examples
    --------
    >>> value_text(0.03, "%"), value_text(100, "USD bn"), value_text(5, "years")
    ('3.0%', '100.0 USD bn', '5 years')
    >>> value_text(None, "%"), value_text("pool", "")
    ('not set', 'pool')
    """
    if value is None:
        return "not set"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if unit == "%":
        return f"{_digits(value * 100, 1)}%"
    if unit.endswith(" bn") or unit.startswith("USD per"):
        return f"{_digits(value, 2 if unit.startswith('USD per') else 1)} {unit}"
    return f"{value:g} {unit}".strip()


def change(a: Assumptions, key: str, value: Any, before: Any, scenario: str) -> str:
    """One override in words: what it sets, to what, and what the file (whose scenario is
    named ``scenario``) had.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> change(load("base"), "vehicles.us_led_fund.return.rate", 0.03, 0.08, "base")
    'US-led reconstruction fund: return rate 3.0% (base 8.0%)'
    >>> change(load("literal"), "discount_rate", 0.05, 0.04, "literal")
    'Discount rate 5.0% (literal 4.0%)'
    """
    text, unit = label(a, key)
    return f"{text} {value_text(value, unit)} ({scenario} {value_text(before, unit)})"


def changed_name(name: str, sets: list[tuple[str, Any]]) -> str:
    """The name of a run's reports when ``sets`` (key path, value) change scenario ``name``:
    the name, then ``+key=value`` for each, ``vehicles.`` left out, any character a file name
    or the models refuse made ``_``; past :data:`NAME_LIMIT` characters, cut and ended with a
    digest of the whole, so that two different sets of overrides never share a name.

    Examples
    --------
    >>> changed_name("base", [("vehicles.us_led_fund.return.rate", 0.03)])
    'base+us_led_fund.return.rate=0.03'
    >>> changed_name("base", [("discount_rate", 0.05), ("fx.EUR.rate", 1.1)])
    'base+discount_rate=0.05+fx.EUR.rate=1.1'
    >>> len(changed_name("base", [(f"vehicles.v{i}.payout", 0.5) for i in range(9)]))
    80
    """
    text = name + "".join(f"+{k.removeprefix('vehicles.')}={_plain(v)}" for k, v in sets)
    text = re.sub(r"[^A-Za-z0-9_.=+-]", "_", text)
    if len(text) <= NAME_LIMIT:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:10]
    return f"{text[: NAME_LIMIT - 11]}~{digest}".replace("~", "-")


def _plain(value: Any) -> str:
    return value if isinstance(value, str) else shown(value, limit=24)


def settable(a: Assumptions) -> Iterator[tuple[str, Any]]:
    """Each number a ``--set`` may change, as (key path, value), in the file's order (sources,
    readings and tornado ranges left out: they describe numbers, they are not inputs).

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> dict(settable(load("base")))["vehicles.us_led_fund.return.rate"]
    0.08
    """
    data = a.model_dump(mode="json", by_alias=True, exclude_unset=True)
    for section in ("sources", "readings", "tornado", "correlation"):
        data.pop(section, None)
    yield from _leaves(data, ())


def _leaves(node: Any, path: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k != "source":
                yield from _leaves(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            item = v.get("id") if isinstance(v, dict) and "id" in v else str(i)
            yield from _leaves(v, (*path, str(item)))
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield ".".join(path), node


def value_at(data: Any, path: tuple[str | int, ...]) -> Any:
    """The value at a key path in a file's data (list items by index or ``id``), or None.

    Examples
    --------
    >>> value_at({"v": [{"id": "a", "rate": 0.1}]}, ("v", "a", "rate"))
    0.1
    >>> value_at({"v": {}}, ("v", "x", "rate")) is None
    True
    """
    node = data
    for part in path:
        node = _child(node, str(part))
        if node is None:
            return None
    return node


def nearest(word: str, options: list[str], n: int = 3) -> str:
    """A message's suggestion: the names in ``options`` closest to ``word``, or ''.

    Examples
    --------
    >>> nearest("us_fund", ["us_led_fund", "european_fund", "znpp_output"])
    "; nearest: 'us_led_fund', 'european_fund'"
    >>> nearest("zzz", ["us_led_fund"])
    ''
    """
    import difflib

    close = difflib.get_close_matches(word, options, n=n, cutoff=0.5)
    return "; nearest: " + ", ".join(f"'{c}'" for c in close) if close else ""


#: Sections whose entries a ``--set`` of one value cannot make whole: a key path through an
#: entry they do not have names an unknown one.
ENTRIES = {
    ("vehicles",): "vehicle",
    ("needs",): "need",
    ("pool", "holdings"): "holding",
    ("parties",): "party",
}


def unknown_entry(data: dict, path: tuple[str | int, ...]) -> str | None:
    """Why ``path`` names an entry the data lacks (with the nearest names), or None.

    Examples
    --------
    >>> unknown_entry({"vehicles": {"us_led_fund": {}}}, ("vehicles", "us_fund", "payout"))
    "unknown vehicle 'us_fund' (the vehicles are us_led_fund); nearest: 'us_led_fund'"
    >>> unknown_entry({"vehicles": {"us_led_fund": {}}}, ("vehicles", "us_led_fund", "payout"))
    """
    for section, kind in ENTRIES.items():
        n = len(section)
        if tuple(path[:n]) != section or len(path) <= n + 1:
            continue
        entries = value_at(data, section)
        if isinstance(entries, list):
            names = [str(e.get("id")) for e in entries if isinstance(e, dict)]
            names += [str(i) for i in range(len(entries))]
        else:
            names = [str(k) for k in entries] if isinstance(entries, dict) else []
        if str(path[n]) not in names:
            plain = [x for x in names if not x.isdigit()]
            kinds = "parties" if kind == "party" else f"{kind}s"
            return (f"unknown {kind} '{path[n]}' (the {kinds} are {', '.join(plain)})"
                    + nearest(str(path[n]), plain))  # fmt: skip
    return None


def key_paths(node: Any, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Every key path in a file's data (list items by ``id`` where they have one)."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield ".".join((*path, str(k)))
            yield from key_paths(v, (*path, str(k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            item = str(v.get("id")) if isinstance(v, dict) and "id" in v else str(i)
            yield ".".join((*path, item))
            yield from key_paths(v, (*path, item))
