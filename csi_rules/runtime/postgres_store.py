"""The Store on PostgreSQL (psycopg 3): the same contract as `sqlite_store`, for several
runners and servers sharing one database.

Alone (`worker=None`: the servers, `status`, `log`) it reads and writes every row. As a runner
(`worker` set) it holds partition leases (`postgres_leases`) and then: fires only the wake-ups
and replays only the in-flight decisions of its partitions, and fences every ledger write
(`begin_decision`, `finish_action`, `complete_decision`, `log_dry_run`) by the lease token:
the lease row is read `FOR SHARE` in the same transaction, so a takeover waits for the write,
and a runner whose lease moved on gets `LeaseLost` and writes nothing. In-flight decisions of
a partition that moved are adopted (re-stamped with the new token) by its new holder.

The audit log stays one hash chain for all runners: appends serialize on the `audit_head`
row, so `csi-rules log verify` checks it exactly as on SQLite.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

import psycopg

from csi_rules.audit.chain import canonical_json, chain_hash
from csi_rules.errors import UsageError
from csi_rules.records.model import Record
from csi_rules.runtime import postgres_statements as sql
from csi_rules.runtime.backlog import Position
from csi_rules.runtime.postgres_conn import Connections, LeaseLost
from csi_rules.runtime.postgres_leases import CHANNEL, Leases, part_name, partition_of
from csi_rules.runtime.postgres_migrate import migrate
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
DEFAULT_PARTITIONS = 16
DEFAULT_LEASE = 15.0
_LEDGER_COLS = ("key, decision_key, adapter, record_id, action_type, params, state, attempts, "
                "detail, platform_ref, updated_at")
_WAKEUP_COLS = "adapter, record_id, kind, due_at, reason, gen"


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the state store")
    return moment


class PostgresStore:
    """State in one PostgreSQL database; safe to share between threads and processes."""

    def __init__(self, dsn: str, *, password: str | None = None, worker: str | None = None,
                 partitions: int = DEFAULT_PARTITIONS, lease: float = DEFAULT_LEASE):
        self.dsn = dsn
        self._db = Connections(dsn, password)
        conn = self._db.get()
        migrate(conn)
        self.partitions = self._settle_partitions(conn, partitions)
        self.worker = worker
        self.leases = Leases(self._db, dsn, password, worker, self.partitions, lease) \
            if worker else None

    def _settle_partitions(self, conn: psycopg.Connection, wanted: int) -> int:
        """The partition count is fixed when the database is first used (changing it would
        move tickets between partitions under running runners)."""
        with conn.transaction():
            conn.execute("INSERT INTO meta VALUES ('partitions', %s) ON CONFLICT DO NOTHING",
                         (str(wanted),))
            row = conn.execute("SELECT value FROM meta WHERE key = 'partitions'").fetchone()
            count = int(row[0]) if row else wanted
            conn.execute("INSERT INTO leases (name) SELECT 'part:' || g FROM "
                         "generate_series(0, %s - 1) AS g ON CONFLICT DO NOTHING", (count,))
        return count

    def part(self, adapter: str, record_id: str) -> int:
        return partition_of(adapter, record_id, self.partitions)

    def _owned(self) -> list[int] | None:
        """The partitions this runner may act on (None: all, no sharing)."""
        return None if self.leases is None else self.leases.owned()

    def release_thread(self) -> None:
        self._db.release_thread()

    def close(self) -> None:
        if self.leases is not None:
            self.leases.close()
        self._db.close()

    # -- work sharing (store.SharedWork) ----------------------------------------------------
    def balance(self, wake: Callable[[], None]) -> None:
        if self.leases is not None:
            self.leases.balance(wake)

    def lead(self, adapter: str) -> bool:
        return True if self.leases is None else self.leases.lead(adapter)

    def keep_own(self, adapter: str, records: list[Record], now: datetime, *,
                 backlog: bool) -> list[Record]:
        """The records of this runner's partitions; the others are queued as wake-ups due
        now for the runners that hold them (reason `backlog` during the first sync)."""
        owned = self._owned()
        if owned is None:
            return records
        mine_parts = set(owned)
        mine: list[Record] = []
        others: list[Record] = []
        for record in records:
            (mine if self.part(adapter, record.id) in mine_parts else others).append(record)
        if others:
            with self._db.tx() as cur:
                for record in others:
                    self._schedule(cur, adapter, record.id, record.kind, now,
                                   "backlog" if backlog else "changed")
        return mine

    # -- sync cursors -----------------------------------------------------------------------
    def get_cursor(self, adapter: str) -> Cursor | None:
        with self._db.cursor() as cur:
            cur.execute("SELECT adapter, watermark, sync_state, synced_at FROM cursors WHERE "
                        "adapter = %s", (adapter,))
            row = cur.fetchone()
        return _cursor(row) if row else None

    def cursors(self) -> list[Cursor]:
        with self._db.cursor() as cur:
            cur.execute("SELECT adapter, watermark, sync_state, synced_at FROM cursors "
                        "ORDER BY adapter")
            return [_cursor(r) for r in cur.fetchall()]

    def save_cursor(self, adapter: str, watermark: datetime | None,
                    sync_state: Mapping[str, Any] | None, synced_at: datetime, *,
                    keep_sync_state: bool = False) -> None:
        state = None if sync_state is None else json.dumps(sync_state)
        with self._db.tx() as cur:
            cur.execute(
                "INSERT INTO cursors VALUES (%s, %s, %s, %s) ON CONFLICT (adapter) DO UPDATE "
                "SET watermark = excluded.watermark, synced_at = excluded.synced_at, "
                "sync_state = CASE WHEN %s THEN cursors.sync_state ELSE excluded.sync_state END",
                (adapter, watermark, None if keep_sync_state else state, _aware(synced_at),
                 keep_sync_state))

    # -- wake-ups ---------------------------------------------------------------------------
    def _schedule(self, cur: psycopg.Cursor[Any], adapter: str, record_id: str, kind: str,
                  due_at: datetime, reason: str) -> None:
        part = self.part(adapter, record_id)
        cur.execute(
            "INSERT INTO wakeups (adapter, record_id, part, kind, due_at, reason) VALUES "
            "(%s, %s, %s, %s, %s, %s) ON CONFLICT (adapter, record_id) DO UPDATE SET "
            "reason = CASE WHEN excluded.due_at < wakeups.due_at THEN excluded.reason "
            "ELSE wakeups.reason END, due_at = LEAST(wakeups.due_at, excluded.due_at), "
            "gen = wakeups.gen + 1, kind = CASE WHEN excluded.kind <> '' THEN excluded.kind "
            "ELSE wakeups.kind END",
            (adapter, record_id, part, kind, _aware(due_at), reason))
        cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(part)))  # sent at commit

    def schedule(self, adapter: str, record_id: str, kind: str, due_at: datetime,
                 reason: str) -> None:
        with self._db.tx() as cur:
            self._schedule(cur, adapter, record_id, kind, due_at, reason)

    def due_wakeups(self, now: datetime, limit: int) -> list[WakeUp]:
        """Due wake-ups of this runner's partitions; rows another transaction is writing
        right now (a webhook) are skipped, not waited for, and come back next pass."""
        owned = self._owned()
        with self._db.tx() as cur:
            cur.execute(
                f"SELECT {_WAKEUP_COLS} FROM wakeups WHERE due_at <= %s "
                "AND (%s::int[] IS NULL OR part = ANY(%s::int[])) "
                "ORDER BY due_at, adapter, record_id LIMIT %s FOR UPDATE SKIP LOCKED",
                (_aware(now), owned, owned, limit))
            return [WakeUp(*r) for r in cur.fetchall()]

    def reschedule(self, adapter: str, record_id: str, kind: str, due_at: datetime | None,
                   reason: str, claimed: WakeUp | None) -> None:
        self.reschedule_many([Reschedule(adapter, record_id, kind, due_at, reason, claimed)])

    def reschedule_many(self, items: Iterable[Reschedule]) -> None:
        """One statement a reschedule (postgres_statements.RESCHEDULE, or UNSCHEDULE), sent
        together (executemany pipelines them); none when there is nothing to do."""
        drop: list[dict[str, Any]] = []
        move: list[dict[str, Any]] = []
        for i in items:
            if i.due_at is None and i.claimed is None:
                continue
            args = {"adapter": i.adapter, "record_id": i.record_id, "kind": i.kind,
                    "reason": i.reason, "part": self.part(i.adapter, i.record_id),
                    "gen": i.claimed.gen if i.claimed is not None else None,
                    "due": _aware(i.due_at) if i.due_at is not None else None}
            (drop if i.due_at is None else move).append(args)
        if not drop and not move:
            return
        with self._db.cursor() as cur:
            for statement, rows in ((sql.UNSCHEDULE, drop), (sql.RESCHEDULE, move)):
                if rows:
                    cur.executemany(statement, rows)

    def wakeups(self, limit: int = 100) -> list[WakeUp]:
        owned = self._owned()
        with self._db.cursor() as cur:
            cur.execute(f"SELECT {_WAKEUP_COLS} FROM wakeups WHERE (%s::int[] IS NULL OR "
                        "part = ANY(%s::int[])) ORDER BY due_at, adapter, record_id LIMIT %s",
                        (owned, owned, limit))
            return [WakeUp(*r) for r in cur.fetchall()]

    def wakeup_counts(self, now: datetime) -> tuple[int, int]:
        with self._db.cursor() as cur:
            cur.execute("SELECT count(*), count(*) FILTER (WHERE due_at <= %s) FROM wakeups",
                        (_aware(now),))
            row = cur.fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    # -- ledger and decisions ---------------------------------------------------------------
    def ledger(self, keys: Iterable[str]) -> dict[str, LedgerEntry]:
        keys = list(keys)
        if not keys:
            return {}
        with self._db.cursor() as cur:
            cur.execute(f"SELECT {_LEDGER_COLS} FROM ledger WHERE key = ANY(%s)", (keys,))
            return {r[0]: _entry(r) for r in cur.fetchall()}

    def _fence(self, cur: psycopg.Cursor[Any], part: int, token: int | None = None,
               margin: float = 0.0) -> int:
        """The lease token this write is made under; raises LeaseLost when this runner does
        not hold the partition (with `margin` seconds to spare), or holds it under a newer
        token than `token` (the row was written before the lease was lost)."""
        if self.leases is None:
            return 0
        held = self.leases.token(part)
        want = held if token is None else token
        if want is None:
            raise LeaseLost(f"partition {part} is not held by runner {self.worker}")
        cur.execute("SELECT 1 FROM leases WHERE name = %s AND holder = %s AND token = %s AND "
                    "expires_at > clock_timestamp() + %s * interval '1 second' FOR SHARE",
                    (part_name(part), self.worker, want, margin))
        if cur.fetchone() is None:
            raise LeaseLost(f"runner {self.worker} lost the lease of partition {part}; "
                            "its new holder carries on")
        return want

    def begin_decision(self, decision_key: str, adapter: str, record_id: str, record_kind: str,
                       decision: Mapping[str, Any], actions: list[PlannedAction],
                       now: datetime) -> int:
        """One statement (postgres_statements): the fence check, the pending ledger rows and
        the in-flight row."""
        part = self.part(adapter, record_id)
        args: dict[str, Any] = {
            "decision_key": decision_key, "adapter": adapter, "record_id": record_id,
            "part": part, "record_kind": record_kind, "decision": canonical_json(decision),
            "action_keys": json.dumps([a.key for a in actions]), "now": _aware(now),
            "keys": [a.key for a in actions], "types": [a.type for a in actions],
            "params": [json.dumps(a.params, sort_keys=True) for a in actions]}
        if self.leases is not None:
            token = self.leases.token(part)
            if token is None:
                raise LeaseLost(f"partition {part} is not held by runner {self.worker}")
            # a third of a lease to spare: platform calls start well before it could expire
            args.update(lease=part_name(part), worker=self.worker, token=token,
                        margin=self.leases.lease / 3)
        with self._db.cursor() as cur:
            cur.execute(sql.BEGIN_FENCED if self.leases else sql.BEGIN_UNFENCED, args)
            row = cur.fetchone()
        if row is None:
            raise LeaseLost(f"runner {self.worker} lost the lease of partition {part}; "
                            "its new holder carries on")
        return int(row[0])

    def log_dry_run(self, decision_key: str, adapter: str, record_id: str,
                    results: list[tuple[PlannedAction, str, str]], entry: Mapping[str, Any],
                    now: datetime) -> None:
        part = self.part(adapter, record_id)
        with self._db.tx() as cur:
            fence = self._fence(cur, part)
            for action, _status, detail in results:
                cur.execute(
                    "INSERT INTO ledger (key, decision_key, adapter, record_id, part, "
                    "action_type, params, state, detail, fence, created_at, updated_at) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, 'dry_run', %s, %s, %s, %s) "
                    "ON CONFLICT (key) DO NOTHING",
                    (action.key, decision_key, adapter, record_id, part, action.type,
                     json.dumps(action.params, sort_keys=True), detail, fence, _aware(now), now))
            self._append(cur, entry)

    def finish_action(self, key: str, state: str, detail: str, platform_ref: str,
                      now: datetime, *, count_attempt: bool = True) -> None:
        """One statement: the row and its lease locked, the row settled if the lease holds."""
        args = {"key": key, "state": state, "detail": detail, "ref": platform_ref,
                "now": _aware(now), "counted": int(count_attempt), "worker": self.worker}
        with self._db.cursor() as cur:
            if self.leases is None:
                cur.execute(sql.SETTLE_UNFENCED, args)
                return
            cur.execute(sql.SETTLE_FENCED, args)
            if cur.fetchone() is not None:
                return
            cur.execute("SELECT part FROM ledger WHERE key = %s", (key,))
            row = cur.fetchone()
        if row is not None:  # the row is there, the lease is not
            raise LeaseLost(f"runner {self.worker} lost the lease of partition {row[0]}; "
                            "its new holder carries on")

    def inflight_decisions(self) -> list[Inflight]:
        """The in-flight decisions of this runner's partitions; those begun under an older
        lease (another runner, or this one before it lost the lease) are adopted first."""
        tokens = self.leases.tokens() if self.leases is not None else None
        with self._db.tx() as cur:
            if tokens:
                parts, fences = list(tokens), list(tokens.values())
                for table, extra in (("inflight", ""), ("ledger", " AND t.state = 'pending'")):
                    cur.execute(
                        f"UPDATE {table} t SET fence = m.token FROM unnest(%s::int[], "
                        "%s::bigint[]) AS m(part, token), leases l WHERE t.part = m.part AND "
                        "t.fence <> m.token AND l.name = 'part:' || m.part AND l.holder = %s "
                        f"AND l.token = m.token AND l.expires_at > clock_timestamp(){extra}",
                        (parts, fences, self.worker))
            owned = None if tokens is None else list(tokens)
            cur.execute("SELECT id, decision_key, adapter, record_id, record_kind, decision, "
                        "action_keys FROM inflight WHERE (%s::int[] IS NULL OR "
                        "part = ANY(%s::int[])) ORDER BY id", (owned, owned))
            rows = cur.fetchall()
        return [Inflight(int(r[0]), r[1], r[2], r[3], r[4], json.loads(r[5]),
                         tuple(json.loads(r[6]))) for r in rows]

    def complete_decision(self, inflight_id: int, entry: Mapping[str, Any] | None,
                          settled: Sequence[Settlement] = ()) -> None:
        """Two round trips (pipelined): lock the in-flight row, its lease and the audit head;
        then settle the actions (their rows are fenced by the same lease: the in-flight row
        and its ledger rows carry one token), append, move the head, forget the in-flight
        row, and commit."""
        args: dict[str, Any] = {"id": inflight_id, "worker": self.worker}
        with self._db.tx(pipeline=True) as cur:
            conn = cur.connection
            with conn.cursor() as leased, conn.cursor() as head:
                cur.execute(sql.INFLIGHT_ROW, args)
                if self.leases is not None:
                    leased.execute(sql.INFLIGHT_LEASE, args)
                if entry is not None:
                    head.execute(sql.AUDIT_HEAD)
                row = cur.fetchone()
                held = leased.fetchone() if self.leases is not None else (1,)
                last = head.fetchone() if entry is not None else None
            if row is None and self.leases is not None:
                return  # completed already (by the partition's new holder): log it once
            if row is not None and held is None:
                raise LeaseLost(f"runner {self.worker} lost the lease of partition {row[0]}; "
                                "its new holder carries on")
            if settled:
                cur.executemany(sql.SETTLE_UNFENCED, [
                    {"key": s.key, "state": s.state, "detail": s.detail, "ref": s.platform_ref,
                     "now": _aware(s.at), "counted": int(s.count_attempt)} for s in settled])
            if entry is None:
                cur.execute(sql.FORGET, args)
                return
            assert last is not None, "audit_head row missing (migration 1 creates it)"
            seq, prev = int(last[0]) + 1, str(last[1])
            full = {**entry, "seq": seq}
            cur.execute(sql.APPEND_AND_FORGET, {
                **args, "seq": seq, "record_id": str(full.get("record", {}).get("id", "")),
                "entry": canonical_json(full), "prev": prev, "hash": chain_hash(prev, full)})

    def ledger_counts(self) -> dict[str, int]:
        with self._db.cursor() as cur:
            cur.execute("SELECT state, count(*) FROM ledger GROUP BY state")
            return {state: int(n) for state, n in cur.fetchall()}

    def ledger_entries(self, *, state: str | None = None) -> list[LedgerEntry]:
        with self._db.cursor() as cur:
            cur.execute(f"SELECT {_LEDGER_COLS} FROM ledger WHERE (%s::text IS NULL OR "
                        "state = %s) ORDER BY key", (state, state))
            return [_entry(r) for r in cur.fetchall()]

    # -- audit ------------------------------------------------------------------------------
    def _append(self, cur: psycopg.Cursor[Any], entry: Mapping[str, Any]) -> int:
        cur.execute("SELECT seq, hash FROM audit_head FOR UPDATE")
        head = cur.fetchone()
        assert head is not None, "audit_head row missing (migration 1 creates it)"
        seq, prev = int(head[0]) + 1, str(head[1])
        full = {**entry, "seq": seq}
        digest = chain_hash(prev, full)
        record = full.get("record", {})
        cur.execute("INSERT INTO audit VALUES (%s, %s, %s, %s, %s)",
                    (seq, str(record.get("id", "")), canonical_json(full), prev, digest))
        cur.execute("UPDATE audit_head SET seq = %s, hash = %s", (seq, digest))
        return seq

    def append_audit(self, entry: Mapping[str, Any]) -> int:
        with self._db.tx() as cur:
            return self._append(cur, entry)

    def audit(self, *, record_id: str | None = None, after_seq: int = 0) -> Iterator[AuditRow]:
        """Streamed in pages of 1000 (a long log is never held in memory at once)."""
        last = after_seq
        while True:
            with self._db.cursor() as cur:
                cur.execute("SELECT seq, entry, prev_hash, hash FROM audit WHERE seq > %s AND "
                            "(%s::text IS NULL OR record_id = %s) ORDER BY seq LIMIT 1000",
                            (last, record_id, record_id))
                rows = cur.fetchall()
            for seq, entry, prev, digest in rows:
                yield AuditRow(int(seq), json.loads(entry), prev, digest)
            if len(rows) < 1000:
                return
            last = int(rows[-1][0])

    # -- first sight ------------------------------------------------------------------------
    def positions(self, adapter: str, record_ids: Iterable[str]) -> dict[str, Position]:
        ids = list(record_ids)
        if not ids:
            return {}
        with self._db.cursor() as cur:
            cur.execute("SELECT record_id, first_seen, adopted FROM positions WHERE adapter = %s "
                        "AND record_id = ANY(%s)", (adapter, ids))
            return {rid: Position(seen, frozenset(json.loads(adopted)))
                    for rid, seen, adopted in cur.fetchall()}

    def remember_positions(self, adapter: str, positions: Mapping[str, Position]) -> None:
        if not positions:
            return
        with self._db.tx() as cur:
            cur.executemany(
                "INSERT INTO positions VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                [(adapter, rid, _aware(p.first_seen), json.dumps(sorted(p.adopted)))
                 for rid, p in positions.items()])

    def backlog_done(self, adapter: str) -> bool:
        with self._db.cursor() as cur:
            cur.execute("SELECT 1 FROM meta WHERE key = %s", (f"backlog_done:{adapter}",))
            return cur.fetchone() is not None

    def mark_backlog_done(self, adapter: str, at: datetime) -> None:
        with self._db.tx() as cur:
            cur.execute("INSERT INTO meta VALUES (%s, %s) ON CONFLICT DO NOTHING",
                        (f"backlog_done:{adapter}", _aware(at).isoformat()))

    # -- errors and deliveries --------------------------------------------------------------
    def record_error(self, scope: str, message: str, at: datetime) -> None:
        with self._db.tx() as cur:
            cur.execute("INSERT INTO errors (at, scope, message) VALUES (%s, %s, %s)",
                        (_aware(at), scope, message))
            cur.execute("DELETE FROM errors WHERE id <= (SELECT max(id) FROM errors) - %s",
                        (KEEP_ERRORS,))

    def last_errors(self, limit: int = 20) -> list[ErrorRow]:
        with self._db.cursor() as cur:
            cur.execute("SELECT at, scope, message FROM errors ORDER BY id DESC LIMIT %s",
                        (limit,))
            return [ErrorRow(*r) for r in cur.fetchall()]

    def remember_delivery(self, source: str, delivery_id: str, at: datetime) -> bool:
        with self._db.tx() as cur:
            cur.execute("INSERT INTO deliveries VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
                        (source, delivery_id, _aware(at)))
            return cur.rowcount == 1

    def forget_deliveries(self, before: datetime) -> None:
        with self._db.tx() as cur:
            cur.execute("DELETE FROM deliveries WHERE at < %s", (_aware(before),))

    # -- operations (status) ----------------------------------------------------------------
    def lease_table(self) -> list[tuple[str, str, int, datetime, bool]]:
        """(name, holder, token, expires_at, live) of every lease that was ever held."""
        with self._db.cursor() as cur:
            cur.execute("SELECT name, holder, token, expires_at, expires_at > clock_timestamp() "
                        "FROM leases WHERE token > 0 ORDER BY name")
            return [(r[0], r[1], int(r[2]), r[3], bool(r[4])) for r in cur.fetchall()]


def _cursor(row: tuple[Any, ...]) -> Cursor:
    return Cursor(row[0], row[1], json.loads(row[2]) if row[2] else None, row[3])


def _entry(row: tuple[Any, ...]) -> LedgerEntry:
    return LedgerEntry(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6],
                       int(row[7]), row[8], row[9], row[10])


def check_dsn(dsn: str) -> str:
    if not dsn.startswith(("postgresql://", "postgres://")):
        raise UsageError(f"state store {dsn!r}: expected a postgresql:// URL")
    return dsn
