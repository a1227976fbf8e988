"""A client for clamd's INSTREAM command (the ClamAV daemon protocol).

No well-kept Python client exists (``clamd``/``pyclamd`` on PyPI are unmaintained),
and the protocol is small: ``zINSTREAM\\0``, then chunks each prefixed with their
length as a 4-byte big-endian integer, a zero-length chunk to finish, and one
NUL-terminated reply line: ``stream: OK``, ``stream: <name> FOUND`` or ``… ERROR``.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass

CHUNK = 64 * 1024
# The standard anti-virus test string (not a virus); every scanner reports it.
EICAR_TEST = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
TIMEOUT_SECONDS = 30.0


class ScannerUnavailable(Exception):
    """clamd could not be reached or answered with an error; the upload must wait."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def _connect(address: str) -> socket.socket:
    """``/path/to/clamd.ctl`` (unix socket) or ``host:port`` (TCP)."""
    try:
        if address.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(TIMEOUT_SECONDS)
            sock.connect(address)
            return sock
        host, _, port = address.rpartition(":")
        return socket.create_connection((host.strip("[]"), int(port)), timeout=TIMEOUT_SECONDS)
    except (OSError, ValueError) as exc:
        raise ScannerUnavailable(f"clamd unter {address} nicht erreichbar: {exc}") from exc


def _read_reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
        if len(data) > 65536:
            break
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def scan(address: str, content: bytes) -> ScanResult:
    """Scan ``content``; raises :class:`ScannerUnavailable` when no verdict could be had."""
    sock = _connect(address)
    try:
        sock.sendall(b"zINSTREAM\0")
        for start in range(0, len(content), CHUNK):
            chunk = content[start : start + CHUNK]
            sock.sendall(struct.pack(">I", len(chunk)) + chunk)
        sock.sendall(struct.pack(">I", 0))
        reply = _read_reply(sock)
    except OSError as exc:
        raise ScannerUnavailable(f"clamd-Verbindung abgebrochen: {exc}") from exc
    finally:
        sock.close()
    # Replies look like "stream: OK" (a session id may precede with IDSESSION; not used).
    verdict = reply.partition(": ")[2] if ": " in reply else reply
    if verdict == "OK":
        return ScanResult(clean=True)
    if verdict.endswith(" FOUND"):
        return ScanResult(clean=False, signature=verdict.removesuffix(" FOUND").strip())
    raise ScannerUnavailable(f"clamd antwortet unerwartet: {reply[:200]!r}")


def ping(address: str) -> bool:
    try:
        sock = _connect(address)
    except ScannerUnavailable:
        return False
    try:
        sock.sendall(b"zPING\0")
        return _read_reply(sock) == "PONG"
    except OSError:
        return False
    finally:
        sock.close()
