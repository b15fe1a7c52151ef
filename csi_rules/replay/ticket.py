"""Replay one ticket: every SLA and escalation event its history produces, and each SLA's end.

The clocks and ladders are the live ones (csi_rules/sla/clock.py, csi_rules/escalation/ladder.py),
read at the probes of probes.py; an event seen at several probes is kept once, as first seen,
which is what a live runner that applies each decision key once would have done.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime

from csi_rules.escalation.ladder import walk
from csi_rules.policy.model import Action, Policy, PolicySet
from csi_rules.records import Record
from csi_rules.replay.events import (
    OUTCOME_ACHIEVED,
    OUTCOME_BREACHED,
    OUTCOME_CANCELLED,
    OUTCOME_ESCALATION,
    OUTCOME_THRESHOLD,
    ReplayEvent,
)
from csi_rules.replay.probes import ladder_probes, sla_probes
from csi_rules.sla.clock import run_clock
from csi_rules.sla.durations import format_duration
from csi_rules.sla.status import SlaStatus
from csi_rules.sla.timeline import Snapshot, snapshots


@dataclass
class TicketReplay:
    """A ticket's events (unique keys, unsorted) and, per SLA metric and cycle, its last status."""

    record: Record
    started: bool = False  # whether the ticket existed by the end of the replay
    events: dict[str, ReplayEvent] = field(default_factory=dict)
    slas: dict[tuple[str, str, int], SlaStatus] = field(default_factory=dict)

    def add(self, event: ReplayEvent) -> None:
        if event.key not in self.events:
            self.events[event.key] = replace(event, seq=len(self.events))


def replay_ticket(policy_set: PolicySet, record: Record, end: datetime) -> TicketReplay:
    """What the time-based policies concluded about `record` from its start up to `end`."""
    snaps = list(snapshots(record, end))
    out = TicketReplay(record, started=bool(snaps))
    if not snaps:
        return out
    for policy in policy_set.of_kind("SlaPolicy"):
        if record.kind in policy.applies_to:
            _replay_sla(policy_set, policy, record, snaps, end, out)
    for policy in policy_set.of_kind("EscalationPolicy"):
        if record.kind in policy.applies_to:
            _replay_ladder(policy_set, policy, record, snaps, end, out)
    return out


def _replay_sla(policy_set: PolicySet, policy: Policy, record: Record, snaps: list[Snapshot],
                end: datetime, out: TicketReplay) -> None:
    definition = policy.compiled
    seen = definition.views  # every metric's verdicts on a snapshot, asked once per snapshot
    views = [seen(snap.record) for snap in snaps]
    for i, metric in enumerate(definition.metrics):
        mine = [v[i] for v in views]
        for probe in sla_probes(metric, snaps, end, mine):
            status = run_clock(policy.name, metric, snaps[:probe.count], probe.at,
                               policy_set.calendar, views=mine[:probe.count])
            if status is None:
                continue
            out.slas[(policy.name, metric.name, status.cycle)] = status
            for event in _sla_events(policy, record, status, probe.since, out):
                if event is not None:
                    out.events[event.key] = event


def _sla_events(policy: Policy, record: Record, status: SlaStatus,
                since: datetime | None, out: TicketReplay) -> Iterator[ReplayEvent | None]:
    """The status's events, each with its seq in `out`; None for a key `out` already has
    (an event seen at an earlier probe is not built again). Add each before the next."""
    base = f"{record.id}/{policy.name}/{status.metric}"
    cycle = f"cycle-{status.cycle}"
    target = f"{format_duration(status.target.seconds)} target ({status.target.calendar})"

    def event(at: datetime, rule: str | None, outcome: str, key: str, why: str,
              actions: tuple[Action, ...] = (), line: int | None = None) -> ReplayEvent | None:
        if key in out.events:
            return None
        return ReplayEvent(at, record.id, record.label, policy, status.metric, rule, outcome,
                           actions, f"{status.metric}: {why}",
                           f"{policy.file}:{line or status.target.line}", key,
                           len(out.events))

    for crossing in status.crossed:
        threshold, at = crossing.threshold, crossing.at
        why = f"{threshold.percent:g}% of the {target} used"
        if since is not None and at < since:
            # a stricter goal took effect when more than this share was already used
            at, why = since, why + " when that goal took effect"
        yield event(at, threshold.id, OUTCOME_THRESHOLD, f"{base}/{threshold.id}/{cycle}", why,
                    threshold.actions, threshold.line)
    if status.breached_at is not None:
        yield event(status.breached_at, None, OUTCOME_BREACHED, f"{base}/breached/{cycle}",
                    f"the {target} was used up")
    if status.clock == "stopped" and status.stopped_at and status.breached_at is None:
        yield event(status.stopped_at, None, OUTCOME_ACHIEVED,
                    f"{base}/achieved/{cycle}@{status.stopped_at.isoformat()}",
                    f"stopped after {format_duration(status.elapsed)} of the {target} "
                    f"({status.percent:.0f}%)")
    if status.clock == "cancelled" and status.stopped_at is not None:
        yield event(status.stopped_at, None, OUTCOME_CANCELLED, f"{base}/cancelled/{cycle}",
                    f"cancelled after {format_duration(status.elapsed)} of the {target}")


def _replay_ladder(policy_set: PolicySet, policy: Policy, record: Record,
                   snaps: list[Snapshot], end: datetime, out: TicketReplay) -> None:
    ladder = policy.compiled
    for probe in ladder_probes(ladder, snaps, end):
        status = walk(ladder, snaps[:probe.count], probe.at, policy_set.calendar)
        if status is None:
            continue
        for rung in status.fired:
            level, at = rung.level, rung.due_at
            rule = level.id if rung.repetition == 0 else f"{level.id}#{rung.repetition}"
            again = f", repetition {rung.repetition}" if rung.repetition else ""
            started = status.started_at.isoformat() if status.started_at else "?"
            why = (f"level {level.number} ({level.id}{again}) is due: the ladder started at "
                   f"{started} and was not acknowledged before this")
            if probe.since is not None and at < probe.since:
                why += f" (due at {at.isoformat()}, when the ladder did not apply yet)"
                at = probe.since
            out.add(ReplayEvent(at, record.id, record.label, policy, None, rule,
                                OUTCOME_ESCALATION, level.actions, why,
                                f"{policy.file}:{level.line}", f"{record.id}/{policy.name}/{rule}"))
    major = ladder.major_incident
    if major is not None:
        holds = major.holds  # remembered by the values `when` reads: asked of every snapshot
        first = next((s for s in snaps if holds(s.record)), None)
        if first is not None:
            out.add(ReplayEvent(
                first.at, record.id, record.label, policy, None, "major-incident",
                OUTCOME_ESCALATION, major.actions, "the major-incident condition first held",
                f"{policy.file}:{major.line}", f"{record.id}/{policy.name}/major-incident"))
