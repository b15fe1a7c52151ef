"""Work sharing between runners on one PostgreSQL database: partition leases, fencing tokens,
the poller (leader) lease per adapter, and the LISTEN/NOTIFY wake-up channel.

Every ticket belongs to one partition (a hash of adapter and record id). A runner acts only
on tickets of partitions it holds a lease on; a lease lasts `lease` seconds of the database's
clock and is renewed by a background thread every third of that. A runner that dies or stops
stops renewing, its leases expire, and the others claim the partitions at their next renewal:
the partitions move within about one and a third lease periods. Each claim draws a new token
from a sequence; the store stamps ledger and in-flight rows with the token of the lease held
when they were written and refuses (`LeaseLost`) a write whose token is no longer the lease's.

Partitions are shared out evenly: each runner aims at ceil(partitions / live runners); one
holding more gives the surplus back at the start of its next cycle (never mid-action), and a
runner holding fewer claims free ones.
"""

from __future__ import annotations

import contextlib
import math
import threading
import zlib
from collections.abc import Callable

from csi_rules.runtime.postgres_conn import CONNECTION_ERRORS, Connections, StoreUnavailable, connect

CHANNEL = "csi_rules_wakeup"


def partition_of(adapter: str, record_id: str, partitions: int) -> int:
    """The partition of a ticket: stable across runners, processes and Python versions."""
    return zlib.crc32(f"{adapter}\x00{record_id}".encode()) % partitions


def part_name(part: int) -> str:
    return f"part:{part}"


