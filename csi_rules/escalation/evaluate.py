"""Escalation decisions for a ticket: each due rung once, and the major-incident trigger."""

from __future__ import annotations

from datetime import datetime

from csi_rules.conditions.evaluate import explain
from csi_rules.decisions import OUTCOME_ESCALATION, Decision
from csi_rules.escalation.ladder import LadderStatus, walk
from csi_rules.policy.model import PolicySet
from csi_rules.records.model import Record
from csi_rules.sla.timeline import Snapshot


def ladder_statuses(policy_set: PolicySet, record: Record, now: datetime,
                    snaps: list[Snapshot]) -> list[LadderStatus]:
    out = []
    for policy in policy_set.of_kind("EscalationPolicy"):
        if record.kind in policy.applies_to:
            status = walk(policy.compiled, snaps, now, policy_set.calendar)
            if status is not None:
                out.append(status)
    return out


def escalation_decisions(policy_set: PolicySet, record: Record, now: datetime,
                         snaps: list[Snapshot]) -> list[Decision]:
    """Decisions for every rung that has fired; keys name the rung and its repetition."""
    out = []
    for status in ladder_statuses(policy_set, record, now, snaps):
        policy = policy_set.get(status.policy)
        assert policy is not None
        details = status.to_json()
        for rung in status.fired:
            rule = rung.level.id if rung.repetition == 0 else f"{rung.level.id}#{rung.repetition}"
            details_rung = {**details, "explain": f"level {rung.level.number} ({rung.level.id}) "
                            f"due at {rung.due_at.isoformat()}, not acknowledged before it",
                            "crossed_at": rung.due_at.isoformat()}
            out.append(Decision(
                record.id, record.label, policy.name, policy.kind, policy.content_hash, rule,
                f"{policy.file}:{rung.level.line}", OUTCOME_ESCALATION, rung.level.actions, (),
                now, details_rung, f"{record.id}/{policy.name}/{rule}"))
    for policy in policy_set.of_kind("EscalationPolicy"):
        major = policy.compiled.major_incident
        if major and record.kind in policy.applies_to and major.holds(record):
            out.append(Decision(
                record.id, record.label, policy.name, policy.kind, policy.content_hash,
                "major-incident", f"{policy.file}:{major.line}", OUTCOME_ESCALATION,
                major.actions, tuple(explain(major.when, record.get)), now, None,
                f"{record.id}/{policy.name}/major-incident"))
    return out
