"""``extends``: a file merged over the file it extends, keeping who set each key.

Mappings merge key by key; a list, and a map of shares such as ``profit_split``, is replaced
whole; a key set to null is removed. Every key path keeps its origin (file and line), so that
an error names the newest input that could cause it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from finmodel import limits
from finmodel.exceptions import InputError, shown
from finmodel.inputs.locate import path_kind, shipped
from finmodel.inputs.yaml_reader import KeyPath, Origin, read_bytes, read_yaml


@dataclass
class Origins:
    """Who set a key path and what lies under it: a tree that merging can graft in one step.

    ``origin`` is (file, line) of the key itself; ``under`` the same for each key below it;
    ``order`` sorts the key paths as a flat list of them, updated file by file, would hold
    them (each file's in its own order, after those of the files it extends).
    """

    origin: Origin | None = None
    order: tuple[int, int] = (0, 0)
    under: dict[str | int, Origins] = field(default_factory=dict)

    @classmethod
    def of(cls, lines: dict[KeyPath, int], file: str, rank: int = 0) -> Origins:
        """The tree of a file's key paths and their lines; ``rank`` orders files."""
        root = cls()
        for i, (path, line) in enumerate(lines.items()):
            node = root
            for part in path:
                node = node.under.setdefault(part, cls())
            node.origin, node.order = (file, line), (rank, i)
        return root

    def flat(self) -> dict[KeyPath, Origin]:
        """Every key path with its origin.

        Examples
        --------
        >>> Origins.of({("a",): 1, ("a", "b"): 2}, "f.yaml").flat()
        {('a',): ('f.yaml', 1), ('a', 'b'): ('f.yaml', 2)}
        """
        found: list[tuple[tuple[int, int], KeyPath, Origin]] = []
        todo: list[tuple[KeyPath, Origins]] = [((), self)]
        while todo:
            path, node = todo.pop()
            if node.origin is not None and path:
                found.append((node.order, path, node.origin))
            todo += [((*path, k), sub) for k, sub in node.under.items()]
        found.sort(key=lambda x: x[0])
        return {path: origin for _, path, origin in found}



def read_chain(
    path: Path, seen: tuple[Path, ...] = (), used: int = 0
) -> tuple[dict, Origins, list]:
    """Read ``path`` and, recursively, what it extends; merge; return data, origins, files.

    ``seen`` are the files that extend this one, ``used`` the bytes they hold.
    """
    resolved = path.resolve()
    raw = read_bytes(path, used)
    data, lines, digest = read_yaml(path, raw)
    origins = Origins.of(lines, str(path), rank=-len(seen))
    parent = data.get("extends")
    if parent is None:
        return data, origins, [(str(path), digest)]
    where: dict[str, Any] = {
        "file": str(path), "line": lines.get(("extends",)), "field": "extends"
    }
    if not isinstance(parent, str) or not parent:
        raise InputError("must be the path of another assumption file", **where)
    target = path.parent / parent  # an absolute path stays as it is
    kind = path_kind(target, str(path))
    if kind != "file":
        found: Path | None
        try:
            shipped_ = Path(parent).suffix == "" and "/" not in parent
            found = shipped(parent) if shipped_ and kind is None else None
        except InputError:
            found = None
        if found is None:
            what = "does not exist" if kind is None else "is not a regular file"
            raise InputError(
                f"extends {shown(parent)}, which {what} ({path.parent / parent})", **where
            )
        target = found
    if target.resolve() in (*seen, resolved):
        chain = " -> ".join(p.name for p in (*seen, resolved, target.resolve()))
        raise InputError(f"circular 'extends': {chain}", **where)
    if len(seen) + 1 >= limits.MAX_EXTENDS:
        raise InputError(
            f"extends a chain longer than the limit of {limits.MAX_EXTENDS} files", **where
        )
    base, base_origins, files = read_chain(target, (*seen, resolved), used + len(raw))
    merged = merge(base, data, base_origins, origins)
    return merged, base_origins, [*files, (str(path), digest)]



#: Mappings that are one value (shares that sum to 1): an override replaces them whole.
REPLACED_WHOLE = frozenset({"profit_split", "capital_to"})



def merge(base: Any, over: Any, base_origins: Origins, over_origins: Origins) -> Any:
    """Deep-merge ``over`` onto ``base``; update ``base_origins`` to say who set what.

    A key set to null in ``over`` is removed (``vehicles: {us_led_fund: null}`` drops a
    vehicle); a list or a map of shares replaces the base's whole. Each key of ``over`` costs
    one step: what it replaces is grafted from ``over_origins`` whole, never searched for.

    Examples
    --------
    >>> merge({"v": {"a": 1, "b": {"x": 1}}}, {"v": {"a": None, "b": {"y": 2}}},
    ...        Origins(), Origins())
    {'v': {'b': {'x': 1, 'y': 2}}}
    """
    if not (isinstance(base, dict) and isinstance(over, dict)):
        return over
    out = dict(base)
    for k, v in over.items():
        sub = over_origins.under.get(k)
        if v is None:
            out.pop(k, None)
        elif (
            k in base and isinstance(base[k], dict) and isinstance(v, dict)
            and k not in REPLACED_WHOLE
        ):  # fmt: skip
            node = base_origins.under.setdefault(k, Origins())
            if sub is not None and sub.origin is not None:
                node.origin = sub.origin
            out[k] = merge(base[k], v, node, sub or Origins())
            continue
        else:
            out[k] = v
        if sub is None:
            base_origins.under.pop(k, None)
        else:
            base_origins.under[k] = sub
    return out
