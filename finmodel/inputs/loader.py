"""Reading assumption files: safe YAML, ``extends``, ``--set`` overrides, and errors with lines.

An assumption file is YAML read with a safe loader (a ``!!python`` tag is an error, never code).
``extends: other.yaml`` merges this file over another (mappings merge key by key; a list, and
a map of shares such as ``profit_split``, is replaced whole); ``--set dotted.path=value``
overrides one value. A source an extended file gives for a figure that this file removed is
dropped with the figure. Every error names the file, the line where known, and the field.

Reading is bounded by the limits of :mod:`finmodel.limits`, each checked before the work it
bounds: the bytes of a scenario's files (read no further than the limit), the length of an
``extends`` chain, how deep mappings and lists nest, how many values aliases repeat, the digits
of an integer. Merging is linear in the size of the files.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from finmodel import limits
from finmodel.exceptions import ECHO_LIMIT, InputError, shown
from finmodel.inputs.assumptions import Assumptions, Inconsistent, clean_loc, explain, number_at

Path_ = tuple[str | int, ...]
#: Where a key path was set: (file or "--set ...", 1-based line or None).
Origin = tuple[str, int | None]

_SHIPPED = "base"


class _Limit(yaml.MarkedYAMLError):
    """Valid YAML past one of the limits (its ``problem`` says which)."""


if yaml.__with_libyaml__:
    from yaml._yaml import CParser
    from yaml.composer import Composer
    from yaml.constructor import SafeConstructor
    from yaml.resolver import Resolver

    class _SafeLoader(Composer, CParser, SafeConstructor, Resolver):
        """PyYAML's safe loader on libyaml's parser: the same events, read about seven times
        faster, and composed into nodes by PyYAML's own composer, which :class:`_Loader`
        bounds (libyaml's composer would recurse in C, unchecked)."""

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml
    _SafeLoader = yaml.SafeLoader  # type: ignore[misc,assignment]


class _Loader(_SafeLoader):
    """The safe loader, reading ``1e-3`` and ``5E9`` as numbers (YAML 1.1 wants ``1.0e-3``),
    with a limit on nesting, and values it cannot hold (an integer of 5,000 digits, the date
    2026-02-30) as errors at their line."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        # the composer recurses once per level: stop before Python's stack does
        self.depth += 1
        try:
            if self.depth > limits.MAX_DEPTH:
                raise _Limit(
                    problem=f"mappings and lists nest deeper than the limit of "
                    f"{limits.MAX_DEPTH} levels",
                    problem_mark=self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(c.isdigit() for c in node.value)
        if digits > limits.MAX_INT_DIGITS:
            raise _Limit(
                problem=f"an integer of {digits:,} digits, past the limit of "
                f"{limits.MAX_INT_DIGITS:,}",
                problem_mark=node.start_mark,
            )
        return super().construct_yaml_int(node)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as e:  # a date past 9999 or on 30 February
            what = shown(node.value) if isinstance(node, yaml.ScalarNode) else node.tag
            raise yaml.constructor.ConstructorError(
                problem=f"cannot read {what}: {e}", problem_mark=node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _scalar(text: str, where: str) -> Any:
    """One value from the command line, read as YAML by the same loader (a SafeLoader: no
    tag runs code) within the same limits: nesting, and values repeated through aliases
    (a flow-style billion laughs fits on a command line)."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        try:
            _walk(node, (), {}, _Walk(where))
        except InputError as e:
            e.line = None  # a line of the value's own text: not worth showing
            raise
        return loader.construct_document(node)
    finally:
        loader.dispose()


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
    data, tree, files = _read_chain(_locate(path))
    origins = tree.flat()
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
    if not isinstance(a, Assumptions):
        raise InputError(
            f"expected Assumptions (from finmodel.load), got {type(a).__name__} {shown(a)}"
        )
    if not isinstance(overrides, Mapping):
        raise InputError(
            f"overrides must be a dict {{key path: value}}, got {type(overrides).__name__} "
            f"{shown(overrides)}"
        )
    data = _thawed(a.model_dump(mode="python", by_alias=True, exclude_unset=True))
    origins: dict[Path_, Origin] = {}
    texts, paths = [], []
    for key, value in overrides.items():
        if not isinstance(key, str):
            raise InputError(f"a key path must be a str, got {type(key).__name__} {shown(key)}")
        texts.append(f"{key}={_text(value)}")
        paths.append(_keypath(key, f"{where} {texts[-1]}"))
        _apply_set(data, origins, f"{where} {texts[-1]}", paths[-1], value)
    _drop_stale_sources(data, origins, top="", sets=paths)
    # a problem the overrides cause elsewhere (the pool no longer fits) names them
    return _validated(data, origins, default=f"{where} {', '.join(texts)}")


def _text(value: Any) -> str:
    """A value as an override's text shows it: ``str(value)``, or a short echo if long.

    Examples
    --------
    >>> _text(0.05), _text("x" * 500)
    ('0.05', "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... (500 characters)")
    """
    if isinstance(value, (float, bool)) or value is None:
        return str(value)
    if isinstance(value, str) and len(value) <= ECHO_LIMIT:
        return value
    if isinstance(value, int) and value.bit_length() < 3 * ECHO_LIMIT:
        return str(value)
    return shown(value)


def _thawed(data: Any) -> Any:
    """A model's dump with its tuples as lists, so that an override can set an item."""
    if isinstance(data, dict):
        return {k: _thawed(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_thawed(v) for v in data]
    return data


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


#: Counts checked before validation, which would otherwise check every item first.
_COUNTS = {
    ("vehicles",): ("vehicles", limits.MAX_VEHICLES),
    ("parties",): ("parties", limits.MAX_PARTIES),
    ("pool", "holdings"): ("holdings", limits.MAX_HOLDINGS),
    ("pool", "allocation"): ("carve-outs", limits.MAX_CARVEOUTS),
}


def _validated(data: dict, origins: dict[Path_, Origin], default: str) -> Assumptions:
    """Validate merged data; an error names where its field was set (``default`` otherwise)."""
    for path, (what, most) in _COUNTS.items():
        node: Any = data
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, (dict, list)) and len(node) > most:
            message = f"{len(node):,} {what}, past the limit of {most:,}"
            raise _at(path, message, origins, default)
    try:
        return Assumptions.model_validate(data)
    except ValidationError as e:
        raise _from_validation(e, origins, default) from None
    except Inconsistent as e:  # each field valid, together not
        path, message = e.found[0]
        raise _at(path, message, origins, default, more=len(e.found) - 1) from None


def shipped(name: str = _SHIPPED) -> Path:
    """Path of a scenario shipped inside the package (works from any folder)."""
    root = resources.files("finmodel") / "data"
    for candidate in (f"{name}.yaml", f"scenarios/{name}.yaml"):
        p = Path(str(root / candidate))
        if _kind(p, name) == "file":
            return p
    raise InputError(f"no shipped scenario named {shown(name)}", file=name)


def _is_shipped(name: str) -> bool:
    try:
        shipped(name)
    except InputError:
        return False
    return True


def _locate(path: str | Path) -> Path:
    if not isinstance(path, (str, PathLike)) or not str(path):
        raise InputError(
            "expected the path of an assumption file (str or Path) or the name of a shipped "
            f"scenario such as 'base', got {type(path).__name__} {shown(path)}"
        )
    p = Path(path)
    kind = _kind(p, str(path))
    if kind == "file":
        return p
    if kind == "folder" and not (
        p.suffix == "" and "/" not in str(path) and _is_shipped(str(path))
    ):
        raise InputError("is a folder, not an assumption file", file=str(path))
    if p.suffix == "" and "/" not in str(path):
        return shipped(str(path))
    if kind == "other":  # a device, a pipe, a socket: reading it may never end
        raise InputError("is not a regular file", file=str(path))
    raise InputError("no such file", file=str(path))


def _kind(p: Path, name: str) -> str | None:
    """``"file"``, ``"folder"``, ``"other"`` (a device, a pipe) or None (nothing there).

    A name the system refuses (too long, a NUL byte in it) is bad input, not a crash.
    """
    try:
        mode = p.stat().st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as e:
        why = getattr(e, "strerror", None) or str(e)
        raise InputError(f"cannot be read ({why})", file=name) from None
    return "file" if stat.S_ISREG(mode) else "folder" if stat.S_ISDIR(mode) else "other"


# --- reading YAML with line numbers -----------------------------------------------------------


@dataclass
class _Origins:
    """Who set a key path and what lies under it: a tree that merging can graft in one step.

    ``origin`` is (file, line) of the key itself; ``under`` the same for each key below it;
    ``order`` sorts the key paths as a flat list of them, updated file by file, would hold
    them (each file's in its own order, after those of the files it extends).
    """

    origin: Origin | None = None
    order: tuple[int, int] = (0, 0)
    under: dict[str | int, _Origins] = field(default_factory=dict)

    @classmethod
    def of(cls, lines: dict[Path_, int], file: str, rank: int = 0) -> _Origins:
        """The tree of a file's key paths and their lines; ``rank`` orders files."""
        root = cls()
        for i, (path, line) in enumerate(lines.items()):
            node = root
            for part in path:
                node = node.under.setdefault(part, cls())
            node.origin, node.order = (file, line), (rank, i)
        return root

    def flat(self) -> dict[Path_, Origin]:
        """Every key path with its origin.

        Examples
        --------
        >>> _Origins.of({("a",): 1, ("a", "b"): 2}, "f.yaml").flat()
        {('a',): ('f.yaml', 1), ('a', 'b'): ('f.yaml', 2)}
        """
        found: list[tuple[tuple[int, int], Path_, Origin]] = []
        todo: list[tuple[Path_, _Origins]] = [((), self)]
        while todo:
            path, node = todo.pop()
            if node.origin is not None and path:
                found.append((node.order, path, node.origin))
            todo += [((*path, k), sub) for k, sub in node.under.items()]
        found.sort(key=lambda x: x[0])
        return {path: origin for _, path, origin in found}


def _read_chain(
    path: Path, seen: tuple[Path, ...] = (), used: int = 0
) -> tuple[dict, _Origins, list]:
    """Read ``path`` and, recursively, what it extends; merge; return data, origins, files.

    ``seen`` are the files that extend this one, ``used`` the bytes they hold.
    """
    resolved = path.resolve()
    raw = _read_bytes(path, used)
    data, lines, digest = _read_yaml(path, raw)
    origins = _Origins.of(lines, str(path), rank=-len(seen))
    parent = data.get("extends")
    if parent is None:
        return data, origins, [(str(path), digest)]
    where = {"file": str(path), "line": lines.get(("extends",)), "field": "extends"}
    if not isinstance(parent, str) or not parent:
        raise InputError("must be the path of another assumption file", **where)
    target = path.parent / parent  # an absolute path stays as it is
    kind = _kind(target, str(path))
    if kind != "file":
        try:
            shipped_ = Path(parent).suffix == "" and "/" not in parent
            target = shipped(parent) if shipped_ and kind is None else None
        except InputError:
            target = None
        if target is None:
            what = "does not exist" if kind is None else "is not a regular file"
            raise InputError(
                f"extends {shown(parent)}, which {what} ({path.parent / parent})", **where
            )
    if target.resolve() in (*seen, resolved):
        chain = " -> ".join(p.name for p in (*seen, resolved, target.resolve()))
        raise InputError(f"circular 'extends': {chain}", **where)
    if len(seen) + 1 >= limits.MAX_EXTENDS:
        raise InputError(
            f"extends a chain longer than the limit of {limits.MAX_EXTENDS} files", **where
        )
    base, base_origins, files = _read_chain(target, (*seen, resolved), used + len(raw))
    merged = _merge(base, data, base_origins, origins)
    return merged, base_origins, [*files, (str(path), digest)]


def _read_bytes(path: Path, used: int) -> bytes:
    """The file's bytes, read no further than the limit allows after the ``used`` bytes of
    the files that extend it (a file need not say its size: /proc, a pipe)."""
    budget = limits.MAX_FILE_BYTES - used
    try:
        with path.open("rb") as f:
            raw = f.read(budget + 1)
    except OSError as e:
        raise InputError(f"cannot be read ({e.strerror})", file=str(path)) from None
    if len(raw) > budget:
        n = path.stat().st_size  # 0 for a /proc file: then say only what was read
        size = f"{n:,} bytes" if n >= len(raw) else f"more than {budget:,} bytes"
        extended = f", and the files that extend it {used:,}" if used else ""
        raise InputError(
            f"holds {size}{extended}; a scenario's files may hold at most "
            f"{limits.MAX_FILE_BYTES:,} bytes (1 MiB) together",
            file=str(path),
        )
    return raw


def _read_yaml(path: Path, raw: bytes) -> tuple[dict, dict[Path_, int], str]:
    try:
        text = raw.decode("utf-8-sig")  # a BOM (Notepad) is not content
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise InputError("is not UTF-8 text", file=str(path), line=line) from None
    loader = None
    try:
        loader = _Loader(text)  # its reader refuses control characters here, at once
        node = loader.get_single_node()
        if node is None:
            raise InputError("is empty: expected a mapping of assumptions", file=str(path))
        lines: dict[Path_, int] = {}
        _walk(node, (), lines, _Walk(str(path)))
        data = loader.construct_document(node)
    except _Limit as e:
        line = e.problem_mark.line + 1 if e.problem_mark else None
        raise InputError(str(e.problem), file=str(path), line=line) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        what = (e.problem or e.context or "invalid YAML").strip()
        raise InputError(f"invalid YAML: {what}", file=str(path), line=line) from None
    except yaml.reader.ReaderError as e:  # a control character, say: a NUL byte
        line = text.count("\n", 0, e.position) + 1
        char = shown(chr(e.character)) if isinstance(e.character, int) else shown(e.character)
        raise InputError(
            f"invalid YAML: the character {char} is not allowed in YAML text",
            file=str(path),
            line=line,
        ) from None
    except yaml.YAMLError as e:
        raise InputError(f"invalid YAML: {e}", file=str(path)) from None
    except (RecursionError, ValueError, OverflowError) as e:
        # whatever else the parser trips on is this file's content, not finmodel's state
        raise InputError(f"cannot be read: {type(e).__name__}: {e}", file=str(path)) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        raise InputError(
            "must be a mapping of assumptions at the top level", file=str(path), line=1
        )
    return data, lines, hashlib.sha256(raw).hexdigest()


@dataclass
class _Walk:
    """What a walk over a file's nodes has seen: the nodes, and how many it met again
    (through an alias), which :data:`~finmodel.limits.MAX_ALIAS_VALUES` bounds."""

    file: str
    nodes: set[int] = field(default_factory=set)
    repeats: int = 0


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int], walk: _Walk) -> None:
    """Record the line of every key path; reject duplicate keys (YAML would keep the last),
    keys that are not plain values, nesting past the limit and aliases past their budget."""
    if id(node) in walk.nodes:
        walk.repeats += 1
        if walk.repeats > limits.MAX_ALIAS_VALUES:
            raise InputError(
                f"aliases repeat more values than the limit of {limits.MAX_ALIAS_VALUES:,}",
                file=walk.file,
                line=lines.get(path),
                field=_dotted(path) or None,
            )
    walk.nodes.add(id(node))
    if len(path) > limits.MAX_DEPTH:  # an alias can nest a node inside itself
        raise InputError(
            f"mappings and lists nest deeper than the limit of {limits.MAX_DEPTH} levels",
            file=walk.file,
            line=lines.get(path),
        )
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise InputError(
                    "a key must be a plain value, not a list or a mapping",
                    file=walk.file,
                    line=key.start_mark.line + 1,
                    field=_dotted(path) or None,
                )
            k = key.value
            if k in seen:
                raise InputError(
                    f"key {shown(k)} appears twice",
                    file=walk.file,
                    line=key.start_mark.line + 1,
                    field=_dotted((*path, k)),
                )
            seen.add(k)
            lines[(*path, k)] = key.start_mark.line + 1
            _walk(value, (*path, k), lines, walk)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), lines, walk)


