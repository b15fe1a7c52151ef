"""Replay many tickets: every ticket's events, sorted by time across tickets, and a summary.

The end of the replay is an input like every other instant (the CLI defaults it to the last
instant in the history, never to the wall clock), so a replay is reproducible: the same history
and policies give the same events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from csi_rules.policy.model import PolicySet
from csi_rules.records import Record
from csi_rules.replay.events import ReplayEvent
from csi_rules.replay.summary import ReplaySummary
from csi_rules.replay.ticket import replay_ticket
from csi_rules.replay.verdicts import TicketVerdict, ticket_verdict
from csi_rules.sla.timeline import history_instant


@dataclass
class ReplayResult:
    events: list[ReplayEvent]  # in time order, inside the window
    summary: ReplaySummary
    verdicts: list[TicketVerdict]  # per ticket opened by the end, in input order


def replay(policy_set: PolicySet, records: Iterable[Record], end: datetime,
           start: datetime | None = None) -> ReplayResult:
    """Replay `records` up to `end`; events before `start` happen (clocks need the whole
    history) but are left out of the result."""
    summary = ReplaySummary(start, end)
    events: list[ReplayEvent] = []
    verdicts: list[TicketVerdict] = []
    for record in records:
        ticket = replay_ticket(policy_set, record, end)
        verdict = ticket_verdict(ticket)
        summary.add_ticket(ticket, verdict)
        if ticket.started:
            verdicts.append(verdict)
        events += [e for e in ticket.events.values() if summary.in_window(e.at)]
    events.sort(key=ReplayEvent.sort_key)
    summary.add_events(events)
    return ReplayResult(events, summary, verdicts)


def history_end(records: Iterable[Record]) -> datetime | None:
    """The last instant the history knows of: the latest update, change or opening."""
    latest: datetime | None = None
    for record in records:
        candidates = [record.get(name) for name in ("updated_at", "opened_at")]
        for entry in record.data.get("history") or ():
            at = entry["at"]
            candidates.append(history_instant(at, "history at") if isinstance(at, str) else at)
        for value in candidates:
            if isinstance(value, datetime) and (latest is None or value > latest):
                latest = value
    return latest
