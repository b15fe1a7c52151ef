"""The running emulator: a ThreadingHTTPServer on loopback plus the state tests reach into.

Tests use the Python side directly: `store` (insert, update, delete rows mid-sync), `faults`
(inject 5xx, latency, drops), `security` (expire tokens, count grants), `rate_limiter.rules`,
and `requests` (what the emulator was asked, to prove a write was not sent twice).
"""

from __future__ import annotations

import contextlib
import random
import socket
import ssl
import sys
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from csi_rules_servicenow.emulator.dispatch import Apis
from csi_rules_servicenow.emulator.faults import FaultPlan
from csi_rules_servicenow.emulator.handler import EmulatorHandler
from csi_rules_servicenow.emulator.ratelimit import RateLimiter
from csi_rules_servicenow.emulator.security import Security
from csi_rules_servicenow.emulator.seed import default_seed, read_settings, read_tables
from csi_rules_servicenow.emulator.seed import shift_to_now as seed_shift
from csi_rules_servicenow.emulator.store import Store
from csi_rules_servicenow.emulator.table_api import TableApi


def system_clock() -> datetime:
    """Emulators may read the wall clock (STYLE.md); tests pass their own clock instead."""
    return datetime.now(UTC)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (timeout tests, dropped faults) is normal here, not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ServiceNowEmulator:
    """A Table API instance on 127.0.0.1; `url` is known after `start()` (port 0 = any free)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 seed_dir: Path | Traversable | None = None, *,
                 clock: Callable[[], datetime] = system_clock, rng_seed: int = 20160122,
                 shift_to_now: bool = False, ssl_context: ssl.SSLContext | None = None):
        """`shift_to_now`: seed date-times moved so the newest record is an hour old (seed.py);
        `ssl_context`: serve HTTPS (clients such as pysnc refuse plain http:// instances)."""
        self._ssl_context = ssl_context
        seed = seed_dir if seed_dir is not None else default_seed()
        self.settings = read_settings(seed)
        self.clock = clock
        self.store = Store(clock, self.settings.priority_matrix, random.Random(rng_seed),
                           choices=self.settings.choices,
                           on_hold_requires_reason=self.settings.on_hold_requires_reason)
        self.store.properties.update(self.settings.properties)
        tables = read_tables(seed)
        if shift_to_now:
            seed_shift(tables, clock())
        for table, rows in tables.items():
            self.store.load(table, rows)
            self.store.fill_columns(table, self.settings.columns.get(table, ()))
        for table, columns in self.settings.columns.items():
            self.store.fill_columns(table, columns)
        self.store.seed_audit_trail()
        self.security = Security(self.settings.users, self.settings.oauth_clients, self._epoch)
        self.rate_limiter = RateLimiter(self._epoch, self.settings.rate_limits)
        self.faults = FaultPlan()
        self.table_api = TableApi(self.store)
        self.apis = Apis(self)
        self.requests: deque[tuple[str, str, str]] = deque(maxlen=10000)
        self._host, self._port = host, port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self.url = ""

    def _epoch(self) -> float:
        return self.clock().timestamp()

    def start(self) -> None:
        handler = type("Handler", (EmulatorHandler,), {"emulator": self})
        self._server = _Server((self._host, self._port), handler)
        if self._ssl_context is not None:
            self._server.socket = self._ssl_context.wrap_socket(self._server.socket,
                                                                server_side=True)
        port = self._server.server_address[1]
        self.url = f"{'https' if self._ssl_context else 'http'}://{self._host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name=f"servicenow-emulator:{port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        with self._connections_lock:
            open_connections = list(self._connections)
        for connection in open_connections:  # wake keep-alive handlers blocked on read
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def count(self, method: str, path_prefix: str) -> int:
        """How many requests with `method` on a path starting with `path_prefix` arrived."""
        return sum(1 for m, p, _ in self.requests if m == method and p.startswith(path_prefix))

    def __enter__(self) -> ServiceNowEmulator:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def emulator_factory(host: str = "127.0.0.1", port: int = 0,
                     seed_dir: Path | None = None, **options: Any) -> ServiceNowEmulator:
    """The `EmulatorFactory` registered as "servicenow" (see csi_rules.emulator)."""
    return ServiceNowEmulator(host, port, seed_dir, **options)
