"""When a record must be looked at again although it has not changed: the next SLA threshold,
pause/stop boundary or escalation rung the engine reports for it."""

from __future__ import annotations

from datetime import datetime

from csi_rules.escalation.evaluate import ladder_statuses
from csi_rules.evaluation import TIME_KINDS
from csi_rules.policy.model import PolicySet
from csi_rules.records.model import Record
from csi_rules.sla.evaluate import sla_statuses
from csi_rules.sla.timeline import snapshots


def next_instant(policy_set: PolicySet, record: Record, now: datetime) -> datetime | None:
    """The earliest instant after `now` at which a time-based decision may change."""
    if not any(record.kind in p.applies_to for p in policy_set.of_kind(*TIME_KINDS)):
        return None
    snaps = list(snapshots(record, now))
    instants = [s.next_change for s in sla_statuses(policy_set, record, now, snaps)
                if s.next_change is not None]
    instants += [s.next_due.due_at for s in ladder_statuses(policy_set, record, now, snaps)
                 if s.next_due is not None]
    later = [t for t in instants if t > now]
    return min(later) if later else None
