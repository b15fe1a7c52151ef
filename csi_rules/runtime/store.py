"""The storage contract of the runner: what must survive a restart, and how it must be written.

SQLite (`sqlite_store.SqliteStore`) is the default; a PostgreSQL store for multi-node runs can
fill the same Protocol. The contract an implementation must keep:

- Every method is one transaction: it happens entirely or not at all (a crash in the middle
  leaves the state before the call).
- `begin_decision` writes the decision and its actions' `pending` ledger rows together, before
  any platform call; `finish_action` moves one row out of `pending`; `complete_decision`
  settles the decision's platform actions (the runner keeps their outcomes until then: one
  transaction a decision, not one an action), appends the audit entry and drops the in-flight
  decision together. Whatever a crash
  interrupts is left in flight and replayed by the runner (`inflight_decisions`).
- Audit entries are append-only and numbered without gaps; `append` computes each entry's
  hash from the previous one inside the same transaction (writers are serialized).
- Wake-ups: one row per (adapter, record); `schedule` only ever moves a wake-up *earlier*
  but always counts as a change (`gen`, a per-row change counter, goes up); `reschedule`
  replaces a claimed row only if `gen` is still the claimed one, else keeps the earlier
  instant. A request that arrives while the record is being evaluated (a webhook) therefore
  makes it fire again; no wake-up is lost. A store may offer `reschedule_many` (the pipeline
  writes a batch's reschedules together, after the batch: a crash before that leaves each
  record's claimed wake-up or the sync watermark behind it, so it is evaluated again).
- Positions: one row per (adapter, record) the runner has evaluated, written once (the first
  sight wins; later calls for the same record change nothing), with the decision keys set
  aside then (`runtime.backlog`). `mark_backlog_done` is written once an adapter's first
  complete sync has been processed, and never removed.
- Times are timezone-aware datetimes in and out (stored as UTC).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from csi_rules.errors import CsiRulesError
from csi_rules.records.model import Record
from csi_rules.runtime.backlog import Position


class LeaseLost(CsiRulesError):
    """This runner no longer holds the lease of the partition it was about to write for (a
    shared store); the ticket is its new holder's now."""

LEDGER_STATES = ("pending", "applied", "already_applied", "skipped", "failed", "dry_run")
DONE_STATES = frozenset({"applied", "already_applied", "skipped"})


@dataclass(frozen=True)
class Cursor:
    """Where an adapter's incremental sync stands."""

    adapter: str
    watermark: datetime | None
    sync_state: Mapping[str, Any] | None
    synced_at: datetime | None


@dataclass(frozen=True)
class WakeUp:
    adapter: str
    record_id: str
    kind: str
    due_at: datetime
    reason: str
    gen: int


@dataclass(frozen=True)
class Settlement:
    """The arguments of one `Store.finish_action` call, made with `complete_decision`."""

    key: str
    state: str
    detail: str
    platform_ref: str
    at: datetime
    count_attempt: bool = True


@dataclass(frozen=True)
class Reschedule:
    """The arguments of one `Store.reschedule` call."""

    adapter: str
    record_id: str
    kind: str
    due_at: datetime | None
    reason: str
    claimed: WakeUp | None


def reschedule_all(store: Store, items: list[Reschedule]) -> None:
    """A batch's reschedules: in one go when the store can (`reschedule_many`)."""
    many = getattr(store, "reschedule_many", None)
    if callable(many):
        many(items)
        return
    for item in items:
        store.reschedule(item.adapter, item.record_id, item.kind, item.due_at, item.reason,
                         item.claimed)


@dataclass(frozen=True)
class PlannedAction:
    """An action about to be attempted, with its idempotency key."""

    key: str
    index: int
    type: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class LedgerEntry:
    key: str
    decision_key: str
    adapter: str
    record_id: str
    action_type: str
    params: Mapping[str, Any]
    state: str
    attempts: int
    detail: str
    platform_ref: str
    updated_at: datetime


@dataclass(frozen=True)
class Inflight:
    """A decision whose actions were started but whose audit entry is not written yet."""

    id: int
    decision_key: str
    adapter: str
    record_id: str
    record_kind: str
    decision: Mapping[str, Any]
    action_keys: tuple[str, ...]


@dataclass(frozen=True)
class AuditRow:
    seq: int
    entry: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class ErrorRow:
    at: datetime
    scope: str
    message: str


