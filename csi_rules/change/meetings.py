"""CAB meetings: which occurrence can still take a change, given its lead time and planned start."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Meeting:
    """A weekly CAB meeting; changes must be submitted `lead_seconds` before it."""

    id: str
    weekday: int
    at: time
    zone: ZoneInfo
    lead_seconds: float

    def occurrences(self, after: datetime, weeks: int = 8) -> list[datetime]:
        """Meeting instants at or after `after`, for the next `weeks` weeks."""
        local = after.astimezone(self.zone)
        start: date = local.date() - timedelta(days=(local.weekday() - self.weekday) % 7)
        out = []
        for w in range(weeks + 1):
            day = start + timedelta(weeks=w)
            instant = datetime.combine(day, self.at, self.zone)
            if instant >= after:
                out.append(instant)
        return out


def next_meeting(meeting: Meeting, now: datetime, planned_start: datetime | None
                 ) -> datetime | None:
    """The first occurrence that is at least the lead time away and before the planned start."""
    for instant in meeting.occurrences(now + timedelta(seconds=meeting.lead_seconds)):
        if planned_start is not None and instant > planned_start:
            return None
        return instant
    return None
