"""Is ``--scheduler ADDRESS`` a Dask scheduler? Checked before a Dask client is made, so that a
wrong address is one line of bad input (exit 2) within seconds, not a hang or a traceback.

Dask's own client, given an address that is not a scheduler, does badly: a port where a server
listens but says nothing (or an HTTP server, which waits for a request) makes it wait for a
handshake with no time limit; a server that sends something else (an SSH banner) has its bytes
read as a frame length, and the client asks for that much memory (a MemoryError); a malformed
address fails inside the client's constructor, whose ``__del__`` then waits 20 s and prints a
traceback. So the address is checked here first, in three steps:

1. **Its form**: ``tcp://HOST:PORT`` (no protocol means ``tcp``), a host and a port from 1 to
   65535; or an ``inproc://`` address of a scheduler in this process (a
   ``LocalCluster(processes=False)``). Dask's other protocols are refused by name: ``tls`` and
   ``wss`` need certificates finmodel has no option for, ``ws`` and ``ucx`` extra packages, and
   Dask's client, given one of them, failed with a traceback after 20 s.
2. **Something listens there** (``tcp``, ``tls``, ``ws``, ``wss``): a plain TCP connection within
   :data:`PROBE_SECONDS`; refused, unresolvable or silent past that, it is unreachable.
3. **It speaks Dask** (``tcp`` only): a Dask scheduler sends its handshake as soon as a
   connection is accepted, a frame whose first 8 bytes are its length (a small number). No bytes
   within :data:`PROBE_SECONDS`, or a length no handshake has, and it is not a scheduler.
"""

from __future__ import annotations

import socket
import struct

from finmodel.exceptions import InputError

#: Seconds to wait for a connection, then for the scheduler's first bytes.
PROBE_SECONDS = 4.0
#: The most bytes a scheduler's handshake frame may announce (it is about 60).
MAX_HANDSHAKE = 1 << 16
PROTOCOLS = ("tcp", "inproc")
#: Dask's protocols finmodel does not connect with, and why.
UNSUPPORTED = {
    "tls": "needs certificates (a security context), which finmodel has no option for",
    "wss": "needs certificates (a security context), which finmodel has no option for",
    "ws": "needs Dask's websocket extra; run the scheduler on tcp://",
    "ucx": "needs ucx-py; run the scheduler on tcp://",
}
HINT = "a scheduler's address is tcp://HOST:PORT, e.g. tcp://10.0.0.5:8786"


def check_scheduler(address: str) -> None:
    """Bad input (one line) unless a Dask scheduler seems to answer at ``address``.

    Examples
    --------
    >>> check_scheduler("tcp://10.0.0.5")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    finmodel.exceptions.InputError: --scheduler tcp://10.0.0.5: no port; a scheduler's address ...
    """
    where = f"--scheduler {address}"
    protocol, host, port = parse_scheduler(address, where)
    if protocol == "inproc":
        from distributed.comm.inproc import global_manager

        try:
            found = global_manager.get_listener_for(host)
        except ValueError:  # not of inproc's form, IP/PID/N
            found = None
        if found is None:
            raise InputError("no Dask scheduler runs in this process at that address",
                             file=where)  # fmt: skip
        return
    first = _first_bytes(host, port, where, listen=protocol == "tcp")
    if protocol == "tcp" and not _is_handshake(first):
        raise InputError("a server answered there, but not as a Dask scheduler; " + HINT,
                         file=where)  # fmt: skip


def parse_scheduler(address: str, where: str) -> tuple[str, str, int]:
    """(protocol, host, port) of a scheduler ``address`` (port 0 for ``inproc``).

    Examples
    --------
    >>> parse_scheduler("10.0.0.5:8786", "--scheduler")
    ('tcp', '10.0.0.5', 8786)
    >>> parse_scheduler("tcp://[::1]:8786", "--scheduler")
    ('tcp', '::1', 8786)
    """
    protocol, sep, rest = address.strip().rpartition("://")
    protocol = protocol.lower() if sep else "tcp"
    if protocol in UNSUPPORTED:
        raise InputError(f"{protocol}:// {UNSUPPORTED[protocol]}; {HINT}", file=where)
    if protocol not in PROTOCOLS:
        raise InputError(f"{protocol}:// is not a Dask protocol; {HINT}", file=where)
    if protocol == "inproc":
        return protocol, rest, 0
    host, colon, port_text = rest.rpartition(":")
    if not colon or not port_text:
        raise InputError(f"no port; {HINT}", file=where)
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host or any(c in host for c in "[]/ ") or (":" in host and not rest.startswith("[")):
        raise InputError(f"no host, or a malformed one (an IPv6 host goes in brackets, "
                         f"[::1]:8786); {HINT}", file=where)  # fmt: skip
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InputError(f"the port must be a number from 1 to 65535 (got {port_text}); {HINT}",
                         file=where)  # fmt: skip
    return protocol, host, int(port_text)


def _first_bytes(host: str, port: int, where: str, listen: bool) -> bytes:
    """Connect to (host, port); if ``listen``, the first 8 bytes the server sends (fewer if it
    closes or stays silent for :data:`PROBE_SECONDS`)."""
    try:
        conn = socket.create_connection((host, port), timeout=PROBE_SECONDS)
    except OSError as e:
        reason = "timed out" if isinstance(e, TimeoutError) else e.strerror or str(e)
        message = (f"cannot reach a Dask scheduler there ({reason}); start one with `dask "
                   "scheduler` and give its address, tcp://HOST:PORT")  # fmt: skip
        raise InputError(message, file=where) from None
    data = b""
    with conn:
        if not listen:
            return data
        try:
            while len(data) < 8:
                more = conn.recv(8 - len(data))
                if not more:
                    break
                data += more
        except OSError:  # silent past the timeout, or reset
            pass
    if not data:
        raise InputError(f"something listens there but says nothing within {PROBE_SECONDS:g} s: "
                         f"not a Dask scheduler; {HINT}", file=where)  # fmt: skip
    return data


def _is_handshake(first: bytes) -> bool:
    """Whether ``first`` starts a Dask frame: 8 bytes, a little-endian length of a few bytes.

    Examples
    --------
    >>> _is_handshake(struct.pack("<Q", 58)), _is_handshake(b"SSH-2.0-")
    (True, False)
    """
    if len(first) < 8:
        return False
    (length,) = struct.unpack("<Q", first[:8])
    return 0 < length <= MAX_HANDSHAKE
