"""Walk a ladder over a ticket's snapshots: levels due before acknowledgement, and the next one.

The ladder starts when `start` first holds (for tickets that meet `when`), and ends at the first
moment `acknowledged` or `stop` holds. Every level whose due instant falls inside that span and
at or before `now` has fired; repetitions are numbered so each fires once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.escalation.model import Ladder, Level
from csi_rules.sla.timeline import Snapshot

CalendarLookup = Callable[[str], Any]


@dataclass(frozen=True)
class Rung:
    """One firing of a level: the level, which repetition (0 = first pass), and when it is due."""

    level: Level
    repetition: int
    due_at: datetime


@dataclass(frozen=True)
class LadderStatus:
    policy: str
    started_at: datetime | None
    ended_at: datetime | None
    ended_by: str | None  # acknowledged | stopped
    fired: tuple[Rung, ...]
    next_due: Rung | None

    def to_json(self) -> dict[str, Any]:
        def rung(r: Rung) -> dict[str, Any]:
            return {"level": r.level.id, "number": r.level.number, "repetition": r.repetition,
                    "due_at": r.due_at.isoformat(), "target": dict(r.level.target)}

        return {"policy": self.policy,
                "started_at": self.started_at.isoformat() if self.started_at else None,
                "ended_at": self.ended_at.isoformat() if self.ended_at else None,
                "ended_by": self.ended_by, "fired": [rung(r) for r in self.fired],
                "next_due": rung(self.next_due) if self.next_due else None}


def schedule(ladder: Ladder) -> list[tuple[Level, int, float]]:
    """(level, repetition, offset seconds from the start) for every rung, in order."""
    out = [(lvl, 0, lvl.after) for lvl in ladder.levels]
    if ladder.repeat and ladder.levels:
        last = ladder.levels[-1].after
        first = ladder.levels[ladder.repeat.from_index].after
        cycle = (last - first) + ladder.repeat.every
        for r in range(1, ladder.repeat.times + 1):
            out += [(lvl, r, lvl.after + r * cycle) for lvl in ladder.levels[ladder.repeat.from_index:]]
    return out


def walk(ladder: Ladder, snapshots: list[Snapshot], now: datetime,
         calendars: CalendarLookup) -> LadderStatus | None:
    """The ladder's state at `now`; None when it does not apply or has not started."""
    if not snapshots or not ladder.applies(snapshots[-1].record):
        return None
    verdicts = ladder.verdicts  # (start, acknowledged, stop), remembered by value
    started = next((s.at for s in snapshots if verdicts(s.record)[0]), None)
    if started is None:
        return None
    ended_at, ended_by = None, None
    for snap in snapshots:
        if snap.at < started:
            continue
        _, acknowledged, stopped = verdicts(snap.record)
        if acknowledged:
            ended_at, ended_by = snap.at, "acknowledged"
            break
        if stopped:
            ended_at, ended_by = snap.at, "stopped"
            break
    fired, next_due = [], None
    for level, repetition, offset in schedule(ladder):
        due = calendars(level.calendar).add_business_seconds(started, offset)
        if due <= now and (ended_at is None or due < ended_at):
            fired.append(Rung(level, repetition, due))
        elif ended_at is None and (next_due is None or due < next_due.due_at):
            next_due = Rung(level, repetition, due)
    return LadderStatus(ladder.policy, started, ended_at, ended_by, tuple(fired), next_due)