#: Mappings that are one value (shares that sum to 1): an override replaces them whole.
_WHOLE = frozenset({"profit_split", "capital_to"})


def _merge(base: Any, over: Any, base_origins: _Origins, over_origins: _Origins) -> Any:
    """Deep-merge ``over`` onto ``base``; update ``base_origins`` to say who set what.

    A key set to null in ``over`` is removed (``vehicles: {us_led_fund: null}`` drops a
    vehicle); a list or a map of shares replaces the base's whole. Each key of ``over`` costs
    one step: what it replaces is grafted from ``over_origins`` whole, never searched for.

    Examples
    --------
    >>> _merge({"v": {"a": 1, "b": {"x": 1}}}, {"v": {"a": None, "b": {"y": 2}}},
    ...        _Origins(), _Origins())
    {'v': {'b': {'x': 1, 'y': 2}}}
    """
    if not (isinstance(base, dict) and isinstance(over, dict)):
        return over
    out = dict(base)
    for k, v in over.items():
        sub = over_origins.under.get(k)
        if v is None:
            out.pop(k, None)
        elif k in base and isinstance(base[k], dict) and isinstance(v, dict) and k not in _WHOLE:
            node = base_origins.under.setdefault(k, _Origins())
            if sub is not None and sub.origin is not None:
                node.origin = sub.origin
            out[k] = _merge(base[k], v, node, sub or _Origins())
            continue
        else:
            out[k] = v
        if sub is None:
            base_origins.under.pop(k, None)
        else:
            base_origins.under[k] = sub
    return out


