"""Reading assumption files: safe YAML, ``extends``, ``--set`` overrides, and errors with lines.

An assumption file is YAML read with a safe loader (a ``!!python`` tag is an error, never code).
``extends: other.yaml`` merges this file over another (mappings merge key by key; a list, and
a map of shares such as ``profit_split``, is replaced whole); ``--set dotted.path=value``
overrides one value. A source an extended file gives for a figure that this file removed is
dropped with the figure. Every error names the file, the line where known, and the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from finmodel.assumptions import Assumptions, number_at, problems
from finmodel.exceptions import InputError

Path_ = tuple[str | int, ...]
#: Where a key path was set: (file or "--set ...", 1-based line or None).
Origin = tuple[str, int | None]

_SHIPPED = "base"


class _Loader(yaml.SafeLoader):
    """The safe loader, reading ``1e-3`` and ``5E9`` as numbers (YAML 1.1 wants ``1.0e-3``)."""


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _scalar(text: str) -> Any:
    """One value from the command line, read as YAML by the same loader."""
    return yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader: no tags run code


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
    origins: dict[Path_, Origin] = field(repr=False, default_factory=dict)


def load(path: str | Path, overrides: list[str] | dict[str, Any] | None = None) -> Assumptions:
    """Read, merge and validate an assumption file.

    Parameters
    ----------
    path : str or Path
        A YAML file, or the name of a scenario shipped with finmodel (``"base"``).
    overrides : list of "key.path=value" strings, or a dict {key path: value}, optional

    Examples
    --------
    >>> a = load("base", {"vehicles.us_led_fund.return.rate": 0.04})
    >>> a.vehicles["us_led_fund"].return_.rate
    0.04
    """
    return load_with_origins(path, overrides).assumptions


def load_with_origins(
    path: str | Path, overrides: list[str] | dict[str, Any] | None = None
) -> Loaded:
    """Like :func:`load`, and keep the files, their digests and each key's line."""
    sets = _parse_overrides(overrides)
    data, origins, files = _read_chain(_locate(path), ())
    for text, keypath, value in sets:
        _apply_set(data, origins, text, keypath, value)
    data.pop("extends", None)
    _drop_stale_sources(data, origins, top=files[-1][0], sets=[k for _, k, _ in sets])
    assumptions = _validated(data, origins, default=files[-1][0])
    canonical = json.dumps(assumptions.model_dump(mode="json", by_alias=True), sort_keys=True)
    return Loaded(
        assumptions=assumptions,
        files=tuple(files),
        overrides=tuple(t for t, _, _ in sets),
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
        origins=origins,
    )


def with_overrides(a: Assumptions, overrides: dict[str, Any], where: str = "--set") -> Assumptions:
    """``a`` with some values replaced (dotted key paths), validated again.

    Examples
    --------
    >>> base = load("base")
    >>> with_overrides(base, {"discount_rate": 0.07}).discount_rate
    0.07
    """
    data = a.model_dump(mode="python", by_alias=True, exclude_unset=True)
    origins: dict[Path_, Origin] = {}
    paths = []
    for key, value in overrides.items():
        text = f"{where} {key}={value}"
        paths.append(_keypath(key, text))
        _apply_set(data, origins, text, paths[-1], value)
    _drop_stale_sources(data, origins, top="", sets=paths)
    # a problem the overrides cause elsewhere (the pool no longer fits) names them
    everything = where + " " + ", ".join(f"{k}={v}" for k, v in overrides.items())
    return _validated(data, origins, default=everything)


