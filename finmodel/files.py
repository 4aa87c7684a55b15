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
    try:
        for final, writer in targets.items():
            final.parent.mkdir(parents=True, exist_ok=True)
            tmp = _temp_beside(final)
            temps[final] = tmp
            writer(tmp)
        for final, tmp in temps.items():
            os.replace(tmp, final)
    finally:
        for tmp in temps.values():
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
    return list(targets)


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
                p, index=False, float_format="%.10g", lineterminator="\n"
            ),
            out / f"{stem}.xlsx": workbook,
        }
    )
