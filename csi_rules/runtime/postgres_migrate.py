"""Versioned schema migrations for the PostgreSQL store: plain SQL files
(`postgres_migrations/NNNN_name.sql`), each applied once, in order, in its own transaction,
and recorded in `schema_migrations`. Runners starting together take an advisory lock, so one
applies them and the others find them done."""

from __future__ import annotations

import re
from importlib import resources

import psycopg

from csi_rules.errors import UsageError

LOCK_KEY = 0x6373_6972  # "csir": the advisory lock that serializes migrations
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, SQL) of every migration shipped, oldest first."""
    folder = resources.files("csi_rules.runtime") / "postgres_migrations"
    found = []
    for item in folder.iterdir():
        match = _NAME.match(item.name)
        if match:
            found.append((int(match[1]), match[2], item.read_text(encoding="utf-8")))
    return sorted(found)


def migrate(conn: psycopg.Connection) -> list[int]:
    """Bring the database to the newest schema; returns the versions applied now. A database
    newer than this csi-rules is refused (an older runner must not write to it)."""
    known = migrations()
    applied_now = []
    conn.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY "
                     "KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        rows = conn.execute("SELECT version FROM schema_migrations").fetchall()
        done = {int(r[0]) for r in rows}
        newest = max((v for v, _, _ in known), default=0)
        if done and max(done) > newest:
            raise UsageError(f"the PostgreSQL state database has schema version {max(done)}, "
                             f"newer than this csi-rules knows ({newest}); upgrade csi-rules")
        for version, name, sql in known:
            if version in done:
                continue
            with conn.transaction():
                conn.execute(sql.encode("utf-8"))
                conn.execute("INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                             (version, name))
            applied_now.append(version)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))
    return applied_now


def schema_version(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0
