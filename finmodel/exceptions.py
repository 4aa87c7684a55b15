"""The failure rules: bad input raises :class:`InputError`; a machine without the room the work
needs raises :class:`ResourceError`.

The command line turns the first into one clear message on stderr and exit code 2, the second
into one clear message and exit code 1.
"""

from __future__ import annotations


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
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class ResourceError(Exception):
    """The machine lacks what valid work needs, found while doing it: space on a disk.

    The message says where, and how much is needed where that is known.

    Examples
    --------
    >>> str(ResourceError("no space left in TMPDIR (/tmp), need about 2.4 GB"))
    'no space left in TMPDIR (/tmp), need about 2.4 GB'
    """
