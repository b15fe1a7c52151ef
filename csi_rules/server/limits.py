"""How long and how many: the server's defences against slow and numerous clients.

Each connection is in one phase at a time: waiting for a request's headers (the whole request
line and headers must arrive within `header_timeout`, idle keep-alive time included),
reading a body (within `body_timeout`), or being answered (no limit: that is our work). A
reaper thread shuts down the socket of a connection past its deadline, so a client that
trickles one byte every few seconds is cut off as surely as one that sends nothing. Beyond
`max_connections` open connections a new one gets an immediate 503 and is closed.

Deadlines use the monotonic clock: they bound real waiting, not domain time.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerLimits:
    """Defaults are documented in docs/operations.md ("Limits")."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_connections: int = 64
    reap_interval: float = 0.1


def configured_limits(settings: Mapping[str, float]) -> ServerLimits:
    """ServerLimits from the runner config's `server.limits` (camelCase keys, all optional)."""
    default = ServerLimits()
    return ServerLimits(
        header_timeout=float(settings.get("headerTimeout", default.header_timeout)),
        body_timeout=float(settings.get("bodyTimeout", default.body_timeout)),
        max_connections=int(settings.get("maxConnections", default.max_connections)))


class _Entry:
    __slots__ = ("deadline", "sock", "timed_out")

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.deadline: float | None = None
        self.timed_out = False


class ConnectionGuard:
    """Open connections, their deadlines, and the cap; `run()` is the reaper loop."""

    def __init__(self, limits: ServerLimits):
        self.limits = limits
        self._lock = threading.Lock()
        self._open: dict[int, _Entry] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.refused = 0
        self.reaped = 0

    def admit(self, sock: socket.socket) -> bool:
        """Count a new connection in, or False when at the cap (the caller refuses it)."""
        with self._lock:
            if len(self._open) >= self.limits.max_connections:
                self.refused += 1
                return False
            self._open[id(sock)] = _Entry(sock)
            return True

    def release(self, sock: socket.socket) -> None:
        with self._lock:
            self._open.pop(id(sock), None)

    def expect(self, sock: socket.socket, seconds: float | None) -> None:
        """The next phase must finish within `seconds` (None: no limit)."""
        with self._lock:
            entry = self._open.get(id(sock))
            if entry is not None:
                entry.deadline = None if seconds is None else time.monotonic() + seconds

    def timed_out(self, sock: socket.socket) -> bool:
        with self._lock:
            entry = self._open.get(id(sock))
            return entry is not None and entry.timed_out

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="csi-rules-reaper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def run(self) -> None:
        while not self._stop.wait(self.limits.reap_interval):
            self.reap(time.monotonic())

    def reap(self, now: float) -> None:
        with self._lock:
            late = [e for e in self._open.values()
                    if e.deadline is not None and e.deadline <= now and not e.timed_out]
            for entry in late:
                entry.timed_out = True
        for entry in late:
            self.reaped += 1
            with contextlib.suppress(OSError):  # wakes the handler's blocked read with EOF
                entry.sock.shutdown(socket.SHUT_RDWR)
