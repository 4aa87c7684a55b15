"""A simulation's scratch store: one array per column, scenarios last, in memory or mapped
from files in TMPDIR.

The files are checked against the free space before any work (:func:`check_space`) and
reserved in full when they are made (``posix_fallocate``), so that a full disk is one message,
never a SIGBUS half way. Where worker processes are forked they inherit the mappings, so the
files are unlinked as soon as they are mapped: the space returns to the system however the
processes end. Nothing is left in TMPDIR afterwards.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from finmodel.exceptions import ResourceError
from finmodel.studies.workers import START_METHOD


def check_space(need: int, n: int) -> None:
    """Refuse, before any work, a simulation whose scratch would not fit in TMPDIR."""
    folder = tempfile.gettempdir()
    free = shutil.disk_usage(folder).free
    if need > free:
        raise ResourceError(no_space(folder, need, n, free))


def no_space(folder: str, need: int, n: int, free: int | None = None) -> str:
    """The one line for a TMPDIR too small: where, how much is needed, what to do."""
    have = f", {size_text(free)} free" if free is not None else ""
    return (
        f"no space left in TMPDIR ({folder}), need about {size_text(need)} for {n:,} scenarios"
        f"{have}: point TMPDIR at a larger disk or lower -n"
    )


def size_text(nbytes: int) -> str:
    """Bytes for a reader: GB with one decimal, MB below 1 GB.

    Examples
    --------
    >>> size_text(2_400_000_000), size_text(350_000_000)
    ('2.4 GB', '350 MB')
    """
    return f"{nbytes / 1e9:.1f} GB" if nbytes >= 1e9 else f"{nbytes / 1e6:.0f} MB"


def nbytes(shapes: dict) -> int:
    return sum(int(np.prod(shape)) * np.dtype(dtype).itemsize for shape, dtype in shapes.values())


@dataclass(frozen=True)
class Store:
    """Per-scenario results, one array per column with the scenarios last, so that a column is
    contiguous: in memory, or mapped from files. ``paths`` names the files where spawned
    worker processes must open them; it is empty where there are none, or where forked
    workers inherit the mappings (the files are then already unlinked)."""

    arrays: dict
    paths: dict


@contextlib.contextmanager
def scratch(shapes: dict, mapped: bool, n: int) -> Iterator[Store]:
    """The store of a simulation's columns: in memory, or (``mapped``) in files in TMPDIR,
    each reserved in full when made. Nothing of it is left in TMPDIR afterwards."""
    if not mapped:
        yield Store({key: np.full(shape, np.nan, dtype=dtype)
                      for key, (shape, dtype) in shapes.items()}, {})  # fmt: skip
        return
    folder = Path(tempfile.mkdtemp(prefix="finmodel-sim-"))
    try:
        try:
            paths = {key: folder / f"c{i}.npy" for i, key in enumerate(shapes)}
            arrays = {key: reserved_map(paths[key], *shapes[key]) for key in shapes}
        except OSError as e:
            if e.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
                raise
            raise ResourceError(no_space(str(folder.parent), nbytes(shapes), n)) from None
        if START_METHOD == "fork":  # every process holds its mappings: the names can go
            for path in paths.values():
                path.unlink()
            folder.rmdir()
            paths = {}
        yield Store(arrays, paths)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def reserved_map(path: Path, shape: tuple, dtype) -> np.memmap:
    """A new .npy file mapped into memory, its blocks reserved on disk at once
    (``posix_fallocate``): a write into a mapped sparse file on a full disk would be a
    SIGBUS, not an error."""
    array = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=shape)
    if hasattr(os, "posix_fallocate"):
        with open(path, "r+b") as f:
            os.posix_fallocate(f.fileno(), 0, os.fstat(f.fileno()).st_size)
    return array
