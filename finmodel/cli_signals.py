"""Ctrl-C (SIGINT) and SIGTERM while a command runs: before its reports are written, either one
stops it ("nothing written"); once they are written, the command is done and neither changes
its outcome.

- While the command runs (:func:`handled`), SIGINT raises ``KeyboardInterrupt`` and SIGTERM
  :class:`Terminated` where the program is, as Python's own Ctrl-C does, so that the same
  clean-up runs; each is also *recorded*.
- Just before the reports are written (:func:`before_writing`), a recorded signal is raised
  again: a library that caught the ``KeyboardInterrupt`` on its way (a bare ``except:``, a
  ``__del__`` or a callback, where Python prints it and goes on) would otherwise have lost the
  Ctrl-C, and the run would have finished and written its reports as if nothing had happened.
- Once the reports are written (:func:`after_writing`), both are ignored until the command
  ends: a Ctrl-C then comes too late to stop anything, and saying "nothing written" would be
  false. The command ends with its own exit code (0) and its reports complete. When the
  process ends with the command (:func:`finmodel.cli.console`), they stay ignored until the
  exit, so that a Ctrl-C in the last moments cannot turn a finished run into one killed by a
  signal (or be lost while Python shuts down).
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from types import FrameType
from typing import Any

SIGNALS: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM)
#: The signals received while the command runs, in order.
received: list[int] = []
#: Set by the process's entry point: the process ends when the command does.
process_ends_with_command = False
_written = False


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program is, so that the same clean-up runs as for Ctrl-C."""


def on_signal(signum: int, frame: FrameType | None) -> None:
    """Record the signal and raise it as an exception where the program is."""
    received.append(signum)
    raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """SIGINT and SIGTERM handled by :func:`on_signal` while the command runs; the earlier
    handlers come back after. A signal that is ignored (``nohup``) is left ignored, and
    nothing is changed when not called from the main thread."""
    global _written
    received.clear()
    _written = False
    previous: dict[int, Any] = {}
    with contextlib.suppress(ValueError):  # not the main thread
        for sig in SIGNALS:
            old = signal.getsignal(sig)
            if old is not signal.SIG_IGN:
                previous[sig] = old
                signal.signal(sig, on_signal)
    try:
        yield
    finally:
        if not (_written and process_ends_with_command):
            for sig, old in previous.items():
                signal.signal(sig, old if old is not None else signal.SIG_DFL)
        received.clear()


def before_writing() -> None:
    """Raise a signal received earlier that something on its way swallowed.

    Examples
    --------
    A Ctrl-C recorded, then caught by something on its way, is raised again:

    >>> received[:] = [signal.SIGINT]
    >>> try:
    ...     before_writing()
    ... except KeyboardInterrupt:  # (doctest itself would stop at an uncaught one)
    ...     print("interrupted")
    interrupted
    >>> received.clear()
    """
    if received:
        raise Terminated if received[0] == signal.SIGTERM else KeyboardInterrupt


def after_writing() -> None:
    """The reports are written: ignore SIGINT and SIGTERM until the command ends."""
    global _written
    _written = True
    with contextlib.suppress(ValueError):  # not the main thread
        for sig in SIGNALS:
            if signal.getsignal(sig) is on_signal:
                signal.signal(sig, signal.SIG_IGN)
