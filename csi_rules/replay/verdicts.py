"""Per-ticket SLA verdicts of a replay, next to the platform's own, and where the two disagree.

A platform's single "made SLA" flag (ServiceNow's task.made_sla, the UCI export's made_sla) is
false as soon as any SLA attached to the ticket breached: it is an any-SLA verdict. So the
replay's verdict to compare it with is one too: a ticket missed its SLAs when any metric of any
SlaPolicy breached in any cycle, met them when every metric ended (achieved or cancelled)
without a breach, and is undecided while a metric is still open without a breach. Each metric's
own outcome, first breach and share of target used are kept, so a disagreement can be read:
which metric breached, when, and by how much.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.replay.ticket import TicketReplay
from csi_rules.sla.durations import format_duration
from csi_rules.sla.status import SlaStatus

VERDICT_FIELD = "raw.made_sla"  # the platform's any-SLA verdict, true = no SLA breached
MET, MISSED = "met", "missed"
OPEN_STAGES = ("not_started", "in_progress", "paused")


@dataclass(frozen=True)
class MetricVerdict:
    """How one SLA metric ended for a ticket, over all its clock cycles."""

    policy: str
    metric: str
    outcome: str  # breached (in any cycle), else the last cycle's: achieved, cancelled, open
    breached_at: datetime | None  # the first breach
    percent_used: float  # of the target, in the breached cycle or else the last one
    target: str  # e.g. "30h (eu-office-hours)"
    started_at: datetime | None

    @property
    def name(self) -> str:
        return f"{self.policy}/{self.metric}"

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "metric": self.metric, "outcome": self.outcome,
                "breached_at": _iso(self.breached_at),
                "percent_used": round(self.percent_used, 1), "target": self.target,
                "started_at": _iso(self.started_at)}


@dataclass(frozen=True)
class TicketVerdict:
    """A ticket's any-SLA verdict under the replayed policies and under the platform."""

    record_id: str
    label: str
    priority: int | None
    state: str | None
    opened_at: datetime | None
    platform: str | None  # met / missed from VERDICT_FIELD; None when the record has none
    metrics: tuple[MetricVerdict, ...]

    @property
    def policy(self) -> str | None:
        """missed when any metric breached; met when all ended without one; else None."""
        if any(m.outcome == "breached" for m in self.metrics):
            return MISSED
        if self.metrics and all(m.outcome in ("achieved", "cancelled") for m in self.metrics):
            return MET
        return None

    @property
    def compared(self) -> bool:
        return self.platform is not None and self.policy is not None

    @property
    def disagrees(self) -> bool:
        return self.compared and self.platform != self.policy

    @property
    def first_breach(self) -> MetricVerdict | None:
        breached = [(m.breached_at, i, m) for i, m in enumerate(self.metrics)
                    if m.breached_at is not None]
        return min(breached)[2] if breached else None

    def to_json(self) -> dict[str, Any]:
        first = self.first_breach
        return {"ticket": self.record_id, "label": self.label, "priority": self.priority,
                "state": self.state, "opened_at": _iso(self.opened_at),
                "platform_verdict": self.platform, "policy_verdict": self.policy,
                "first_breach": {"at": _iso(first.breached_at), "policy": first.policy,
                                 "metric": first.metric} if first else None,
                "metrics": [m.to_json() for m in self.metrics]}


def ticket_verdict(ticket: TicketReplay) -> TicketVerdict:
    """The verdicts of one replayed ticket (metrics in policy, metric order)."""
    cycles: dict[tuple[str, str], list[SlaStatus]] = {}
    for (policy, metric, _), status in sorted(ticket.slas.items()):
        cycles.setdefault((policy, metric), []).append(status)
    record = ticket.record
    made_sla = record.get(VERDICT_FIELD)
    priority = record.get("priority")
    state = record.get("state")
    opened = record.get("opened_at")
    return TicketVerdict(
        record.id, record.label, priority if isinstance(priority, int) else None,
        state if isinstance(state, str) else None,
        opened if isinstance(opened, datetime) else None,
        (MET if made_sla else MISSED) if isinstance(made_sla, bool) else None,
        tuple(_metric_verdict(statuses) for statuses in cycles.values()))


def _metric_verdict(statuses: list[SlaStatus]) -> MetricVerdict:
    breached = [s for s in statuses if s.stage == "breached"]
    deciding = breached[0] if breached else statuses[-1]
    outcome = "open" if deciding.stage in OPEN_STAGES else deciding.stage
    target = deciding.target
    return MetricVerdict(deciding.policy, deciding.metric, outcome, deciding.breached_at,
                         deciding.percent, f"{format_duration(target.seconds)} "
                                           f"({target.calendar})", statuses[0].started_at)


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
