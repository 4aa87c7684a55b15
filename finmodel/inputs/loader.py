"""Reading assumption files: a path or shipped name in, validated :class:`Assumptions` out.

The steps, a module each: :mod:`~finmodel.inputs.locate` finds the file (a path, or a scenario
shipped with finmodel such as ``base``); :mod:`~finmodel.inputs.yaml_reader` reads it as safe
YAML within the limits of :mod:`finmodel.limits`, with the line of every key;
:mod:`~finmodel.inputs.merge` merges it over the file it ``extends``;
:mod:`~finmodel.inputs.overrides` applies ``--set`` overrides; then the models validate the
whole. Every error names the file, the line where known, and the field, blamed on the newest
input that could cause it (:func:`blame`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from finmodel import limits
from finmodel.exceptions import InputError, also, shown
from finmodel.inputs.locate import locate
from finmodel.inputs.merge import read_chain
from finmodel.inputs.models.base import clean_loc, explain
from finmodel.inputs.models.scenario import Assumptions, Inconsistent
from finmodel.inputs.overrides import (
    apply_set,
    drop_stale_sources,
    keypath,
    override_text,
    parse_overrides,
    share_table,
    shares_off,
    thawed,
)
from finmodel.inputs.wording import (
    change,
    changed_name,
    key_paths,
    nearest,
    unknown_entry,
    value_at,
)
from finmodel.inputs.yaml_reader import KeyPath, Origin, dotted


@dataclass(frozen=True)
class Loaded:
    """Assumptions together with where they came from.

    ``files`` lists each file of the ``extends`` chain with its sha256, base first;
    ``sha256`` is the digest of the fully resolved assumptions (overrides included).
    """

    assumptions: Assumptions
    files: tuple[tuple[str, str], ...]
    overrides: tuple[str, ...]
    sha256: str
    origins: dict[KeyPath, Origin] = field(repr=False, default_factory=dict)
    #: each override in words, with the value the files gave (``wording.change``)
    changes: tuple[str, ...] = ()
    #: the file's own scenario name, before the overrides renamed it ("" if not from a file)
    scenario: str = ""

    #: what makes a report this scenario's, whatever its numbers (:func:`identity`); the
    #: digest for assumptions made in code
    identity: str = ""

    @classmethod
    def of(cls, a: Assumptions) -> Loaded:
        """Assumptions made in code (no file, no overrides), with their digest.

        Raises
        ------
        InputError
            If ``a`` is not :class:`Assumptions`.
        """
        if not isinstance(a, Assumptions):
            raise InputError(
                "expected Assumptions (from finmodel.load) or Loaded (from load_with_origins), "
                f"got {type(a).__name__}"
            )
        return cls(a, (), (), digest(a), identity=digest(a))


def load(path: str | Path, overrides: list[str] | dict[str, Any] | None = None) -> Assumptions:
    """Read, merge and validate an assumption file.

    Parameters
    ----------
    path : str or Path
        A YAML file, or the name of a scenario shipped with finmodel (``"base"``).
    overrides : list of "key.path=value" strings, or a dict {key path: value}, optional
        A scenario they change is named after them, as the command line names it (the
        file's name, then ``+key=value`` for each, ``vehicles.`` left out), unless one of
        them sets ``name``: a changed scenario never takes the file's own name.

    Examples
    --------
    >>> a = load("base", {"vehicles.us_led_fund.return.rate": 0.04})
    >>> a.vehicles["us_led_fund"].return_.rate, a.name
    (0.04, 'base+us_led_fund.return.rate=0.04')
    """
    return load_with_origins(path, overrides).assumptions


def load_with_origins(
    path: str | Path, overrides: list[str] | dict[str, Any] | None = None
) -> Loaded:
    """Like :func:`load`, and keep the files, their digests and each key's line.

    A key set twice takes its last value, and is one change (in words and in the name)."""
    sets = parse_overrides(overrides)
    data, tree, files = read_chain(locate(path))
    origins = tree.flat()
    named = data.get("name")
    own = named if isinstance(named, str) else ""
    last = {k: (k, v) for _, k, v in sets}  # each key once, in the order first set, last value
    if own and last.get(("name",), (None, None))[1] == own:
        if len(last) > 1:  # as --name with the file's own name and --set changes
            raise InputError(f"is the name of the unchanged scenario: a run with other --set "
                             f"changes needs another, e.g. '{own}_changed'",
                             file=f"--set name={own}")  # fmt: skip
        last.pop(("name",))  # the file's own name: no change
        sets = [s for s in sets if s[1] != ("name",)]
    before = {k: value_at(data, k) for k in last}
    for text, path_, value in sets:
        _set(data, origins, text, path_, value)
    data.pop("extends", None)
    drop_stale_sources(data, origins, top=files[-1][0], sets=list(last))
    if last and own and ("name",) not in last:
        # a changed scenario is never saved under the file's own name
        data["name"] = changed_name(own, [(dotted(k), v) for k, v in last.values()])
    assumptions = _suggesting(data, origins, default=files[-1][0])
    return Loaded(
        assumptions=assumptions,
        files=tuple(files),
        overrides=tuple(t for t, _, _ in sets),
        sha256=digest(assumptions),
        origins=origins,
        changes=tuple(
            change(assumptions, dotted(k), v, before[k], own or "the file")
            for k, v in last.values()
        ),
        scenario=own,
        identity=identity(files[-1][0], [(dotted(k), v) for k, v in last.values()],
                          assumptions.name),
    )


def identity(file: str | Path, sets: list[tuple[str, Any]], name: str) -> str:
    """What makes a report one scenario's, whatever its numbers: the file it was read from (its
    full path), the ``--set`` changes (each key once, its last value) and the scenario's name.

    The same file run again with the same changes is the same scenario, even after the file
    was edited; ``--name literal`` on the base file, or ``--set name=base`` on another file, is
    not.

    Examples
    --------
    >>> a = identity("base.yaml", [], "base")
    >>> a == identity("./base.yaml", [], "base")
    True
    >>> a == identity("base.yaml", [("name", "literal")], "literal")
    False
    >>> a == identity("other/base.yaml", [], "base")
    False
    """
    key = {
        "file": str(Path(file).resolve()),
        "changes": sorted(
            f"{k}={json.dumps(v, sort_keys=True, default=str)}" for k, v in sets
        ),
        "name": name,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()


def digest(a: Assumptions) -> str:
    """The sha256 of the fully resolved assumptions: of their canonical JSON (keys sorted, the
    files' own key names), so that the same scenario gives the same digest however it was
    written or split into files.

    Examples
    --------
    >>> a = load("base")
    >>> digest(a) == load_with_origins("base").sha256
    True
    >>> digest(load("base", {"discount_rate": 0.05})) == digest(a)
    False
    """
    canonical = json.dumps(a.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def with_overrides(a: Assumptions, overrides: dict[str, Any], where: str = "--set") -> Assumptions:
    """``a`` with some values replaced (dotted key paths), validated again.

    Examples
    --------
    >>> base = load("base")
    >>> with_overrides(base, {"discount_rate": 0.07}).discount_rate
    0.07
    """
    if not isinstance(a, Assumptions):
        raise InputError(
            f"expected Assumptions (from finmodel.load), got {type(a).__name__} {shown(a)}"
        )
    if not isinstance(overrides, Mapping):
        raise InputError(
            f"overrides must be a dict {{key path: value}}, got {type(overrides).__name__} "
            f"{shown(overrides)}"
        )
    data = thawed(a.model_dump(mode="python", by_alias=True, exclude_unset=True))
    origins: dict[KeyPath, Origin] = {}
    texts, paths = [], []
    for key, value in overrides.items():
        if not isinstance(key, str):
            raise InputError(f"a key path must be a str, got {type(key).__name__} {shown(key)}")
        texts.append(f"{key}={override_text(value)}")
        paths.append(keypath(key, f"{where} {texts[-1]}"))
        _set(data, origins, f"{where} {texts[-1]}", paths[-1], value)
    drop_stale_sources(data, origins, top="", sets=paths)
    # a problem the overrides cause elsewhere (the pool no longer fits) names them
    return _suggesting(data, origins, default=f"{where} {', '.join(texts)}")


def _set(data: dict, origins: dict, where: str, path: KeyPath, value: Any) -> None:
    """:func:`apply_set`, refusing first a path through a vehicle, need, holding or party the
    data lacks (one value cannot make a whole one), with the nearest names.

    A set that makes a table of shares stop summing to 1 becomes that table's origin, so that
    the error names the ``--set`` that broke the sum, not an earlier one of the same vehicle.
    """
    unknown = unknown_entry(data, path)
    if unknown:
        raise InputError(unknown, file=where, field=dotted(path))
    table = share_table(path)
    was_off = table is not None and shares_off(data, table)
    apply_set(data, origins, where, path, value)
    if table is not None and not was_off and shares_off(data, table):
        origins[table] = (where, None)


def _suggesting(data: dict, origins: dict[KeyPath, Origin], default: str) -> Assumptions:
    """:func:`_validated`; an unknown key an override wrote gets the nearest known key paths."""
    try:
        return _validated(data, origins, default)
    except InputError as e:
        if e.field and e.message.startswith("unknown key"):
            field, aside = e.field, ("sources.", "tornado.", "readings.")
            known = [k for k in key_paths(data) if k != field and not k.startswith(f"{field}.")
                     and (field.startswith(aside) or not k.startswith(aside))]  # fmt: skip
            e.message += nearest(field, known)
            e.args = (str(e),)
        raise








#: Counts checked before validation, which would otherwise check every item first.
_COUNTS = {
    ("vehicles",): ("vehicles", limits.MAX_VEHICLES),
    ("parties",): ("parties", limits.MAX_PARTIES),
    ("pool", "holdings"): ("holdings", limits.MAX_HOLDINGS),
    ("pool", "allocation"): ("carve-outs", limits.MAX_CARVEOUTS),
}


def _validated(data: dict, origins: dict[KeyPath, Origin], default: str) -> Assumptions:
    """Validate merged data; an error names where its field was set (``default`` otherwise)."""
    for path, (what, most) in _COUNTS.items():
        node: Any = data
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, (dict, list)) and len(node) > most:
            message = f"{len(node):,} {what}, past the limit of {most:,}"
            raise blame(path, message, origins, default)
    try:
        return Assumptions.model_validate(data)
    except ValidationError as e:
        raise _from_validation(e, origins, default) from None
    except Inconsistent as e:  # each field valid, together not
        where, message = e.found[0]
        others = [f"{dotted(at)}: {text}" for at, text in e.found[1:]]
        raise blame(where, message, origins, default, others) from None










# --- reading YAML with line numbers -----------------------------------------------------------


















# --- --set overrides ----------------------------------------------------------------------------















# --- turning errors into messages ----------------------------------------------------------------




def _origin(path: KeyPath, origins: dict[KeyPath, Origin], default: str) -> Origin:
    """The origin of the deepest known prefix of ``path``."""
    for n in range(len(path), 0, -1):
        if path[:n] in origins:
            return origins[path[:n]]
    return (default, None)


def blame(
    path: KeyPath, message: str, origins: dict, default: str, more: list[str] | None = None
) -> InputError:
    """The error for a problem at ``path``, blamed on the newest input that could cause it.

    A cross-field problem (deploying past the term) lies in a field that an extended file may
    have set, while the user changed a neighbour (the term) in their own file or a --set:
    then the error points at that newer neighbour, in the same vehicle or section.
    """
    file, line = _origin(path, origins, default)
    newer = _newest_neighbour(path, origins, default)
    if newer is not None and _rank(origins[newer][0], default) > _rank(file, default):
        path = newer
        file, line = origins[newer]
    return InputError(message + also(more or []), file=file, line=line, field=dotted(path))


def _rank(file: str, top: str) -> int:
    """How recent an input is: an override, then the file being loaded, then what it extends."""
    if file.startswith(("--set", "--vary", "tornado")):
        return 2
    return 1 if file == top else 0


def _newest_neighbour(path: KeyPath, origins: dict, top: str) -> KeyPath | None:
    """The most recent input set under the same vehicle (or top-level section) as ``path``."""
    section = path[:2] if path and path[0] == "vehicles" else path[:1]
    near = [p for p in origins if p[: len(section)] == section and len(p) > len(section)]
    if not near:
        return None
    best = max(_rank(origins[p][0], top) for p in near)
    return min((p for p in near if _rank(origins[p][0], top) == best), key=len)


def _from_validation(e: ValidationError, origins: dict, default: str) -> InputError:
    errors = e.errors(include_url=False)
    first = errors[0]
    others = [f"{dotted(clean_loc(tuple(x['loc'])))}: {explain(x)}" for x in errors[1:]]
    return blame(clean_loc(tuple(first["loc"])), explain(first), origins, default, others)
