"""Conflicts between one change and the planned schedule, for the gate's no_conflicts check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csi_rules.policy.model import PolicySet
from csi_rules.records.model import Record


def schedule_conflicts(policy_set: PolicySet, change: Record, schedule: str | None,
                       cmdb: str | None) -> list[Any] | None:
    """Conflicts involving `change` under every ConflictPolicy, against the `schedule` file.

    None when there is no schedule to check against (the gate then says so).
    """
    policies = policy_set.of_kind("ConflictPolicy")
    if schedule is None:
        return None
    if not policies:
        return []
    from csi_rules.conflicts import load_changes, load_cmdb

    return conflicts_with(policy_set, change, load_changes(schedule).changes,
                          load_cmdb(cmdb) if cmdb else None)


def conflicts_with(policy_set: PolicySet, change: Record, others: list[Record],
                   graph: Any = None) -> list[Any]:
    """Conflicts that involve `change`, under every ConflictPolicy of the set."""
    from csi_rules.conflicts import run_conflicts

    schedule = [change, *(r for r in others if r.id != change.id)]
    found: list[Any] = []
    for policy in policy_set.of_kind("ConflictPolicy"):
        report = run_conflicts(schedule, policy.compiled, graph)
        found += [c for c in report.conflicts if any(ref.id == change.id for ref in c.changes)]
        found += [Unplaceable(u.reason) for u in report.unchecked if u.change.id == change.id]
    return found


@dataclass(frozen=True)
class Unplaceable:
    """The gated change itself could not be checked (e.g. it has no planned window)."""

    reason: str
    severity: str = "blocking"

    @property
    def explanation(self) -> str:
        return f"cannot check this change for conflicts: {self.reason}"
