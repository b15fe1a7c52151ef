"""Exclusion windows: named stretches (maintenance, blackout, freeze) that are not business time.

They come from the calendar file or from an adapter at run time (`Calendar.with_exclusions`);
either way they are subtracted from the weekly hours, and later issues read the same windows to
enforce change freezes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from csi_rules.calendars.instants import require_aware, to_us
from csi_rules.calendars.issues import CalendarError

ExclusionKind = Literal["maintenance", "blackout", "freeze"]
EXCLUSION_KINDS: tuple[ExclusionKind, ...] = ("maintenance", "blackout", "freeze")


@dataclass(frozen=True)
class ExclusionWindow:
    """[start, end) with a name a person will recognise in an SLA explanation."""

    name: str
    start: datetime
    end: datetime
    kind: ExclusionKind = "maintenance"

    def __post_init__(self) -> None:
        require_aware(self.start, f"exclusion {self.name!r} start")
        require_aware(self.end, f"exclusion {self.name!r} end")
        if self.kind not in EXCLUSION_KINDS:
            raise CalendarError(
                f"exclusion {self.name!r} has unknown kind {self.kind!r} "
                f"(valid: {', '.join(EXCLUSION_KINDS)})"
            )
        if to_us(self.end) <= to_us(self.start):
            raise CalendarError(
                f"exclusion {self.name!r} ends at {self.end.isoformat()}, "
                f"not after its start {self.start.isoformat()}"
            )

    def contains(self, instant: datetime) -> bool:
        """Whether `instant` falls inside the window (start included, end excluded)."""
        require_aware(instant, "instant")
        return to_us(self.start) <= to_us(instant) < to_us(self.end)


def merged_us(windows: Iterable[ExclusionWindow]) -> tuple[tuple[int, int], ...]:
    """Windows as sorted, non-overlapping (start_us, end_us); overlapping windows are joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((to_us(w.start), to_us(w.end)) for w in windows):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)
