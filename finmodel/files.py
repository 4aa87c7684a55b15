"""Writing files atomically: a report appears whole, or not at all.

Every output is first written to a hidden temporary file in the target folder, then renamed
over the final name. If anything fails before the renames, the temporaries are removed and an
earlier report of the same name is untouched.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

Writer = Callable[[Path], None]


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
    if out.exists() and not out.is_dir():
        raise InputError("is a file, not a folder", file=f"--out {path}")
    parent = out
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"cannot write in {parent}: permission denied", file=f"--out {path}")
    return out


def write_all(targets: dict[Path, Writer]) -> list[Path]:
    """Write each target with its writer (which writes to the path it is given), atomically.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> write_all({d / "a.txt": lambda p: p.write_text("hi")})[0].read_text()
    'hi'
    """
    temps: dict[Path, Path] = {}
    made: list[Path] = []
    try:
        for final, writer in targets.items():
            made += _make_folder(final.parent)
            tmp = _temp_beside(final)
            temps[final] = tmp
            writer(tmp)
        for final, tmp in temps.items():
            os.replace(tmp, final)
        made = []  # written: the folders stay
    finally:
        for tmp in temps.values():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        for folder in reversed(made):  # a failed write leaves no new empty folder behind
            with contextlib.suppress(OSError):
                folder.rmdir()
    return list(targets)


def _make_folder(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return the ones created, outermost first."""
    from finmodel.exceptions import InputError

    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return missing
    except OSError as e:
        where = f"--out {folder}"
        raise InputError(f"cannot create the folder ({e.strerror})", file=where) from None


def _temp_beside(final: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(name, 0o666 & ~umask)  # as an ordinary file would be, not mkstemp's 0600
    return Path(name)


def write_table_and_workbook(
    out_dir: str | Path, stem: str, table, workbook: Callable[[Path], None]
) -> list[Path]:
    """``STEM.csv`` (a DataFrame, plain floats) and ``STEM.xlsx``, written together, atomically."""
    out = Path(out_dir)
    return write_all(
        {
            out / f"{stem}.csv": lambda p: table.to_csv(
                p, index=False, float_format="%.17g", lineterminator="\n"
            ),
            out / f"{stem}.xlsx": workbook,
        }
    )
