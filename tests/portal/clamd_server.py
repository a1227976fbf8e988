"""A tiny server speaking clamd's protocol (PING, INSTREAM), flagging the EICAR test string.

ClamAV's signature database cannot be downloaded on the test machines (no
internet), so the tests run this stand-in for the external clamd service. It is
not our code under test: it plays the daemon, the product's client talks to it
over a real unix or TCP socket.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from pathlib import Path

EICAR_MARK = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock: socket.socket = self.request
        command = b""
        while not command.endswith(b"\0") and len(command) < 64:
            byte = sock.recv(1)
            if not byte:
                return
            command += byte
        if command == b"zPING\0":
            sock.sendall(b"PONG\0")
            return
        if command != b"zINSTREAM\0":
            sock.sendall(b"UNKNOWN COMMAND\0")
            return
        data = b""
        while True:
            header = self._exactly(sock, 4)
            (size,) = struct.unpack(">I", header)
            if size == 0:
                break
            data += self._exactly(sock, size)
        self.server.scanned.append(len(data))  # type: ignore[attr-defined]
        if EICAR_MARK in data:
            sock.sendall(b"stream: Win.Test.EICAR_HDB-1 FOUND\0")
        else:
            sock.sendall(b"stream: OK\0")

    @staticmethod
    def _exactly(sock: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError("client closed")
            data += chunk
        return data


class _Unix(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _Tcp(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class FakeClamd:
    def __init__(self, unix_path: Path | None = None):
        if unix_path is not None:
            self.server: socketserver.BaseServer = _Unix(str(unix_path), _Handler)
            self.address = str(unix_path)
        else:
            self.server = _Tcp(("127.0.0.1", 0), _Handler)
            host, port = self.server.server_address[:2]  # type: ignore[misc]
            self.address = f"{host}:{port}"
        self.server.scanned = []  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def scanned(self) -> list[int]:
        return self.server.scanned  # type: ignore[attr-defined,no-any-return]

    def __enter__(self) -> FakeClamd:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
