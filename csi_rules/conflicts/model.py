"""What the conflict search returns: conflicts, changes it could not check, and the whole report.

Times inside the search are integer microseconds since the Unix epoch (exact, cheap to compare);
they become aware UTC datetimes only here, at the edge, so every conflict prints the same way
whatever offsets the input used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NamedTuple

from csi_rules.conflicts.describe import explain  # needs this module only to type-check

Severity = Literal["blocking", "advisory"]

# Check names are the `spec` keys of a ConflictPolicy, so a conflict points at its setting.
CHECK_NAMES: tuple[str, ...] = (
    "sameCi", "relatedCi", "capacity", "blackouts", "maintenanceWindows", "initiatives",
)
SubjectKind = Literal["ci", "ci_link", "resource", "blackout", "ci_window", "shared_need"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)


def to_micros(value: datetime) -> int:
    """Aware datetime -> microseconds since the epoch (exact integer)."""
    return (value - _EPOCH) // _MICRO


def from_micros(value: int) -> datetime:
    """Microseconds since the epoch -> aware UTC datetime."""
    return _EPOCH + timedelta(microseconds=value)


class ChangeRef(NamedTuple):
    """How a conflict names a change (or an improvement initiative): id and human number.

    A NamedTuple so that sorting and hashing tens of thousands of them stays in C.
    """

    id: str
    number: str
    kind: Literal["change", "initiative"] = "change"

    @property
    def label(self) -> str:
        return self.number or self.id

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "kind": self.kind}


@dataclass(slots=True)
class Conflict:
    """One finding of one check: who collides, on what, when, and (as `explanation`) why.

    `start`/`end` is the half-open window [start, end) in which the conflict holds: the overlap
    of two changes, an overbooked stretch, or the part of a change outside its allowed windows.
    Treat it as immutable; it is not frozen only because frozen dataclasses cost twice as much
    to build, and a big schedule yields tens of thousands of conflicts.
    """

    check: str
    severity: Severity
    changes: tuple[ChangeRef, ...]
    subject_kind: SubjectKind
    subjects: tuple[str, ...]
    start_us: int
    end_us: int
    details: dict[str, Any] = field(default_factory=dict)
    policy: str = ""

    @property
    def explanation(self) -> str:
        """One sentence a change manager can act on; written on demand, since a big schedule
        yields tens of thousands of conflicts and most callers print only a few."""
        return explain(self)

    @property
    def start(self) -> datetime:
        return from_micros(self.start_us)

    @property
    def end(self) -> datetime:
        return from_micros(self.end_us)

    def sort_key(self) -> tuple[Any, ...]:
        return (CHECK_NAMES.index(self.check), self.start_us, self.end_us,
                self.changes, self.subjects)


@dataclass(frozen=True, order=True)
class UncheckedChange:
    """A change the time-based checks could not place, with the reason (never silently dropped)."""

    change: ChangeRef
    reason: str
    by_policy: bool = False
    """Left out by the policy's choice (e.g. maxWindowHours), not for want of data."""


@dataclass(frozen=True)
class ConflictReport:
    """Every conflict in a deterministic order, plus the changes that could not be checked."""

    conflicts: tuple[Conflict, ...]
    unchecked: tuple[UncheckedChange, ...]
    changes_checked: int
    checks_run: tuple[str, ...]
    policy: str = ""
    notes: tuple[str, ...] = field(default=())
    excluded: dict[str, int] = field(default_factory=dict)
    """check -> changes the policy keeps out of it (ignoreChangeTypes, exemptChangeTypes)."""
    without_data: dict[str, int] = field(default_factory=dict)
    """check -> changes it ran over that lack what it looks at (no CI, no booked resource)."""

    def involving(self, change_id: str) -> list[Conflict]:
        """Conflicts that name `change_id` (what a go/no-go gate for one change needs)."""
        return [c for c in self.conflicts if any(r.id == change_id for r in c.changes)]

    @property
    def blocking(self) -> list[Conflict]:
        return [c for c in self.conflicts if c.severity == "blocking"]