class Leases:
    """The leases one runner (`worker`) holds; thread-safe."""

    def __init__(self, db: Connections, dsn: str, password: str | None, worker: str,
                 partitions: int, lease: float):
        self.db, self.worker, self.partitions, self.lease = db, worker, partitions, lease
        self._dsn, self._password = dsn, password
        self._held: dict[int, int] = {}  # partition -> fencing token
        self._polls: set[str] = set()
        self._lock = threading.Lock()
        self._wake: Callable[[], None] = lambda: None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- what is held -----------------------------------------------------------------------
    def token(self, part: int) -> int | None:
        with self._lock:
            return self._held.get(part)

    def owned(self) -> list[int]:
        with self._lock:
            return sorted(self._held)

    def tokens(self) -> dict[int, int]:
        with self._lock:
            return dict(self._held)

    # -- claiming and renewing --------------------------------------------------------------
    def balance(self, wake: Callable[[], None]) -> None:
        """At the start of a cycle (main thread): renew, give back any surplus, claim up to a
        fair share, and make sure the renewal thread runs."""
        self._wake = wake
        self._refresh(release=True)
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="csi-rules-leases",
                                            daemon=True)
            self._thread.start()

    def _refresh(self, *, release: bool) -> bool:
        """Returns True when the fair share changed (a runner came or went)."""
        lease = self.lease
        with self.db.tx() as cur:
            cur.execute("INSERT INTO workers VALUES (%s, clock_timestamp(), clock_timestamp()) "
                        "ON CONFLICT (id) DO UPDATE SET seen_at = clock_timestamp()",
                        (self.worker,))
            cur.execute("SELECT count(*) FROM workers WHERE seen_at > clock_timestamp() - "
                        "%s * interval '1 second'", (lease,))
            row = cur.fetchone()
            live = max(1, int(row[0]) if row else 1)
        target = math.ceil(self.partitions / live)
        with self.db.tx() as cur:
            cur.execute("UPDATE leases SET expires_at = clock_timestamp() + %s * interval "
                        "'1 second' WHERE holder = %s AND expires_at > clock_timestamp() "
                        "RETURNING name, token", (lease, self.worker))
            renewed = cur.fetchall()
        held = {int(n[5:]): int(t) for n, t in renewed if n.startswith("part:")}
        polls = {n[5:] for n, _ in renewed if n.startswith("poll:")}
        if release and len(held) > target:
            surplus = sorted(held)[target:]
            with self.db.tx() as cur:
                cur.execute("UPDATE leases SET holder = '', expires_at = 'epoch' WHERE holder "
                            "= %s AND name = ANY(%s)", (self.worker, [part_name(p) for p in surplus]))
            for part in surplus:
                del held[part]
        gained = False
        if len(held) < target:
            with self.db.tx() as cur:
                cur.execute(
                    "UPDATE leases SET holder = %s, token = nextval('fence_tokens'), "
                    "expires_at = clock_timestamp() + %s * interval '1 second' WHERE name IN "
                    "(SELECT name FROM leases WHERE name LIKE 'part:%%' AND expires_at <= "
                    "clock_timestamp() ORDER BY name LIMIT %s FOR UPDATE SKIP LOCKED) "
                    "RETURNING name, token", (self.worker, lease, target - len(held)))
                claimed = cur.fetchall()
            for name, token in claimed:
                held[int(name[5:])] = int(token)
            gained = bool(claimed)
        with self._lock:
            self._held, self._polls = held, polls
        return gained or len(held) > target

    def lead(self, adapter: str) -> bool:
        """Whether this runner is (now) the one that polls `adapter`."""
        with self.db.tx() as cur:
            cur.execute(
                "INSERT INTO leases AS l (name, holder, token, expires_at) VALUES (%s, %s, "
                "nextval('fence_tokens'), clock_timestamp() + %s * interval '1 second') "
                "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, "
                "token = CASE WHEN l.holder = excluded.holder AND l.expires_at > "
                "clock_timestamp() THEN l.token ELSE excluded.token END, "
                "expires_at = excluded.expires_at "
                "WHERE l.holder = excluded.holder OR l.expires_at <= clock_timestamp() "
                "RETURNING token", (f"poll:{adapter}", self.worker, self.lease))
            won = cur.fetchone() is not None
        with self._lock:
            (self._polls.add if won else self._polls.discard)(adapter)
        return won

    def leading(self) -> set[str]:
        with self._lock:
            return set(self._polls)

    # -- the background thread: renewals and notifications ---------------------------------
    def _loop(self) -> None:
        """Renew every lease/3; in between, wait on LISTEN so a webhook or a hand-over wakes
        the runner at once. A broken connection is retried at the next tick."""
        tick = max(0.2, self.lease / 3)
        listener = None
        while not self._stop.is_set():
            try:
                if listener is None or listener.closed:
                    listener = connect(self._dsn, self._password)
                    listener.execute(f"LISTEN {CHANNEL}")
                for note in listener.notifies(timeout=tick):
                    part = int(note.payload) if note.payload.isdigit() else -1
                    if part < 0 or self.token(part) is not None:
                        self._wake()
            except (StoreUnavailable, *CONNECTION_ERRORS):
                if listener is not None:
                    with contextlib.suppress(Exception):
                        listener.close()
                listener = None
                self._stop.wait(tick)
            if self._stop.is_set():
                break
            try:
                if self._refresh(release=False):
                    self._wake()  # partitions gained (recover them) or surplus to give back
            except StoreUnavailable:
                pass
        if listener is not None:
            with contextlib.suppress(Exception):
                listener.close()
        self.db.release_thread()

    def stop_renewing(self) -> None:
        """Stop the renewal thread; the leases then run out like a dead runner's."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.lease)
            self._thread = None

    def close(self) -> None:
        """Stop renewing and hand every lease back at once (a clean stop moves the
        partitions now instead of after a lease period)."""
        self.stop_renewing()
        with contextlib.suppress(StoreUnavailable), self.db.tx() as cur:
            cur.execute("UPDATE leases SET holder = '', expires_at = 'epoch' WHERE holder = %s",
                        (self.worker,))
            cur.execute("DELETE FROM workers WHERE id = %s", (self.worker,))
        with self._lock:
            self._held, self._polls = {}, set()
