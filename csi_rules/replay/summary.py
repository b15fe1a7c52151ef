"""Totals of a replay: tickets, events, how each SLA ended, and agreement with `made_sla`.

SLA outcomes are counted once per ticket, metric and clock cycle, from the cycle's last status:
achieved and cancelled at the instant the clock stopped, breached at the breach instant (counted
when that instant is inside the replay window), open when the clock still ran or was paused at
the end. ServiceNow exports carry the platform's own verdict in `made_sla`; when records hold it
as `raw.made_sla` (true/false), each metric's verdict (breached in any cycle, else achieved) is
compared with it, as a sanity figure for a replayed policy against the one the data lived under
(over the tickets whose SLA was decided by the end of the replay, whatever `--from` says).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from csi_rules.ingest.problems import SkippedRow
from csi_rules.replay.events import OUTCOMES, ReplayEvent
from csi_rules.replay.ticket import TicketReplay
from csi_rules.sla.status import SlaStatus

OPEN_STAGES = ("not_started", "in_progress", "paused")
SLA_COLUMNS = ("achieved", "breached", "cancelled", "open")
VERDICT_FIELD = "raw.made_sla"


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
class ReplaySummary:
    start: datetime | None
    end: datetime
    records: int = 0  # records read
    tickets: int = 0  # records opened by the end of the replay
    rows_read: int = 0
    skipped: list[SkippedRow] = field(default_factory=list)
    events: Counter[str] = field(default_factory=Counter)
    slas: dict[tuple[str, str], Counter[str]] = field(default_factory=dict)
    agreement: dict[tuple[str, str], _Agreement] = field(default_factory=dict)

    def in_window(self, at: datetime | None) -> bool:
        return at is not None and (self.start is None or at >= self.start) and at <= self.end

    def add_ticket(self, ticket: TicketReplay) -> None:
        self.records += 1
        self.tickets += ticket.started
        cycles: dict[tuple[str, str], list[SlaStatus]] = {}
        for (policy, metric, _), status in sorted(ticket.slas.items()):
            cycles.setdefault((policy, metric), []).append(status)
            column = _column(status)
            counts = self.slas.setdefault((policy, metric), Counter())
            if column == "open" or self.in_window(_decided_at(status)):
                counts[column] += 1
        made_sla = ticket.record.get(VERDICT_FIELD)
        if not isinstance(made_sla, bool):
            return
        for key, statuses in cycles.items():
            stages = [s.stage for s in statuses]
            if "breached" in stages or stages[-1] == "achieved":
                self.agreement.setdefault(key, _Agreement()).add(made_sla, "breached" in stages)

    def add_events(self, events: list[ReplayEvent]) -> None:
        self.events.update(e.outcome for e in events)

    def to_json(self) -> dict[str, Any]:
        return {
            "window": {"from": self.start.isoformat() if self.start else None,
                       "to": self.end.isoformat()},
            "records": self.records,
            "tickets": self.tickets,
            "rows_read": self.rows_read,
            "skipped_rows": [s.to_json() for s in self.skipped],
            "events": sum(self.events.values()),
            "events_by_outcome": {o: self.events[o] for o in OUTCOMES},
            "slas": [{"policy": p, "metric": m, **{c: counts[c] for c in SLA_COLUMNS}}
                     for (p, m), counts in sorted(self.slas.items())],
            "made_sla_agreement": [{"policy": p, "metric": m, **a.to_json()}
                                   for (p, m), a in sorted(self.agreement.items())],
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
        for (policy, metric), agreement in sorted(self.agreement.items()):
            data = agreement.to_json()
            lines.append(f"  {policy} {metric} agrees with made_sla on {data['agree']} of "
                         f"{data['compared']} tickets ({data['agreement_percent']}%); replay "
                         f"breached/export met: {data['only_replay_missed']}, replay met/export "
                         f"breached: {data['only_export_missed']}")
        return "\n".join(lines)


def _column(status: SlaStatus) -> str:
    if status.stage in OPEN_STAGES:
        return "open"
    return status.stage  # achieved, breached, cancelled


def _decided_at(status: SlaStatus) -> datetime | None:
    return status.breached_at if status.stage == "breached" else status.stopped_at
