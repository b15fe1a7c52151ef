"""Totals of a replay: tickets, events, how each SLA ended, agreement with `made_sla`, and all
of that per priority.

SLA outcomes are counted once per ticket, metric and clock cycle, from the cycle's last status:
achieved and cancelled at the instant the clock stopped, breached at the breach instant (counted
when that instant is inside the replay window), open when the clock still ran or was paused at
the end. ServiceNow exports carry the platform's own verdict in `made_sla` (as `raw.made_sla`):
false when any SLA on the ticket breached. It is compared like with like, with the replay's
any-SLA verdict (verdicts.py), over the tickets decided by the end of the replay whatever
`--from` says; per-metric rows say which metric drives the disagreements. The per-priority
breakdown groups tickets by their priority at the end of the history.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from csi_rules.ingest.problems import SkippedRow
from csi_rules.replay.events import OUTCOMES, ReplayEvent
from csi_rules.replay.ticket import TicketReplay
from csi_rules.replay.verdicts import MISSED, OPEN_STAGES, TicketVerdict
from csi_rules.sla.status import SlaStatus

SLA_COLUMNS = ("achieved", "breached", "cancelled", "open")
ANY_SLA = "any"  # the metric name of the like-for-like row: any SLA breached


@dataclass
class _Agreement:
    compared: int = 0
    both_met: int = 0  # made_sla true, replay achieved
    both_missed: int = 0  # made_sla false, replay breached
    only_replay_missed: int = 0  # made_sla true, replay breached
    only_export_missed: int = 0  # made_sla false, replay achieved

    def add(self, made_sla: bool, breached: bool) -> None:
        self.compared += 1
        if made_sla and not breached:
            self.both_met += 1
        elif not made_sla and breached:
            self.both_missed += 1
        elif breached:
            self.only_replay_missed += 1
        else:
            self.only_export_missed += 1

    @property
    def agree(self) -> int:
        return self.both_met + self.both_missed

    def to_json(self) -> dict[str, Any]:
        share = round(100.0 * self.agree / self.compared, 2) if self.compared else None
        return {"compared": self.compared, "agree": self.agree, "agreement_percent": share,
                "both_met": self.both_met, "both_missed": self.both_missed,
                "only_replay_missed": self.only_replay_missed,
                "only_export_missed": self.only_export_missed}


@dataclass
class _Group:
    """Tickets, SLA outcomes and agreement with made_sla of one slice (a priority, or all)."""

    tickets: int = 0
    slas: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    any_sla: _Agreement = field(default_factory=_Agreement)

    def slas_json(self) -> list[dict[str, Any]]:
        return [{"policy": p, "metric": m, **{c: counts[c] for c in SLA_COLUMNS}}
                for (p, m), counts in sorted(self.slas.items())]


@dataclass
class ReplaySummary:
    start: datetime | None
    end: datetime
    records: int = 0  # records read
    rows_read: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    events: Counter[str] = field(default_factory=Counter)
    all: _Group = field(default_factory=_Group)
    agreement: dict[tuple[str, str], _Agreement] = field(default_factory=dict)  # per metric
    by_priority: dict[int | None, _Group] = field(default_factory=dict)

    @property
    def tickets(self) -> int:
        """Records opened by the end of the replay."""
        return self.all.tickets

    @property
    def slas(self) -> dict[tuple[str, str], Counter[str]]:
        return self.all.slas

    def in_window(self, at: datetime | None) -> bool:
        return at is not None and (self.start is None or at >= self.start) and at <= self.end

    def add_ticket(self, ticket: TicketReplay, verdict: TicketVerdict) -> None:
        self.records += 1
        if not ticket.started:
            return
        # (defaults made only when missing: setdefault(k, _Group()) built one per ticket)
        by_priority = self.by_priority.get(verdict.priority)
        if by_priority is None:
            by_priority = self.by_priority[verdict.priority] = _Group()
        groups = (self.all, by_priority)
        for group in groups:
            group.tickets += 1
        for (policy, metric, _), status in sorted(ticket.slas.items()):
            column = _column(status)
            if column == "open" or self.in_window(_decided_at(status)):
                for group in groups:
                    counts = group.slas.get((policy, metric))
                    if counts is None:
                        counts = group.slas[(policy, metric)] = Counter()
                    counts[column] += 1
        if verdict.platform is None:
            return
        platform_met = verdict.platform != MISSED
        if verdict.compared:
            for group in groups:
                group.any_sla.add(platform_met, verdict.policy == MISSED)
        for judged in verdict.metrics:
            if judged.outcome in ("breached", "achieved"):
                agreement = self.agreement.get((judged.policy, judged.metric))
                if agreement is None:
                    agreement = self.agreement[(judged.policy, judged.metric)] = _Agreement()
                agreement.add(platform_met, judged.outcome == "breached")

    def add_events(self, events: list[ReplayEvent]) -> None:
        self.events.update(e.outcome for e in events)

    def to_json(self) -> dict[str, Any]:
        agreement = ([{"policy": None, "metric": ANY_SLA, **self.all.any_sla.to_json()}]
                     if self.all.any_sla.compared else [])
        agreement += [{"policy": p, "metric": m, **a.to_json()}
                      for (p, m), a in sorted(self.agreement.items())]
        return {
            "window": {"from": self.start.isoformat() if self.start else None,
                       "to": self.end.isoformat()},
            "records": self.records,
            "tickets": self.tickets,
            "rows_read": self.rows_read,
            "skipped_rows": [s.to_json() for s in self.skipped],
            "events": sum(self.events.values()),
            "events_by_outcome": {o: self.events[o] for o in OUTCOMES},
            "slas": self.all.slas_json(),
            "made_sla_agreement": agreement,
            "by_priority": [{"priority": p, "tickets": g.tickets, "slas": g.slas_json(),
                             "made_sla_agreement": g.any_sla.to_json()
                             if g.any_sla.compared else None}
                            for p, g in sorted(self.by_priority.items(), key=_priority_order)],
        }

    def format_text(self) -> str:
        window = f"from {self.start.isoformat()} " if self.start else ""
        by_outcome = ", ".join(f"{self.events[o]} {o}" for o in OUTCOMES if self.events[o])
        lines = [f"replayed {self.tickets} tickets ({self.records} records, {self.rows_read} "
                 f"input rows) {window}up to "
                 f"{self.end.isoformat()}: {sum(self.events.values())} events"
                 + (f" ({by_outcome})" if by_outcome else "")]
        lines += [f"  skipped {s.format()}" for s in self.skipped]
        for (policy, metric), counts in sorted(self.slas.items()):
            lines.append(f"  {policy} {metric}: " + ", ".join(f"{counts[c]} {c}"
                                                               for c in SLA_COLUMNS))
        if self.all.any_sla.compared:
            lines.append("  made_sla (any SLA breached) " + _agreement_text(self.all.any_sla))
        for (policy, metric), agreement in sorted(self.agreement.items()):
            lines.append(f"    {policy} {metric} alone " + _agreement_text(agreement))
        for priority, group in sorted(self.by_priority.items(), key=_priority_order):
            name = f"P{priority}" if priority is not None else "no priority"
            slas = "; ".join(f"{m} {c['breached']} breached of "
                             f"{sum(c[k] for k in SLA_COLUMNS)}"
                             for (_, m), c in sorted(group.slas.items()))
            agrees = (", made_sla " + _agreement_text(group.any_sla)) \
                if group.any_sla.compared else ""
            lines.append(f"  {name}: {group.tickets} tickets" + (f"; {slas}" if slas else "")
                         + agrees)
        return "\n".join(lines)


def _agreement_text(agreement: _Agreement) -> str:
    data = agreement.to_json()
    return (f"agrees on {data['agree']} of {data['compared']} tickets "
            f"({data['agreement_percent']}%); replay missed/platform met: "
            f"{data['only_replay_missed']}, replay met/platform missed: "
            f"{data['only_export_missed']}")


def _priority_order(item: tuple[int | None, Any]) -> tuple[bool, int]:
    return item[0] is None, item[0] or 0


def _column(status: SlaStatus) -> str:
    if status.stage in OPEN_STAGES:
        return "open"
    return status.stage  # achieved, breached, cancelled


def _decided_at(status: SlaStatus) -> datetime | None:
    return status.breached_at if status.stage == "breached" else status.stopped_at
