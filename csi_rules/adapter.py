"""The contract between the core and a platform adapter (ServiceNow, Jira, a third party's)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

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


AdapterFactory = Callable[[Mapping[str, Any]], Adapter]
