"""The failure rules: bad input raises :class:`InputError`; a machine without the room the work
needs raises :class:`ResourceError`.

The command line turns the first into one clear message on stderr and exit code 2, the second
into one clear message and exit code 1. A message is one line of plain text whatever the input
held: :func:`printable` escapes control characters (a terminal would act on them) and
:func:`shown` cuts an echoed value to a readable length.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable

#: Longest echo of an input value in a message, in characters.
ECHO_LIMIT = 80
#: Longest file name, field and message an error prints, in characters.
FILE_LIMIT, FIELD_LIMIT, MESSAGE_LIMIT = 200, 200, 600
#: Unicode categories escaped in messages: controls, formats (bidi overrides, zero-width
#: characters), line and paragraph separators, lone surrogates.
_UNPRINTABLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def printable(text: str, limit: int | None = None) -> str:
    r"""``text`` as one line safe for a terminal: unprintable characters written as escapes,
    and, past ``limit`` characters, cut in the middle with a note of how much was left out.

    Examples
    --------
    >>> print(printable("red \x1b[31mtext\nnext line"))
    red \x1b[31mtext\nnext line
    >>> printable("x" * 1000, limit=40)
    'xxxxxxxxxxxxxx...(972 more)...xxxxxxxxxxxxxx'
    """
    if limit is not None and len(text) > limit:
        keep = max(limit - 12, 2) // 2
        text = f"{text[:keep]}...({len(text) - 2 * keep} more)...{text[len(text) - keep :]}"
    if text.isprintable():  # the usual case, in one fast pass
        return text
    return "".join(_escape(c) if unicodedata.category(c) in _UNPRINTABLE else c for c in text)


def _escape(c: str) -> str:
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    n = ord(c)
    if c in named:
        return named[c]
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """An input value as a message echoes it: its ``repr``, at most about ``limit`` characters.

    Examples
    --------
    >>> shown("half")
    "'half'"
    >>> shown("x" * 10**6, limit=20)
    "'xxxxxxxxxx'... (1,000,000 characters)"
    >>> shown(10**5000)
    'an integer of 5,001 digits'
    """
    if isinstance(value, str) and len(value) > limit:
        return printable(repr(value[: limit // 2])) + f"... ({len(value):,} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3 * limit:
        digits = len(str(abs(value))) if value.bit_length() < 10_000 else _digits(value)
        return f"an integer of {digits:,} digits"
    return printable(repr(value), limit)


def _digits(n: int) -> int:
    """Decimal digits of a large integer without converting it (Python refuses past 4,300)."""
    d = int(abs(n).bit_length() * math.log10(2)) + 1
    return d if abs(n) >= 10 ** (d - 1) else d - 1


class InputError(Exception):
    """Input the model cannot use: a file, a field, a value.

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    file : str, optional
        The file the bad input came from (or ``--set KEY=VALUE`` for a command-line override).
    line : int, optional
        1-based line in ``file``, where known.
    field : str, optional
        Dotted key path of the field, e.g. ``vehicles.us_led_fund.return.rate``.

    Examples
    --------
    >>> str(InputError("must be below 1", file="a.yaml", line=12, field="discount_rate"))
    'a.yaml:12: discount_rate: must be below 1'
    >>> str(InputError("no such file", file="b.yaml"))
    'b.yaml: no such file'

    Whatever the input held, the message is one line with no control characters:

    >>> print(InputError("'x\\x1b[2J' is not a key path", file="--set x\\x1b[2J=1\\n"))
    --set x\\x1b[2J=1\\n: 'x\\x1b[2J' is not a key path
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file:
            file = printable(str(self.file), FILE_LIMIT)
            where = f"{file}:{self.line}: " if self.line else f"{file}: "
        field = f"{printable(str(self.field), FIELD_LIMIT)}: " if self.field else ""
        return f"{where}{field}{printable(str(self.message), MESSAGE_LIMIT)}"


class ResourceError(Exception):
    """The machine lacks what valid work needs, found while doing it: space on a disk.

    The message says where, and how much is needed where that is known.

    Examples
    --------
    >>> str(ResourceError("no space left in TMPDIR (/tmp), need about 2.4 GB"))
    'no space left in TMPDIR (/tmp), need about 2.4 GB'
    """


def listing(names: Iterable[str], limit: int = 12) -> str:
    """Names for a message: the first ``limit``, then how many more.

    Examples
    --------
    >>> listing(["a", "b"]), listing([f"v{i}" for i in range(100)], limit=3)
    ('a, b', 'v0, v1, v2 and 97 more')
    """
    names = list(names)
    head = ", ".join(shown(n)[1:-1] if n != shown(n)[1:-1] else n for n in names[:limit])
    return head + (f" and {len(names) - limit:,} more" if len(names) > limit else "")


#: Most further problems an error lists in full (each cut to :data:`ECHO_LIMIT` characters).
MORE_PROBLEMS = 4


def also(others: list[str]) -> str:
    """The end of an error that found more than one problem: each further problem, up to
    :data:`MORE_PROBLEMS`, then how many more (the message stays one line).

    Examples
    --------
    >>> also([])
    ''
    >>> also(["timeline.years: must be >= 1"])
    ' (and 1 more problem: timeline.years: must be >= 1)'
    >>> also([f"k{i}: bad" for i in range(6)])
    ' (and 6 more problems: k0: bad; k1: bad; k2: bad; k3: bad; and 2 others)'
    """
    if not others:
        return ""
    shown_ = [printable(o, ECHO_LIMIT) for o in others[:MORE_PROBLEMS]]
    rest = len(others) - len(shown_)
    tail = f"; and {rest} others" if rest > 1 else "; and 1 other" if rest else ""
    s = "s" if len(others) > 1 else ""
    return f" (and {len(others)} more problem{s}: {'; '.join(shown_)}{tail})"
