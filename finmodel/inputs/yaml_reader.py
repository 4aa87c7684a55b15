"""Reading YAML safely, within limits, with the line of every key.

An assumption file is YAML read with a safe loader (a ``!!python`` tag is an error, never code),
on libyaml's parser where PyYAML has it. Reading is bounded by the limits of
:mod:`finmodel.limits`, each checked before the work it bounds: the bytes of a scenario's files
(read no further than the limit), how deep mappings and lists nest, how many values aliases
repeat, the digits of an integer. A value given on the command line (``--set``, ``--vary``) is
read by the same loader within the same limits (:func:`read_value`).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from finmodel import limits
from finmodel.exceptions import InputError, shown

#: A key path in a file: its mappings' keys and its lists' indices.
KeyPath = tuple[str | int, ...]


#: Where a key path was set: (file or "--set ...", 1-based line or None).
Origin = tuple[str, int | None]


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

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        # the composer recurses once per level: stop before Python's stack does
        self.depth += 1
        try:
            if self.depth > limits.MAX_DEPTH:
                raise _Limit(
                    problem=_DEEP,
                    problem_mark=self.peek_event().start_mark,  # type: ignore[union-attr,arg-type]
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        _refuse_yaml11_number(node)
        digits = sum(c.isdigit() for c in node.value)
        if digits > limits.MAX_INT_DIGITS:
            raise _Limit(
                problem=f"an integer of {digits:,} digits, past the limit of "
                f"{limits.MAX_INT_DIGITS:,}",
                problem_mark=node.start_mark,
            )
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: yaml.ScalarNode) -> float:
        _refuse_yaml11_number(node)
        return super().construct_yaml_float(node)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as e:  # a date past 9999 or on 30 February
            what = shown(node.value) if isinstance(node, yaml.ScalarNode) else node.tag
            raise yaml.constructor.ConstructorError(
                problem=f"cannot read {what}: {e}", problem_mark=node.start_mark
            ) from None



def _refuse_yaml11_number(node: yaml.ScalarNode) -> None:
    """Refuse the numbers YAML 1.1 reads unlike anyone who types them: ``1:30`` is 90 (base
    60) and ``010`` is 8 (octal). Quoted, they are text; ``0x10`` and ``1_000`` stay numbers.

    Examples
    --------
    >>> read_value("1:30", "--set timeline.years")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: --set ...: '1:30' reads as a base-60 number in YAML (90): ...
    >>> read_value("010", "--set x")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: ...: '010' reads as an octal number in YAML (8): write 10 ...
    >>> read_value("0x10", "--set x"), read_value("1_000", "--set x")
    (16, 1000)
    >>> read_value("'1:30'", "--set x")
    '1:30'
    """
    text = node.value.replace("_", "")
    sign = -1 if text.startswith("-") else 1
    text = text.lstrip("+-")
    if ":" in text:
        value: float = 0
        for part in text.split(":"):
            value = value * 60 + (float(part) if "." in part else int(part))
        value, kind = sign * value, "a base-60"
        hint = "write the number you mean, or quote it for text"
    elif re.fullmatch(r"0[0-7]+", text):
        value, kind = sign * int(text, 8), "an octal"
        hint = f"write {int(text)} if you mean {int(text)}, or quote it for text"
    else:
        return
    raise _Limit(
        problem=f"{shown(node.value)} reads as {kind} number in YAML ({value}): {hint}",
        problem_mark=node.start_mark,
    )


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)  # type: ignore[type-var]
_Loader.add_constructor(
    "tag:yaml.org,2002:float", _Loader.construct_yaml_float  # type: ignore[type-var]
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)





#: What nesting past the limit is, whichever parser finds it: ours (:class:`_Loader`), or
#: libyaml's own depth limit (PyYAML 6.0.4 and later), which may stop first.
_DEEP = f"mappings and lists nest deeper than the limit of {limits.MAX_DEPTH} levels"


def _too_deep(problem: str) -> bool:
    """Whether a parser's ``problem`` is its nesting limit (libyaml: "exceeded maximum nesting
    depth").

    >>> _too_deep("exceeded maximum nesting depth"), _too_deep("found unexpected end of stream")
    (True, False)
    """
    return "nesting depth" in problem


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



def read_bytes(path: Path, used: int) -> bytes:
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



def read_yaml(path: Path, raw: bytes) -> tuple[dict, dict[KeyPath, int], str]:
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
        lines: dict[KeyPath, int] = {}
        _walk(node, (), lines, _Walk(str(path)))
        data = loader.construct_document(node)
    except _Limit as e:
        at = e.problem_mark.line + 1 if e.problem_mark else None
        raise InputError(str(e.problem), file=str(path), line=at) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        at = mark.line + 1 if mark else None
        what = (e.problem or e.context or "invalid YAML").strip()
        if _too_deep(what):
            raise InputError(_DEEP, file=str(path), line=at) from None
        raise InputError(f"invalid YAML: {what}", file=str(path), line=at) from None
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



def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], walk: _Walk) -> None:
    """Record the line of every key path; reject duplicate keys (YAML would keep the last),
    keys that are not plain values, nesting past the limit and aliases past their budget."""
    if id(node) in walk.nodes:
        walk.repeats += 1
        if walk.repeats > limits.MAX_ALIAS_VALUES:
            raise InputError(
                f"aliases repeat more values than the limit of {limits.MAX_ALIAS_VALUES:,}",
                file=walk.file,
                line=lines.get(path),
                field=dotted(path) or None,
            )
    walk.nodes.add(id(node))
    if len(path) > limits.MAX_DEPTH:  # an alias can nest a node inside itself
        raise InputError(
            _DEEP,
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
                    field=dotted(path) or None,
                )
            k = key.value
            if k in seen:
                raise InputError(
                    f"key {shown(k)} appears twice",
                    file=walk.file,
                    line=key.start_mark.line + 1,
                    field=dotted((*path, k)),
                )
            seen.add(k)
            lines[(*path, k)] = key.start_mark.line + 1
            _walk(value, (*path, k), lines, walk)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*path, i)] = item.start_mark.line + 1
            _walk(item, (*path, i), lines, walk)



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
        if _too_deep(what):
            raise InputError(f"the value: {_DEEP}", file=where) from None
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


def dotted(path: KeyPath) -> str:
    return ".".join(str(p) for p in path)
