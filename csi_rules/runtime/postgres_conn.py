"""Connections to the PostgreSQL state database: one per thread, errors made typed.

A lost connection (server restarted, network cut) becomes `StoreUnavailable` and the
connection is dropped, so the next call opens a new one; the runner carries on with its next
cycle. A transaction cut off before its commit was acknowledged may or may not have landed:
every write here is built so that either outcome is safe (in-flight decisions are replayed,
the adapters read before they write).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import psycopg

from csi_rules.errors import CsiRulesError
from csi_rules.runtime.store import LeaseLost

__all__ = ["CONNECTION_ERRORS", "Connections", "LeaseLost", "StoreUnavailable", "connect"]


class StoreUnavailable(CsiRulesError):
    """The PostgreSQL state database could not be reached (or the connection broke)."""


CONNECTION_ERRORS = (psycopg.OperationalError, psycopg.InterfaceError)


def connect(dsn: str, password: str | None, *, autocommit: bool = True) -> psycopg.Connection:
    kwargs: dict[str, Any] = {"autocommit": autocommit, "connect_timeout": 5,
                              "options": "-c TimeZone=UTC", "application_name": "csi-rules"}
    if password is not None:
        kwargs["password"] = password
    try:
        return psycopg.connect(dsn, **kwargs)
    except CONNECTION_ERRORS as exc:
        raise StoreUnavailable(f"cannot connect to the PostgreSQL state database: "
                               f"{_first_line(exc)}") from None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class Connections:
    """One autocommit connection per thread; `tx()` wraps a block in one transaction."""

    def __init__(self, dsn: str, password: str | None):
        self._dsn, self._password = dsn, password
        self._local = threading.local()
        self._all: list[psycopg.Connection] = []
        self._lock = threading.Lock()

    def get(self) -> psycopg.Connection:
        conn: psycopg.Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = connect(self._dsn, self._password)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def drop(self) -> None:
        conn: psycopg.Connection | None = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with self._lock:
                if conn in self._all:
                    self._all.remove(conn)
            with contextlib.suppress(Exception):
                conn.close()

    @contextlib.contextmanager
    def cursor(self) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor in autocommit mode (each statement its own transaction)."""
        try:
            with self.get().cursor() as cur:
                yield cur
        except CONNECTION_ERRORS as exc:
            self.drop()
            raise StoreUnavailable(f"PostgreSQL state database: {_first_line(exc)}") from None

    @contextlib.contextmanager
    def tx(self, *, pipeline: bool = False) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor inside one transaction: committed at the end, rolled back on any error.
        `pipeline`: statements are sent without waiting for each answer (BEGIN goes with the
        first query, COMMIT with the last write), until a result is fetched."""
        try:
            conn = self.get()
            with contextlib.ExitStack() as stack:
                if pipeline:
                    stack.enter_context(conn.pipeline())
                stack.enter_context(conn.transaction())
                cur = stack.enter_context(conn.cursor())
                yield cur
        except CONNECTION_ERRORS as exc:
            self.drop()
            raise StoreUnavailable(f"PostgreSQL state database: {_first_line(exc)}") from None

    def release_thread(self) -> None:
        self.drop()

    def close(self) -> None:
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            with contextlib.suppress(Exception):
                conn.close()
        self._local = threading.local()
