"""Writing a report set as one unit: replaced whole, or not at all.

A command writes a *set* of files (``run``: four; ``sweep``, ``simulate``, ``tornado``,
``compare``: a CSV and a workbook). The set is first written into a fresh hidden folder inside
the output folder (``.finmodel-<pid>-<random>``), so that a failure while writing touches no
file of an earlier set. Then, holding a lock on the output folder (``flock``, so that two
finmodel processes writing into the same folder take turns), every target is checked before
any is replaced, and the files are renamed into place one by one, each earlier file kept as a
hard link until the last rename has succeeded: if a rename fails, the earlier files are put
back. The hidden folder is removed in every case.

The names a command writes are in :data:`OUTPUTS`; :func:`name_problem` keeps scenario names
from producing another command's file names.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from finmodel.inputs.names import OUTPUTS

try:  # POSIX; elsewhere the output folder is not locked
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

Writer = Callable[[Path], None]

#: A staging folder left by a process that no longer exists is removed by the next writer
#: into the same folder once it is this old (seconds).
STALE_AFTER = 3600
_STAGING = ".finmodel-"
_SHOWN = 60  # characters of a path echoed in a message


def report_paths(out_dir: str | Path, command: str, name: str) -> list[Path]:
    """The files ``command`` writes into ``out_dir`` for the scenario ``name``.

    Examples
    --------
    >>> [p.name for p in report_paths("reports", "sweep", "base")]
    ['base.sweep.csv', 'base.sweep.xlsx']
    """
    return [Path(out_dir) / pattern.format(name) for pattern in OUTPUTS[command]]




def shown(path: str | Path) -> str:
    """A path as a message shows it: at most 60 characters, the middle cut.

    Examples
    --------
    >>> shown("a" * 100)
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaa…aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
    """
    text = str(path)
    if len(text) <= _SHOWN:
        return text
    half = (_SHOWN - 1) // 2
    return f"{text[:half]}…{text[-(_SHOWN - 1 - half) :]}"


def check_out_dir(path: str | Path) -> Path:
    """The output folder, if it can be one: an existing folder, or one that can be made.

    Nothing is created here; a report's files are written only once the run has succeeded.

    Examples
    --------
    >>> check_out_dir("reports").name
    'reports'
    """
    from finmodel.exceptions import InputError

    out = Path(path)
    where = f"--out {shown(path)}"
    try:
        if out.exists() and not out.is_dir():
            raise InputError("is a file, not a folder", file=where)
        parent = out
        while not parent.exists():
            parent = parent.parent
    except OSError as e:  # a name too long for the file system, a loop of links, ...
        raise InputError(_why(e), file=where) from None
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot write in {shown(parent)}: permission denied", file=where)
    return out


def check_targets(paths: list[Path]) -> None:
    """Raise :class:`~finmodel.exceptions.InputError` unless every path can be replaced by a
    report file: absent, a file, or a link (which is replaced, never written through).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> (d / "base.summary.json").mkdir()
    >>> check_targets([d / "base.xlsx", d / "base.summary.json"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: --out ...: base.summary.json is a folder, ...
    """
    from finmodel.exceptions import InputError

    for path in paths:
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:
            continue
        except OSError as e:
            raise InputError(_why(e), file=f"--out {shown(path.parent)}") from None
        if stat.S_ISDIR(mode) or not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
            what = "a folder" if stat.S_ISDIR(mode) else "not a regular file"
            raise InputError(
                f"{path.name} is {what}, which a report file cannot replace: "
                "move or rename it, or choose another --out",
                file=f"--out {shown(path.parent)}",
            )


def write_all(targets: dict[Path, Writer]) -> list[Path]:
    """Write each target with its writer (which writes to the path it is given), as one unit.

    Every target must be in one folder. Raises ``InputError`` for a target that cannot be
    replaced or a folder that cannot be written (exit 2), ``ResourceError`` for a full disk
    (exit 1); in every failure an earlier set is untouched and nothing new is left.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_all({d / "a.txt": lambda p: p.write_text("hi")})[0].read_text()
    'hi'
    >>> sorted(p.name for p in d.iterdir())
    ['a.txt']
    """
    folders = {final.parent for final in targets}
    if len(folders) != 1:
        raise ValueError(f"a report set is written into one folder (got {len(folders)})")
    folder = folders.pop()
    finals = list(targets)
    check_targets(finals)
    made = _make_folder(folder)
    staging: Path | None = None
    try:
        staging = _staging(folder)
        for final, writer in targets.items():
            with _as_output_error(folder):
                writer(staging / final.name)
        with _as_output_error(folder), _locked(folder):
            check_targets(finals)
            _swap(staging, finals)
            _remove_stale(folder)
        made = []  # written: the folders stay
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for created in reversed(made):  # a failed write leaves no new empty folder behind
            with contextlib.suppress(OSError):
                created.rmdir()
    return finals


def _swap(staging: Path, finals: list[Path]) -> None:
    """Rename each staged file over its final name; on a failure, put the earlier ones back.

    An earlier file is kept as a hard link in ``staging`` (or, where the file system has no
    hard links, moved there) before it is replaced, so that it can be restored.
    """
    done: list[tuple[Path, Path | None]] = []
    try:
        for final in finals:
            kept = _keep(final, staging / f".earlier.{final.name}")
            done.append((final, kept))
            os.replace(staging / final.name, final)
    except BaseException:
        for final, kept in reversed(done):
            with contextlib.suppress(OSError):
                if kept is None:
                    final.unlink(missing_ok=True)
                else:
                    os.replace(kept, final)
        raise


def _keep(final: Path, backup: Path) -> Path | None:
    """Keep the file at ``final`` (if any) at ``backup``; return ``backup``, or None if there
    was nothing to keep."""
    if not os.path.lexists(final):
        return None
    try:
        os.link(final, backup, follow_symlinks=False)
    except OSError:  # no hard links here: move it aside (the name is briefly absent)
        os.replace(final, backup)
    return backup


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``folder`` itself (no lock file is left behind)."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _staging(folder: Path) -> Path:
    """A fresh hidden folder in ``folder`` for a set being written (same file system)."""
    with _as_output_error(folder):
        return Path(tempfile.mkdtemp(prefix=f"{_STAGING}{os.getpid()}-", dir=folder))


_STAGING_NAME = re.compile(re.escape(_STAGING) + r"(\d+)-")


def _remove_stale(folder: Path) -> None:
    """Remove staging folders left by finmodel processes that were killed while writing."""
    now = time.time()
    for entry in folder.glob(f"{_STAGING}*"):
        m = _STAGING_NAME.match(entry.name)
        if m is None or int(m.group(1)) == os.getpid() or _alive(int(m.group(1))):
            continue
        with contextlib.suppress(OSError):
            if now - entry.lstat().st_mtime > STALE_AFTER:
                shutil.rmtree(entry)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


@contextlib.contextmanager
def _as_output_error(folder: Path) -> Iterator[None]:
    """Turn the operating system's refusals to write into finmodel's errors, in one line."""
    from finmodel.exceptions import InputError, ResourceError

    try:
        yield
    except OSError as e:
        where = f"--out {shown(folder)}"
        if e.errno in (errno.ENOSPC, errno.EDQUOT):
            raise ResourceError(f"{_full(folder)}: no space left on the device; "
                                "nothing was replaced") from None  # fmt: skip
        if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS, errno.ENAMETOOLONG):
            raise InputError(_why(e), file=where) from None
        raise


def _full(folder: Path) -> str:
    """Which disk filled while a set was written: the output folder's, or TMPDIR's (where
    openpyxl builds a workbook's sheets) if that is another disk with less room."""
    tmp = tempfile.gettempdir()
    with contextlib.suppress(OSError):
        if os.stat(tmp).st_dev != os.stat(folder).st_dev and (
            shutil.disk_usage(tmp).free < shutil.disk_usage(folder).free
        ):
            return f"TMPDIR ({shown(tmp)}), where a workbook's sheets are built"
    return f"--out {shown(folder)}"


def _why(e: OSError) -> str:
    """An operating-system error as a short reason, without the path it echoes."""
    reason = (e.strerror or str(e)).lower()
    if e.errno == errno.ENAMETOOLONG:
        return f"{reason}: a name in the path is longer than the file system allows"
    return f"cannot write there ({reason})"


def _make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return the ones created, outermost first."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    with _as_output_error(folder):
        folder.mkdir(parents=True, exist_ok=True)
    return missing


def write_csv(table, path: Path, float_format: str) -> None:
    """Write a DataFrame as CSV: text cells a spreadsheet would read as a formula neutralised
    (:func:`neutralised`), and a carriage return inside a text cell written as a line break
    (LF), which the writer quotes (it would leave a lone CR bare, and a reader would split the
    row there).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_csv(pd.DataFrame({"v": ["=1+1", "-2", "ok"], "x": [-1.5, 2.0, 3.0]}), p, "%g")
    >>> print(p.read_text(), end="")
    v,x
    '=1+1,-1.5
    -2,2
    ok,3
    """
    from pandas.api.types import infer_dtype

    safe = table.copy()
    for column in safe.columns:
        # object or text columns, unless they hold numbers only (a sweep's varied values)
        if safe[column].dtype.kind == "O" and infer_dtype(safe[column]) not in _NUMERIC:
            safe[column] = safe[column].map(_safe_text)
    safe.to_csv(path, index=False, float_format=float_format, lineterminator="\n")


_NUMERIC = ("floating", "integer", "mixed-integer-float", "decimal", "boolean", "empty")


def _safe_text(value):
    value = neutralised(value)
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


#: What makes a spreadsheet read a text cell as a formula (OWASP's list): its first character.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def neutralised(value):
    """A text cell a spreadsheet would read as a formula, prefixed with ``'``; anything else
    (numbers, and text that is just a number such as ``-0.5``) as it is.

    Examples
    --------
    >>> neutralised("+cmd|calc!A0"), neutralised("-0.5"), neutralised(-0.5), neutralised("x")
    ("'+cmd|calc!A0", '-0.5', -0.5, 'x')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.match(value):
        return "'" + value
    return value


def write_table_and_workbook(
    out_dir: str | Path, command: str, name: str, table, workbook: Writer
) -> list[Path]:
    """``command``'s CSV (a DataFrame, plain floats) and workbook for the scenario ``name``,
    written as one set."""
    csv, xlsx = report_paths(out_dir, command, name)
    return write_all({csv: lambda p: write_csv(table, p, float_format="%.17g"), xlsx: workbook})
