"""The Store on SQLite (stdlib sqlite3): WAL journal, one connection per thread, and
`BEGIN IMMEDIATE` transactions so writers from several threads or processes queue up.

`synchronous=NORMAL` under WAL survives a killed process (every committed transaction is in
the OS); a power cut may lose the last commits, which the adapters' read-before-write then
settles as `already_applied` instead of a second write.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from csi_rules.audit.chain import GENESIS, canonical_json, chain_hash
from csi_rules.errors import UsageError
from csi_rules.runtime.backlog import Position
from csi_rules.runtime.sqlite_schema import SCHEMA, SCHEMA_VERSION
from csi_rules.runtime.store import (
    AuditRow,
    Cursor,
    ErrorRow,
    Inflight,
    LedgerEntry,
    PlannedAction,
    Reschedule,
    Settlement,
    WakeUp,
)

KEEP_ERRORS = 200


def ts(moment: datetime) -> str:
    """Fixed-width UTC text: sorts like the instants it names."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the state store")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_ts(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


class SqliteStore:
    """State in one SQLite file; safe to share between threads of one process."""

    def __init__(self, path: str | Path, *, timeout: float = 30.0):
        self.path = str(path)
        self._timeout = timeout
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        conn = self._conn()
        conn.executescript(SCHEMA)
        found = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
        if found is None:
            conn.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
        elif found[0] != SCHEMA_VERSION:
            raise UsageError(f"state database {self.path} has schema {found[0]}, this "
                             f"csi-rules uses {SCHEMA_VERSION}")

    # -- connections and transactions ------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None,
                                       check_same_thread=False)
            except sqlite3.Error as exc:
                raise UsageError(f"cannot open state database {self.path}: {exc}") from None
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextlib.contextmanager
    def _tx(self, conn: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        conn = conn or self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def release_thread(self) -> None:
        """Close this thread's connection (server request threads call it when done)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._all_lock:
                if conn in self._all:
                    self._all.remove(conn)
            with contextlib.suppress(sqlite3.Error):
                conn.close()

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            self._all.clear()
        self._local = threading.local()

    # -- sync cursors -----------------------------------------------------------------------
    def get_cursor(self, adapter: str) -> Cursor | None:
        row = self._conn().execute("SELECT adapter, watermark, sync_state, synced_at FROM "
                                   "cursors WHERE adapter=?", (adapter,)).fetchone()
        return _cursor(row) if row else None

    def cursors(self) -> list[Cursor]:
        rows = self._conn().execute("SELECT adapter, watermark, sync_state, synced_at FROM "
                                    "cursors ORDER BY adapter").fetchall()
        return [_cursor(r) for r in rows]

    def save_cursor(self, adapter: str, watermark: datetime | None,
                    sync_state: Mapping[str, Any] | None, synced_at: datetime, *,
                    keep_sync_state: bool = False) -> None:
        with self._tx() as conn:
            state = None if sync_state is None else json.dumps(sync_state)
            if keep_sync_state:
                row = conn.execute("SELECT sync_state FROM cursors WHERE adapter=?",
                                   (adapter,)).fetchone()
                state = row[0] if row else None
            conn.execute("INSERT OR REPLACE INTO cursors VALUES (?, ?, ?, ?)",
                         (adapter, ts(watermark) if watermark else None, state, ts(synced_at)))

    # -- wake-ups ---------------------------------------------------------------------------
    def schedule(self, adapter: str, record_id: str, kind: str, due_at: datetime,
                 reason: str) -> None:
        with self._tx() as conn:
            conn.execute(
                "INSERT INTO wakeups (adapter, record_id, kind, due_at, reason) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (adapter, record_id) DO UPDATE SET "
                "reason=CASE WHEN excluded.due_at < due_at THEN excluded.reason ELSE reason END, "
                "due_at=min(due_at, excluded.due_at), gen=gen + 1, "
                "kind=CASE WHEN excluded.kind != '' THEN excluded.kind ELSE kind END",
                (adapter, record_id, kind, ts(due_at), reason))

    def due_wakeups(self, now: datetime, limit: int) -> list[WakeUp]:
        rows = self._conn().execute(
            "SELECT adapter, record_id, kind, due_at, reason, gen FROM wakeups WHERE due_at <= ? "
            "ORDER BY due_at, adapter, record_id LIMIT ?", (ts(now), limit)).fetchall()
        return [_wakeup(r) for r in rows]

    def reschedule(self, adapter: str, record_id: str, kind: str, due_at: datetime | None,
                   reason: str, claimed: WakeUp | None) -> None:
        with self._tx() as conn:
            self._reschedule(conn, adapter, record_id, kind, due_at, reason, claimed)

    def reschedule_many(self, items: Iterable[Reschedule]) -> None:
        """Several reschedules in one transaction (a batch's records)."""
        items = list(items)
        if items:
            with self._tx() as conn:
                for i in items:
                    self._reschedule(conn, i.adapter, i.record_id, i.kind, i.due_at, i.reason,
                                     i.claimed)

    def _reschedule(self, conn: sqlite3.Connection, adapter: str, record_id: str, kind: str,
                    due_at: datetime | None, reason: str, claimed: WakeUp | None) -> None:
        row = conn.execute("SELECT gen, due_at FROM wakeups WHERE adapter=? AND record_id=?",
                           (adapter, record_id)).fetchone()
        if claimed is not None and row is not None and row[0] == claimed.gen:
            if due_at is None:
                conn.execute("DELETE FROM wakeups WHERE adapter=? AND record_id=?",
                             (adapter, record_id))
            else:
                conn.execute("UPDATE wakeups SET due_at=?, reason=?, gen=gen + 1, kind=? "
                             "WHERE adapter=? AND record_id=?",
                             (ts(due_at), reason, kind, adapter, record_id))
            return
        if due_at is not None and (row is None or ts(due_at) < row[1]):
            conn.execute(
                "INSERT INTO wakeups (adapter, record_id, kind, due_at, reason) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (adapter, record_id) DO UPDATE SET "
                "due_at=excluded.due_at, reason=excluded.reason, gen=gen + 1",
                (adapter, record_id, kind, ts(due_at), reason))

    def wakeups(self, limit: int = 100) -> list[WakeUp]:
        rows = self._conn().execute(
            "SELECT adapter, record_id, kind, due_at, reason, gen FROM wakeups "
            "ORDER BY due_at, adapter, record_id LIMIT ?", (limit,)).fetchall()
        return [_wakeup(r) for r in rows]

    def wakeup_counts(self, now: datetime) -> tuple[int, int]:
        row = self._conn().execute(
            "SELECT count(*), coalesce(sum(due_at <= ?), 0) FROM wakeups", (ts(now),)).fetchone()
        return int(row[0]), int(row[1])

    # -- ledger and decisions ---------------------------------------------------------------
    def ledger(self, keys: Iterable[str]) -> dict[str, LedgerEntry]:
        keys = list(keys)
        out: dict[str, LedgerEntry] = {}
        conn = self._conn()
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                    "SELECT key, decision_key, adapter, record_id, action_type, params, state, "
                    "attempts, detail, platform_ref, updated_at FROM ledger "
                    f"WHERE key IN ({marks})",
                    chunk):
                out[row[0]] = LedgerEntry(row[0], row[1], row[2], row[3], row[4],
                                          json.loads(row[5]), row[6], row[7], row[8], row[9],
                                          datetime.fromisoformat(row[10]))
        return out

    def begin_decision(self, decision_key: str, adapter: str, record_id: str, record_kind: str,
                       decision: Mapping[str, Any], actions: list[PlannedAction],
                       now: datetime) -> int:
        at = ts(now)
        with self._tx() as conn:
            for action in actions:
                conn.execute(
                    "INSERT INTO ledger (key, decision_key, adapter, record_id, action_type, "
                    "params, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', "
                    "?, ?) ON CONFLICT (key) DO UPDATE SET state='pending', "
                    "updated_at=excluded.updated_at",
                    (action.key, decision_key, adapter, record_id, action.type,
                     json.dumps(action.params, sort_keys=True), at, at))
            cur = conn.execute(
                "INSERT INTO inflight (decision_key, adapter, record_id, record_kind, decision, "
                "action_keys, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (decision_key, adapter, record_id, record_kind, canonical_json(decision),
                 json.dumps([a.key for a in actions]), at))
            return int(cur.lastrowid or 0)

    def log_dry_run(self, decision_key: str, adapter: str, record_id: str,
                    results: list[tuple[PlannedAction, str, str]], entry: Mapping[str, Any],
                    now: datetime) -> None:
        """Shadow mode: remember what would have happened (state `dry_run`, never over a real
        state) and log the decision, in one transaction."""
        at = ts(now)
        with self._tx() as conn:
            for action, _status, detail in results:
                conn.execute(
                    "INSERT INTO ledger (key, decision_key, adapter, record_id, action_type, "
                    "params, state, detail, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, "
                    "'dry_run', ?, ?, ?) ON CONFLICT (key) DO NOTHING",
                    (action.key, decision_key, adapter, record_id, action.type,
                     json.dumps(action.params, sort_keys=True), detail, at, at))
            self._append(conn, entry)

    def finish_action(self, key: str, state: str, detail: str, platform_ref: str,
                      now: datetime, *, count_attempt: bool = True) -> None:
        with self._tx() as conn:
            conn.execute("UPDATE ledger SET state=?, detail=?, platform_ref=?, updated_at=?, "
                         "attempts=attempts + ? WHERE key=?",
                         (state, detail, platform_ref, ts(now), int(count_attempt), key))

    def inflight_decisions(self) -> list[Inflight]:
        rows = self._conn().execute(
            "SELECT id, decision_key, adapter, record_id, record_kind, decision, action_keys "
            "FROM inflight ORDER BY id").fetchall()
        return [Inflight(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]),
                         tuple(json.loads(r[6]))) for r in rows]

    def complete_decision(self, inflight_id: int, entry: Mapping[str, Any] | None,
                          settled: Sequence[Settlement] = ()) -> None:
        with self._tx() as conn:
            conn.executemany("UPDATE ledger SET state=?, detail=?, platform_ref=?, updated_at=?, "
                             "attempts=attempts + ? WHERE key=?",
                             [(s.state, s.detail, s.platform_ref, ts(s.at), int(s.count_attempt),
                               s.key) for s in settled])
            if entry is not None:
                self._append(conn, entry)
            conn.execute("DELETE FROM inflight WHERE id=?", (inflight_id,))

    def ledger_counts(self) -> dict[str, int]:
        rows = self._conn().execute("SELECT state, count(*) FROM ledger GROUP BY state")
        return {state: int(n) for state, n in rows}

    def ledger_entries(self, *, state: str | None = None) -> list[LedgerEntry]:
        """Every ledger row (optionally in one state), for status output and tests."""
        query = "SELECT key FROM ledger" + (" WHERE state=?" if state else "") + " ORDER BY key"
        keys = [r[0] for r in self._conn().execute(query, (state,) if state else ())]
        found = self.ledger(keys)
        return [found[k] for k in keys]

    # -- audit ------------------------------------------------------------------------------
    def _append(self, conn: sqlite3.Connection, entry: Mapping[str, Any]) -> int:
        last = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        full = {**entry, "seq": seq}
        record = full.get("record", {})
        conn.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?)",
                     (seq, str(record.get("id", "")), canonical_json(full), prev,
                      chain_hash(prev, full)))
        return seq

    def append_audit(self, entry: Mapping[str, Any]) -> int:
        """Append one entry outside a decision (policy reloads, operator notes)."""
        with self._tx() as conn:
            return self._append(conn, entry)

    def audit(self, *, record_id: str | None = None, after_seq: int = 0) -> Iterator[AuditRow]:
        conn = self._conn()
        if record_id is None:
            cur = conn.execute("SELECT seq, entry, prev_hash, hash FROM audit WHERE seq > ? "
                               "ORDER BY seq", (after_seq,))
        else:
            cur = conn.execute("SELECT seq, entry, prev_hash, hash FROM audit WHERE seq > ? AND "
                               "record_id = ? ORDER BY seq", (after_seq, record_id))
        for seq, entry, prev, digest in cur:
            yield AuditRow(seq, json.loads(entry), prev, digest)

    # -- first sight ------------------------------------------------------------------------
    def positions(self, adapter: str, record_ids: Iterable[str]) -> dict[str, Position]:
        ids = list(record_ids)
        out: dict[str, Position] = {}
        conn = self._conn()
        for i in range(0, len(ids), 500):
            chunk = ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for rid, seen, adopted in conn.execute(
                    "SELECT record_id, first_seen, adopted FROM positions WHERE adapter=? "
                    f"AND record_id IN ({marks})", (adapter, *chunk)):
                out[rid] = Position(datetime.fromisoformat(seen), frozenset(json.loads(adopted)))
        return out

    def remember_positions(self, adapter: str, positions: Mapping[str, Position]) -> None:
        with self._tx() as conn:
            conn.executemany(
                "INSERT INTO positions (adapter, record_id, first_seen, adopted) "
                "VALUES (?, ?, ?, ?) ON CONFLICT (adapter, record_id) DO NOTHING",
                [(adapter, rid, ts(p.first_seen), json.dumps(sorted(p.adopted)))
                 for rid, p in positions.items()])

    def backlog_done(self, adapter: str) -> bool:
        return self._conn().execute("SELECT 1 FROM meta WHERE key=?",
                                    (f"backlog_done:{adapter}",)).fetchone() is not None

    def mark_backlog_done(self, adapter: str, at: datetime) -> None:
        with self._tx() as conn:
            conn.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)",
                         (f"backlog_done:{adapter}", ts(at)))

    # -- errors and deliveries --------------------------------------------------------------
    def record_error(self, scope: str, message: str, at: datetime) -> None:
        with self._tx() as conn:
            conn.execute("INSERT INTO errors (at, scope, message) VALUES (?, ?, ?)",
                         (ts(at), scope, message))
            conn.execute("DELETE FROM errors WHERE id <= (SELECT max(id) FROM errors) - ?",
                         (KEEP_ERRORS,))

    def last_errors(self, limit: int = 20) -> list[ErrorRow]:
        rows = self._conn().execute("SELECT at, scope, message FROM errors ORDER BY id DESC "
                                    "LIMIT ?", (limit,)).fetchall()
        return [ErrorRow(datetime.fromisoformat(r[0]), r[1], r[2]) for r in rows]

    def remember_delivery(self, source: str, delivery_id: str, at: datetime) -> bool:
        with self._tx() as conn:
            cur = conn.execute("INSERT OR IGNORE INTO deliveries VALUES (?, ?, ?)",
                               (source, delivery_id, ts(at)))
            return cur.rowcount == 1

    def forget_deliveries(self, before: datetime) -> None:
        with self._tx() as conn:
            conn.execute("DELETE FROM deliveries WHERE at < ?", (ts(before),))


def _cursor(row: tuple[Any, ...]) -> Cursor:
    return Cursor(row[0], from_ts(row[1]), json.loads(row[2]) if row[2] else None,
                  from_ts(row[3]))


def _wakeup(row: tuple[Any, ...]) -> WakeUp:
    return WakeUp(row[0], row[1], row[2], datetime.fromisoformat(row[3]), row[4], int(row[5]))


def open_existing(path: str) -> SqliteStore:
    """The state database for read-mostly commands (status, log): never creates a new one."""
    if path != ":memory:" and not Path(path).exists():
        raise UsageError(f"no state database at {path} (has `csi-rules run` run with this "
                         "config yet?)")
    return SqliteStore(path)
