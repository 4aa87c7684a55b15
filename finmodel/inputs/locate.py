"""Where an assumption file is: a path, or the name of a scenario shipped with finmodel.

The shipped scenarios are the repository's ``assumptions/`` folder, installed inside the package
as ``finmodel/assumptions`` (``pyproject.toml`` maps it), so that a name such as ``base`` or
``status_quo`` is found from any folder, in a checkout or an installed wheel alike.
"""

from __future__ import annotations

import difflib
import stat
from importlib import resources
from os import PathLike
from pathlib import Path

from finmodel.exceptions import InputError, shown

SHIPPED = "base"



def shipped_folder() -> Path:
    """The folder of the shipped scenarios: ``finmodel/assumptions`` inside an installed package
    (a wheel holds the repository's ``assumptions/`` there), else, in a checkout, the
    repository's own ``assumptions/`` folder: one copy of each file either way.

    Examples
    --------
    >>> sorted(p.name for p in shipped_folder().iterdir())[:2]
    ['base.yaml', 'scenarios']
    """
    installed = Path(str(resources.files("finmodel") / "assumptions"))
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "assumptions"


def shipped(name: str = SHIPPED) -> Path:
    """Path of a scenario shipped with finmodel, by name: ``base``, or a reading in
    ``scenarios/`` (works from any folder).

    Examples
    --------
    >>> shipped("status_quo").relative_to(shipped_folder()).as_posix()
    'scenarios/status_quo.yaml'
    """
    root = shipped_folder()
    for candidate in (f"{name}.yaml", f"scenarios/{name}.yaml"):
        p = root / candidate
        if path_kind(p, name) == "file":
            return p
    names = shipped_names()
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    hint = f"; nearest: {', '.join(close)}" if close else f"; shipped: {', '.join(names)}"
    raise InputError(
        f"no such file, nor a shipped scenario named {shown(name)}{hint} (finmodel list)",
        file=name,
    )


def shipped_names() -> list[str]:
    """The names of the shipped scenarios: ``base``, then the readings in ``scenarios/``.

    Examples
    --------
    >>> shipped_names()[:2]
    ['base', 'assets_returned_to_russia']
    """
    root = shipped_folder()
    return [SHIPPED, *sorted(p.stem for p in (root / "scenarios").glob("*.yaml"))]



def is_shipped(name: str) -> bool:
    try:
        shipped(name)
    except InputError:
        return False
    return True



def locate(path: str | Path) -> Path:
    if not isinstance(path, (str, PathLike)) or not str(path):
        raise InputError(
            "expected the path of an assumption file (str or Path) or the name of a shipped "
            f"scenario such as 'base', got {type(path).__name__} {shown(path)}"
        )
    p = Path(path)
    kind = path_kind(p, str(path))
    if kind == "file":
        return p
    if kind == "folder" and not (
        p.suffix == "" and "/" not in str(path) and is_shipped(str(path))
    ):
        raise InputError("is a folder, not an assumption file", file=str(path))
    if p.suffix == "" and "/" not in str(path):
        return shipped(str(path))
    if kind == "other":  # a device, a pipe, a socket: reading it may never end
        raise InputError("is not a regular file", file=str(path))
    raise InputError("no such file", file=str(path))



def path_kind(p: Path, name: str) -> str | None:
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
