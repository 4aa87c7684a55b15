"""Key paths as a sweep or tornado varies them, and what a value set at one can change.

A key is a dotted path as ``--set`` takes it (``vehicles.us_led_fund.return.rate``); a *pattern*
is what an input or rule reads (:mod:`finmodel.inputs.reads`): a tuple of segments in which
``"*"`` stands for any one segment and a last ``"?"`` reads only whether a node is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from finmodel.inputs.overrides import list_index

if TYPE_CHECKING:
    from finmodel.inputs.models.scenario import Assumptions




Segment = str | int



Pattern = tuple[Segment, ...]



def segments(dotted: str) -> Pattern:
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))



@dataclass(frozen=True)
class Key:
    """A varied key path as the base assumptions see it.

    path : the segments of the dotted key (list items by index or id, as written)
    creates : the first node on the path that is not set in the base (the key would create
        it), or None when every node on the path is set there
    """

    text: str
    path: Pattern
    creates: Pattern | None



def key(a: Assumptions, text: str) -> Key:
    """The key ``text`` (a dotted path, as ``--set`` takes) against the assumptions ``a``.

    Examples
    --------
    >>> from finmodel.inputs.loader import load
    >>> key(load("base"), "vehicles.us_led_fund.payout").creates is None
    True
    >>> key(load("base"), "vehicles.us_led_fund.fee.rate").creates
    ('vehicles', 'us_led_fund', 'fee')
    """
    path = segments(text)
    node: Any = a.model_dump(mode="python", by_alias=True, exclude_unset=True)
    for i, part in enumerate(path):
        if isinstance(node, list):
            j = list_index(node, part)
            node = node[j] if j is not None else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            node = None
        if node is None:
            return Key(text, path, path[: i + 1])
    return Key(text, path, None)



def touches(k: Key, pattern: Pattern) -> bool:
    """Whether a value set at key ``k`` can change what ``pattern`` reads.

    Examples
    --------
    >>> k = Key("vehicles.f.payout", ("vehicles", "f", "payout"), None)
    >>> touches(k, ("vehicles", "*", "payout")), touches(k, ("vehicles", "f", "return"))
    (True, False)
    >>> touches(k, ("vehicles", "f", "payout", "?"))  # set before and after: no change
    False
    """
    presence = pattern[-1:] == ("?",)
    p = pattern[:-1] if presence else pattern
    for ks, ps in zip(k.path, p):
        if ps != "*" and ps != ks:
            return False
    if not presence or len(k.path) < len(p):
        return True
    # the key lies at or below the node: it changes whether the node is set only by making it
    return k.creates is not None and len(k.creates) <= len(p)



def touched(k: Key, patterns: tuple[Pattern, ...]) -> bool:
    """Whether ``k`` touches any of ``patterns``."""
    return any(touches(k, p) for p in patterns)
