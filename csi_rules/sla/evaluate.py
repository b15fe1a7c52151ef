"""SLA statuses for a ticket from a policy set, and the threshold decisions they imply."""

from __future__ import annotations

from datetime import datetime

from csi_rules.decisions import Decision
from csi_rules.policy.model import PolicySet
from csi_rules.records.model import Record
from csi_rules.sla.clock import run_clock
from csi_rules.sla.decision import StatusFacts, threshold_decision
from csi_rules.sla.status import SlaStatus
from csi_rules.sla.timeline import Snapshot, history_note, snapshots


def sla_statuses(policy_set: PolicySet, record: Record, now: datetime,
                 snaps: list[Snapshot] | None = None) -> list[SlaStatus]:
    """Every SLA metric that applies to `record`, as it stands at `now`."""
    out: list[SlaStatus] = []
    note = history_note(record)
    for policy in policy_set.of_kind("SlaPolicy"):
        if record.kind not in policy.applies_to:
            continue
        if snaps is None:
            snaps = list(snapshots(record, now))
        if not snaps:
            continue  # no clock runs before the ticket's start
        definition = policy.compiled
        seen = definition.views  # every metric's verdicts on a snapshot, asked once
        views = [seen(snap.record) for snap in snaps]
        for i, metric in enumerate(definition.metrics):
            status = run_clock(policy.name, metric, snaps, now, policy_set.calendar, note,
                               [v[i] for v in views])
            if status is not None:
                out.append(status)
    return out


def sla_decisions(policy_set: PolicySet, record: Record, now: datetime,
                  snaps: list[Snapshot] | None = None) -> list[Decision]:
    """One decision per threshold crossed (in the current cycle), carrying its actions.

    The decision key names record, policy, metric, threshold and cycle, so a runner applies
    each threshold's actions once per cycle however often the ticket is evaluated.
    """
    out: list[Decision] = []
    for status in sla_statuses(policy_set, record, now, snaps):
        if not status.crossed:
            continue  # no decision: its details are not built
        policy = policy_set.get(status.policy)
        assert policy is not None
        facts = StatusFacts(
            record.id, record.label, policy.name, policy.kind, policy.content_hash,
            str(policy.file), status.metric, status.cycle, now,
            status.details())
        out += [threshold_decision(facts, crossing) for crossing in status.crossed]
    return out