class Store(Protocol):
    # -- sync cursors -----------------------------------------------------------------------
    def get_cursor(self, adapter: str) -> Cursor | None: ...

    def save_cursor(self, adapter: str, watermark: datetime | None,
                    sync_state: Mapping[str, Any] | None, synced_at: datetime, *,
                    keep_sync_state: bool = False) -> None: ...

    def cursors(self) -> list[Cursor]: ...

    # -- wake-ups ---------------------------------------------------------------------------
    def schedule(self, adapter: str, record_id: str, kind: str, due_at: datetime,
                 reason: str) -> None: ...

    def due_wakeups(self, now: datetime, limit: int) -> list[WakeUp]: ...

    def reschedule(self, adapter: str, record_id: str, kind: str, due_at: datetime | None,
                   reason: str, claimed: WakeUp | None) -> None:
        """After evaluating a record: its next wake-up (None: none needed). If `claimed` (the
        wake-up that caused the evaluation) is unchanged it is replaced; otherwise somebody
        asked again meanwhile, and the earlier of the two instants is kept."""
        ...

    def wakeups(self, limit: int = 100) -> list[WakeUp]: ...

    def wakeup_counts(self, now: datetime) -> tuple[int, int]:
        """(all queued, already due)."""
        ...

    # -- action ledger and decisions --------------------------------------------------------
    def ledger(self, keys: Iterable[str]) -> dict[str, LedgerEntry]: ...

    def begin_decision(self, decision_key: str, adapter: str, record_id: str, record_kind: str,
                       decision: Mapping[str, Any], actions: list[PlannedAction],
                       now: datetime) -> int: ...

    def log_dry_run(self, decision_key: str, adapter: str, record_id: str,
                    results: list[tuple[PlannedAction, str, str]], entry: Mapping[str, Any],
                    now: datetime) -> None: ...

    def ledger_entries(self, *, state: str | None = None) -> list[LedgerEntry]: ...

    def append_audit(self, entry: Mapping[str, Any]) -> int: ...

    def finish_action(self, key: str, state: str, detail: str, platform_ref: str,
                      now: datetime, *, count_attempt: bool = True) -> None:
        """Settle one pending action; `count_attempt=False` for transient failures (platform
        unreachable), which are retried without using up the action's attempts."""
        ...

    def inflight_decisions(self) -> list[Inflight]: ...

    def complete_decision(self, inflight_id: int, entry: Mapping[str, Any] | None,
                          settled: Sequence[Settlement] = ()) -> None:
        """Settle `settled` (as finish_action would), append `entry` to the audit log (unless
        None) and forget the in-flight decision, in one transaction."""
        ...

    def ledger_counts(self) -> dict[str, int]: ...

    # -- audit log --------------------------------------------------------------------------
    def audit(self, *, record_id: str | None = None, after_seq: int = 0) -> Iterator[AuditRow]: ...

    # -- first sight (runtime.backlog) ------------------------------------------------------
    def positions(self, adapter: str, record_ids: Iterable[str]) -> dict[str, Position]:
        """The positions of those records seen before (unknown ids are left out)."""
        ...

    def remember_positions(self, adapter: str, positions: Mapping[str, Position]) -> None: ...

    def backlog_done(self, adapter: str) -> bool:
        """Whether the adapter's first complete sync (the backlog) has been processed."""
        ...

    def mark_backlog_done(self, adapter: str, at: datetime) -> None: ...

    # -- errors and webhook deliveries ------------------------------------------------------
    def record_error(self, scope: str, message: str, at: datetime) -> None: ...

    def last_errors(self, limit: int = 20) -> list[ErrorRow]: ...

    def remember_delivery(self, source: str, delivery_id: str, at: datetime) -> bool:
        """True the first time a delivery id is seen (redeliveries answer False)."""
        ...

    def release_thread(self) -> None:
        """Close the calling thread's connection (server request threads, when done)."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class SharedWork(Protocol):
    """A store several runners share (PostgreSQL, `postgres_leases`): each runner acts only on
    the tickets of the partitions it holds, and one runner at a time polls each adapter."""

    def balance(self, wake: Callable[[], None]) -> None:
        """At the start of a cycle: renew, give back or claim partitions; `wake` is called
        when work arrives for this runner between cycles (a webhook, a hand-over)."""
        ...

    def lead(self, adapter: str) -> bool:
        """Whether this runner polls `adapter` now (its leader lease)."""
        ...

    def keep_own(self, adapter: str, records: list[Record], now: datetime, *,
                 backlog: bool) -> list[Record]:
        """The synced records this runner owns; the others are queued as due wake-ups for
        their owners (reason `backlog` while `backlog` is true)."""
        ...
