"""What a pipeline asks of a platform across a change's life: open, record, close.

Adapters that carry changes implement `ChangeLifecycle` (the ServiceNow adapter does, in its
changes.py module); the CLI finds the methods on the adapter and says plainly when an adapter
has none. States are the record contract's change states.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol, runtime_checkable

from csi_rules.errors import UsageError

Phase = Literal["started", "succeeded", "failed"]
CloseCode = Literal["successful", "successful_issues", "unsuccessful"]
CHANGE_TYPES = ("standard", "normal", "emergency")
# Which field of a change request `change open` takes from a template or the command line.
REQUEST_FIELDS = ("change_type", "short_description", "description", "model", "planned_start",
                  "planned_end", "configuration_items", "assignment_group", "risk",
                  "implementation_plan", "backout_plan", "test_plan")


@dataclass(frozen=True)
class ChangeRequest:
    """A change to open; `run_id` makes opening idempotent (a retried job finds its change)."""

    run_id: str
    change_type: str
    short_description: str
    fields: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OpenedChange:
    id: str
    number: str
    created: bool  # False: the run id already had a change, which is returned instead


@dataclass(frozen=True)
class Deployment:
    """A deployment event written onto the change: what happened, when, and its links."""

    phase: Phase
    at: datetime
    build_url: str = ""
    commit: str = ""
    message: str = ""

    def note(self) -> str:
        words = {"started": "Deployment started", "succeeded": "Deployment succeeded",
                 "failed": "Deployment FAILED"}[self.phase]
        lines = [f"{words} at {self.at.isoformat()} (csi-rules change record)"]
        lines += [f"{k}: {v}" for k, v in (("build", self.build_url), ("commit", self.commit),
                                            ("note", self.message)) if v]
        return "\n".join(lines)


@runtime_checkable
class ChangeLifecycle(Protocol):
    def open_change(self, request: ChangeRequest) -> OpenedChange: ...

    def record_deployment(self, change_id: str, deployment: Deployment) -> str: ...

    def close_change(self, change_id: str, code: CloseCode, notes: str, at: datetime) -> str: ...


def lifecycle_of(adapter: Any, name: str) -> ChangeLifecycle:
    """The adapter as a ChangeLifecycle, or a usage error naming what it lacks."""
    if not isinstance(adapter, ChangeLifecycle):
        raise UsageError(f"adapter {name!r} cannot open, record or close changes")
    return adapter
