"""``--set dotted.path=value``: one value replaced, as a file would set it.

A key path names mappings' keys and lists' items (by index, or by an item's ``id``); sections on
the path are made where missing. A source, tornado range or reading that an override (or an
extending file) leaves without its figure is dropped with it (:func:`drop_stale_sources`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from finmodel import limits
from finmodel.exceptions import ECHO_LIMIT, InputError, shown
from finmodel.inputs.checks import number_at
from finmodel.inputs.yaml_reader import KeyPath, Origin, dotted, read_value


def override_text(value: Any) -> str:
    """A value as an override's text shows it: ``str(value)``, or a short echo if long.

    Examples
    --------
    >>> override_text(0.05), override_text("x" * 500)
    ('0.05', "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... (500 characters)")
    """
    if isinstance(value, (float, bool)) or value is None:
        return str(value)
    if isinstance(value, str) and len(value) <= ECHO_LIMIT:
        return value
    if isinstance(value, int) and value.bit_length() < 3 * ECHO_LIMIT:
        return str(value)
    return shown(value)



def thawed(data: Any) -> Any:
    """A model's dump with its tuples as lists, so that an override can set an item."""
    if isinstance(data, dict):
        return {k: thawed(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [thawed(v) for v in data]
    return data



def drop_stale_sources(
    data: dict, origins: dict[KeyPath, Origin], top: str, sets: Sequence[KeyPath] = ()
) -> None:
    """Sources, tornado ranges and readings for things a later layer removed (an extending
    file, or a --set): a source or range whose key path no longer leads to a number, a reading
    no vehicle uses any more.

    A source or range the top file gives for a key it does not have is still an error (a typo).
    """
    for table in ("sources", "tornado"):
        entries = data.get(table)
        if not isinstance(entries, dict):
            continue
        for key in list(entries):
            parts = tuple(int(p) if p.isdigit() else p for p in key.split("."))
            inherited = origins.get((table, key), (top, None))[0] != top
            overridden = any(parts[: len(s)] == s or s[: len(parts)] == parts for s in sets)
            if (inherited or overridden) and not number_at(data, key):
                del entries[key]
    readings, vehicles = data.get("readings"), data.get("vehicles")
    if isinstance(readings, dict) and isinstance(vehicles, dict):
        lists = [v.get("readings") for v in vehicles.values() if isinstance(v, dict)]
        used = {r for rs in lists if isinstance(rs, list) for r in rs if isinstance(r, str)}
        for name in list(readings):
            if origins.get(("readings", name), (top, None))[0] != top and name not in used:
                del readings[name]



_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")



def changes(sets: Sequence[str]) -> list[tuple[str, Any]]:
    """The ``--set`` texts ``sets`` as (dotted key, value) pairs, the values read as YAML; a
    key set twice once, with its last value (as the loader applies them).

    Examples
    --------
    >>> changes(["vehicles.us_led_fund.return.rate=0.03", "discount_rate=0.05"])
    [('vehicles.us_led_fund.return.rate', 0.03), ('discount_rate', 0.05)]
    >>> changes(["discount_rate=0.05", "payout=1", "discount_rate=0.06"])
    [('discount_rate', 0.06), ('payout', 1)]
    """
    return list({dotted(k): v for _, k, v in parse_overrides(list(sets))}.items())


def parse_overrides(overrides: Any) -> list[tuple[str, KeyPath, Any]]:
    """``(where, key path, value)`` of each override: a dict {key path: value} (values as
    they are) or a list of ``"key.path=value"`` strings (values read as YAML scalars)."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        out = []
        for k, v in overrides.items():
            if not isinstance(k, str):
                raise InputError(
                    f"an override's key must be a dotted key path (str), got "
                    f"{type(k).__name__} {shown(k)}"
                )
            out.append((f"--set {k}={shown(v)}", keypath(k, f"--set {k}"), v))
        return out
    if isinstance(overrides, (str, bytes)) or not isinstance(overrides, (list, tuple)):
        raise InputError(
            "overrides must be a dict {key path: value} or a list of 'KEY=VALUE' strings, "
            f"got {type(overrides).__name__} {shown(overrides)}"
        )
    out = []
    for text in overrides:
        if not isinstance(text, str):
            raise InputError(
                f"an override must be a 'KEY=VALUE' string, got {type(text).__name__} {shown(text)}"
            )
        where = f"--set {text}"
        key, sep, raw = text.partition("=")
        if not sep:
            raise InputError("expected KEY=VALUE, e.g. discount_rate=0.04", file=where)
        out.append((where, keypath(key.strip(), where), read_value(raw, where)))
    return out



def keypath(key: str, where: str) -> KeyPath:
    if not _KEY.match(key):
        raise InputError(
            f"{shown(key)} is not a dotted key path like vehicles.us_led_fund.payout", file=where
        )
    path = tuple(int(p) if p.isdigit() else p for p in key.split("."))
    if len(path) > limits.MAX_DEPTH:
        raise InputError(
            f"a key path of {len(path):,} parts, past the limit of {limits.MAX_DEPTH}", file=where
        )
    return path



def apply_set(data: dict, origins: dict, where: str, path: KeyPath, value: Any) -> None:
    """Set one value; list items may be named by index or by their ``id``."""
    node: Any = data
    resolved: list[str | int] = []
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, list):
            idx = list_index(node, part)
            if idx is None:
                raise InputError(
                    f"no item '{part}' in the list at {dotted(tuple(resolved)) or 'top'}",
                    file=where,
                    field=dotted(path),
                )
            part = idx
        elif not isinstance(node, dict):
            raise InputError(
                f"{dotted(tuple(resolved))} is a value, not a section",
                file=where,
                field=dotted(path),
            )
        elif not last and part not in node:
            node[part] = {}
            origins[(*resolved, part)] = (where, None)  # blame the override for what it made
        resolved.append(part)
        if last:
            node[part] = value
        else:
            node = node[part]
    for p in [p for p in origins if p[: len(resolved)] == tuple(resolved)]:
        del origins[p]
    origins[tuple(resolved)] = (where, None)



def list_index(items: list, part: str | int) -> int | None:
    if isinstance(part, int):
        return part if 0 <= part < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    return None


#: A waterfall's tables of shares, which must sum to 1.
SHARE_TABLES = ("profit_split", "capital_to")


def share_table(path: KeyPath) -> KeyPath | None:
    """The table of shares (a waterfall's ``profit_split`` or ``capital_to``) that a key path
    sets, or sets a share of; None for any other key path.

    Examples
    --------
    >>> share_table(("vehicles", "f", "waterfall", "profit_split", "us"))
    ('vehicles', 'f', 'waterfall', 'profit_split')
    >>> share_table(("vehicles", "f", "return", "rate")) is None
    True
    """
    for i in range(1, len(path)):
        if path[i - 1] == "waterfall" and path[i] in SHARE_TABLES:
            return path[: i + 1]
    return None


def shares_off(data: dict, table: KeyPath) -> bool:
    """Whether the shares at ``table`` are numbers that do not sum to 1 (within 1e-9).

    Examples
    --------
    >>> t = ("v", "waterfall", "profit_split")
    >>> shares_off({"v": {"waterfall": {"profit_split": {"us": 0.5, "ua": 0.9}}}}, t)
    True
    >>> shares_off({"v": {"waterfall": {"profit_split": {"us": 0.5, "ua": 0.5}}}}, t)
    False
    """
    node: Any = data
    for part in table:
        node = node.get(part) if isinstance(node, dict) else None
    if not isinstance(node, dict) or not node:
        return False
    values = list(node.values())
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return False
    return abs(sum(values) - 1.0) > 1e-9