# --- --set overrides ----------------------------------------------------------------------------

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")


def _parse_overrides(overrides: Any) -> list[tuple[str, Path_, Any]]:
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
            out.append((f"--set {k}={shown(v)}", _keypath(k, f"--set {k}"), v))
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
        out.append((where, _keypath(key.strip(), where), read_value(raw, where)))
    return out


def read_value(text: str, where: str) -> Any:
    """One value given on the command line, read as YAML as a file is, within the same
    limits; blank is None. Whatever cannot be read is an :class:`InputError` at ``where``.

    Examples
    --------
    >>> read_value("0.05", "--set discount_rate=0.05"), read_value("[1, 2]", "--set x")
    (0.05, [1, 2])
    >>> read_value("[" * 40 + "]" * 40, "--vary x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: --vary x: the value: mappings and lists nest deeper ...
    """
    if not text.strip():
        return None
    if not _utf8(text):  # bytes the shell passed that are not UTF-8 (\udcff, say)
        raise InputError("the value holds bytes that are not UTF-8 text", file=where)
    try:
        return _scalar(text, where)
    except _Limit as e:
        raise InputError(f"the value: {e.problem}", file=where) from None
    except yaml.MarkedYAMLError as e:
        what = (e.problem or e.context or "").strip()
        message = f"the value {shown(text)} is not valid YAML: {what}"
        raise InputError(message, file=where) from None
    except yaml.YAMLError:
        raise InputError(f"the value {shown(text)} is not valid YAML", file=where) from None


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _keypath(key: str, where: str) -> Path_:
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
    return _at(clean_loc(tuple(first["loc"])), explain(first), origins, default, len(errors) - 1)
