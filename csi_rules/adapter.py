"""The contract between the core and a platform adapter (ServiceNow, Jira, a third party's)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from csi_rules.capabilities import Capabilities
from csi_rules.records import Record


@dataclass(frozen=True)
class RecordQuery:
    """Which records to fetch: kinds, and everything updated at or after `since` (None = all)."""

    kinds: tuple[str, ...]
    since: datetime | None = None
    ids: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    """Extra platform columns policies read as raw.<name>; adapters fetch only these plus their own."""


@dataclass(frozen=True)
class ActionRequest:
    """One action a decision asks for, with the key that makes applying it idempotent."""

    type: str
    params: Mapping[str, Any]
    record_id: str
    idempotency_key: str
    policy: str = ""
    rule: str = ""
    decided_at: datetime | None = None
    """When the decision was made: a write for it cannot be older (read-back matching)."""
    fresh: bool = False
    """True when the ledger shows no earlier attempt, so nothing can have landed before."""


ActionStatus = Literal["applied", "already_applied", "skipped", "failed"]


@dataclass(frozen=True)
class ActionResult:
    """What applying an action did; `already_applied` is how idempotency shows."""

    status: ActionStatus
    detail: str = ""
    platform_ref: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)


class Adapter(Protocol):
    """A connection to one platform instance; one HTTP session per adapter."""

    name: str

    def fetch_records(self, query: RecordQuery) -> Iterator[Record]: ...

    def fetch_record(self, record_id: str) -> Record: ...

    def apply_action(self, action: ActionRequest, record: Record, *, dry_run: bool) -> ActionResult: ...

    def close(self) -> None: ...


class DeclaresCapabilities(Protocol):
    """An adapter that says what it carries out (see csi_rules.capabilities); the executor
    refuses anything else before calling it. A factory offers the same offline as
    `factory.capabilities(settings)` for `validate --adapter` and `run`'s start check."""

    def capabilities(self) -> Capabilities: ...


class PreparesBatches(Protocol):
    """An adapter that reads in bulk what its actions check before writing (optional).

    The runtime calls `prepare(records, actions)` before acting on a batch, with the actions
    it is about to attempt, and `prepare((), ())` once the batch is done. The adapter may read,
    once for the batch, what `apply_action` would otherwise read per action, and must drop or
    re-read whatever a write can have changed: results have to be the same as without it."""

    def prepare(self, records: Sequence[Record], actions: Sequence[ActionRequest]) -> None: ...


AdapterFactory = Callable[[Mapping[str, Any]], Adapter]