def _drop_stale_sources(
    data: dict, origins: dict[Path_, Origin], top: str, sets: list[Path_] = ()
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


def _validated(data: dict, origins: dict[Path_, Origin], default: str) -> Assumptions:
    """Validate merged data; an error names where its field was set (``default`` otherwise)."""
    try:
        out = Assumptions.model_validate(data)
    except ValidationError as e:
        raise _from_validation(e, origins, default) from None
    found = problems(out)
    if found:
        raise _at(found[0][0], found[0][1], origins, default, more=len(found) - 1)
    return out


def shipped(name: str = _SHIPPED) -> Path:
    """Path of a scenario shipped inside the package (works from any folder)."""
    root = resources.files("finmodel") / "data"
    for candidate in (f"{name}.yaml", f"scenarios/{name}.yaml"):
        p = Path(str(root / candidate))
        if p.is_file():
            return p
    raise InputError(f"no shipped scenario named '{name}'", file=name)


def _is_shipped(name: str) -> bool:
    try:
        shipped(name)
    except InputError:
        return False
    return True


def _locate(path: str | Path) -> Path:
    p = Path(path)
    if p.is_file():
        return p
    if p.is_dir() and not (p.suffix == "" and "/" not in str(path) and _is_shipped(str(path))):
        raise InputError("is a folder, not an assumption file", file=str(path))
    if p.suffix == "" and "/" not in str(path):
        return shipped(str(path))
    raise InputError("no such file", file=str(path))


# --- reading YAML with line numbers -----------------------------------------------------------


def _read_chain(path: Path, seen: tuple[Path, ...]) -> tuple[dict, dict[Path_, Origin], list]:
    """Read ``path`` and, recursively, what it extends; merge; return data, origins, files."""
    resolved = path.resolve()
    data, lines, digest = _read_yaml(path)
    origins: dict[Path_, Origin] = {k: (str(path), n) for k, n in lines.items()}
    parent = data.get("extends")
    if parent is None:
        return data, origins, [(str(path), digest)]
    where = {"file": str(path), "line": lines.get(("extends",)), "field": "extends"}
    if not isinstance(parent, str) or not parent:
        raise InputError("must be the path of another assumption file", **where)
    target = (path.parent / parent) if not Path(parent).is_absolute() else Path(parent)
    if not target.is_file():
        try:
            target = shipped(parent) if Path(parent).suffix == "" and "/" not in parent else None
        except InputError:
            target = None
        if target is None:
            raise InputError(
                f"extends '{parent}', which does not exist ({path.parent / parent})", **where
            )
    if target.resolve() in (*seen, resolved):
        chain = " -> ".join(p.name for p in (*seen, resolved, target.resolve()))
        raise InputError(f"circular 'extends': {chain}", **where)
    base, base_origins, files = _read_chain(target, (*seen, resolved))
    merged = _merge(base, data, base_origins, origins)
    return merged, base_origins, [*files, (str(path), digest)]


def _read_yaml(path: Path) -> tuple[dict, dict[Path_, int], str]:
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8-sig")  # a BOM (Notepad) is not content
    except UnicodeDecodeError:
        raise InputError("is not UTF-8 text", file=str(path)) from None
    except OSError as e:
        raise InputError(f"cannot be read ({e.strerror})", file=str(path)) from None
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError("is empty: expected a mapping of assumptions", file=str(path))
        lines: dict[Path_, int] = {}
        _walk(node, (), lines, str(path))
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        what = (e.problem or e.context or "invalid YAML").strip()
        raise InputError(f"invalid YAML: {what}", file=str(path), line=line) from None
    except yaml.YAMLError as e:
        raise InputError(f"invalid YAML: {e}", file=str(path)) from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise InputError(
            "must be a mapping of assumptions at the top level", file=str(path), line=1
        )
    return data, lines, hashlib.sha256(raw).hexdigest()


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], file: str) -> None:
    """Record the line of every key path; reject duplicate keys (YAML would keep the last)."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            if k in seen:
                raise InputError(
                    f"key '{k}' appears twice",
                    file=file,
                    line=key.start_mark.line + 1,
                    field=_dotted((*path, k)),
                )
            seen.add(k)
            lines[(*path, k)] = key.start_mark.line + 1
            _walk(value, (*path, k), lines, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), lines, file)


#: Mappings that are one value (shares that sum to 1): an override replaces them whole.
_WHOLE = frozenset({"profit_split", "capital_to"})


def _merge(base: Any, over: Any, base_origins: dict, over_origins: dict, path: Path_ = ()) -> Any:
    """Deep-merge ``over`` onto ``base``; update ``base_origins`` to say who set what.

    A key set to null in ``over`` is removed (``vehicles: {us_led_fund: null}`` drops a
    vehicle); a list or a map of shares replaces the base's whole.

    Examples
    --------
    >>> _merge({"v": {"a": 1, "b": {"x": 1}}}, {"v": {"a": None, "b": {"y": 2}}}, {}, {})
    {'v': {'b': {'x': 1, 'y': 2}}}
    """
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            sub = (*path, k)
            if v is None:
                out.pop(k, None)
                for p in [p for p in base_origins if p[: len(sub)] == sub]:
                    del base_origins[p]
                base_origins.update({p: o for p, o in over_origins.items() if p[: len(sub)] == sub})
                continue
            if k in base and isinstance(base[k], dict) and isinstance(v, dict) and k not in _WHOLE:
                base_origins[sub] = over_origins.get(sub, base_origins.get(sub))
                out[k] = _merge(base[k], v, base_origins, over_origins, sub)
            else:
                for p in [p for p in base_origins if p[: len(sub)] == sub]:
                    del base_origins[p]
                base_origins.update({p: o for p, o in over_origins.items() if p[: len(sub)] == sub})
                out[k] = v
        return out
    return over


# --- --set overrides ----------------------------------------------------------------------------

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")


def _parse_overrides(overrides: list[str] | dict[str, Any] | None) -> list[tuple[str, Path_, Any]]:
    if overrides is None:
        return []
    if isinstance(overrides, dict):
        return [(f"--set {k}={v!r}", _keypath(k, f"--set {k}"), v) for k, v in overrides.items()]
    out = []
    for text in overrides:
        where = f"--set {text}"
        key, sep, raw = text.partition("=")
        if not sep:
            raise InputError("expected KEY=VALUE, e.g. discount_rate=0.04", file=where)
        try:
            value = _scalar(raw) if raw.strip() else None
        except yaml.YAMLError:
            raise InputError(f"the value '{raw}' is not a YAML scalar", file=where) from None
        out.append((where, _keypath(key.strip(), where), value))
    return out


def _keypath(key: str, where: str) -> Path_:
    if not _KEY.match(key):
        raise InputError(
            f"'{key}' is not a dotted key path like vehicles.us_led_fund.payout", file=where
        )
    return tuple(int(p) if p.isdigit() else p for p in key.split("."))


def _apply_set(data: dict, origins: dict, where: str, path: Path_, value: Any) -> None:
    """Set one value; list items may be named by index or by their ``id``."""
    node: Any = data
    resolved: list[str | int] = []
    for i, part in enumerate(path):
        last = i == len(path) - 1
        if isinstance(node, list):
            idx = _list_index(node, part)
            if idx is None:
                raise InputError(
                    f"no item '{part}' in the list at {_dotted(tuple(resolved)) or 'top'}",
                    file=where,
                    field=_dotted(path),
                )
            part = idx
        elif not isinstance(node, dict):
            raise InputError(
                f"{_dotted(tuple(resolved))} is a value, not a section",
                file=where,
                field=_dotted(path),
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


def _list_index(items: list, part: str | int) -> int | None:
    if isinstance(part, int):
        return part if 0 <= part < len(items) else None
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return i
    return None


# --- turning errors into messages ----------------------------------------------------------------


def _dotted(path: Path_) -> str:
    return ".".join(str(p) for p in path)


def _origin(path: Path_, origins: dict[Path_, Origin], default: str) -> Origin:
    """The origin of the deepest known prefix of ``path``."""
    for n in range(len(path), 0, -1):
        if path[:n] in origins:
            return origins[path[:n]]
    return (default, None)


def _at(path: Path_, message: str, origins: dict, default: str, more: int = 0) -> InputError:
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
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return InputError(message + suffix, file=file, line=line, field=_dotted(path))


def _rank(file: str, top: str) -> int:
    """How recent an input is: an override, then the file being loaded, then what it extends."""
    if file.startswith(("--set", "--vary", "tornado")):
        return 2
    return 1 if file == top else 0


def _newest_neighbour(path: Path_, origins: dict, top: str) -> Path_ | None:
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
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    loc = _clean_loc(loc)
    message = _explain(first)
    return _at(loc, message, origins, default, more=len(errors) - 1)


def _clean_loc(loc: tuple) -> Path_:
    """Drop the union-branch tags pydantic puts in locations (``str``, ``dict[str,...]``...)."""
    tags = re.compile(r"^(str|int|float|bool|list|dict|none|constrained-str|literal)\b|\[")
    return tuple(p for p in loc if isinstance(p, int) or not tags.match(p))


def _explain(err: dict) -> str:
    kind, msg = err["type"], err["msg"]
    got = err.get("input")
    if kind == "extra_forbidden":
        return "unknown key (check the spelling; `finmodel schema` lists the keys)"
    if kind == "missing":
        return "is required but missing"
    if isinstance(got, (dict, list)):
        return msg
    return f"{msg} (got {got!r})"
