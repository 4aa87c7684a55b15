"""Which scenario a report was written for, so that one scenario's report never replaces
another's.

Every workbook a scenario's command writes (``NAME.xlsx``, ``NAME.sweep.xlsx``,
``NAME.simulation.xlsx``, ``NAME.tornado.xlsx``) carries the *fingerprint* of its scenario in
its document properties (``identifier``): :func:`finmodel.inputs.loader.identity`, the sha256
of the assumption file's full path, the ``--set`` changes and the name (for assumptions made
in code, the digest of their contents). Before a command writes, :func:`check_replaceable`
refuses to replace a report set whose workbook was written for another scenario that took the
same name (through ``--name``, ``--set name=`` or a file's own ``name:``), unless ``--force``
is given. The same file run again with the same changes replaces its own report, also after
the file was edited: that is the analyst's everyday loop.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from finmodel.exceptions import InputError

_PREFIX = "finmodel-scenario-sha256:"
_IDENTIFIER = re.compile(rb"<dc:identifier>([^<]*)</dc:identifier>")


def stamp(fingerprint: str) -> str:
    """The text a workbook's ``identifier`` property holds for the scenario of this fingerprint.

    Examples
    --------
    >>> stamp("ab12")
    'finmodel-scenario-sha256:ab12'
    """
    return f"{_PREFIX}{fingerprint}"


def written_from(path: Path) -> str | None:
    """The fingerprint recorded in the workbook at ``path``; None if it records none (not
    written by finmodel, by a finmodel older than the record, or not a workbook).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from openpyxl import Workbook
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.xlsx"
    >>> wb = Workbook()
    >>> wb.properties.identifier = stamp("ab12")
    >>> wb.save(p)
    >>> written_from(p)
    'ab12'
    >>> _ = p.write_text("not a workbook")
    >>> written_from(p) is None
    True
    """
    try:
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml")
    except (OSError, KeyError, zipfile.BadZipFile):
        return None
    found = _IDENTIFIER.search(core)
    text = found.group(1).decode("utf-8", "replace") if found else ""
    return text[len(_PREFIX) :] if text.startswith(_PREFIX) else None


def check_replaceable(workbook: Path, fingerprint: str, force: bool = False) -> None:
    """Raise :class:`~finmodel.exceptions.InputError` if ``workbook`` exists and was not
    written for the scenario of ``fingerprint`` (and ``force`` is not given): its report set
    would be replaced by another scenario's numbers under the same name.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_replaceable(d / "base.xlsx", "ab12")  # nothing there: nothing replaced
    >>> _ = (d / "base.xlsx").write_text("someone's own file")
    >>> check_replaceable(d / "base.xlsx", "ab12")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: --out ...: base.xlsx was not written by finmodel ...
    >>> check_replaceable(d / "base.xlsx", "ab12", force=True)
    """
    if force or not workbook.exists():
        return
    earlier = written_from(workbook)
    if earlier == fingerprint:
        return
    from finmodel.reports.files import shown

    what = (
        "was not written by finmodel for a recorded scenario"
        if earlier is None
        else (
            "was written for another scenario (another file or other --set changes: "
            f"{earlier[:12]}, this run {fingerprint[:12]})"
        )
    )
    raise InputError(
        f"{workbook.name} {what}; its report would be replaced by another scenario's under the "
        "same name: choose another name with --name, or --force to replace it",
        file=f"--out {shown(workbook.parent)}",
    )
