"""Maintenance windows as concrete time: weekly local spans unrolled into sorted UTC intervals.

Weekly spans are wall-clock times in the set's IANA zone, so "sat 22:00-06:00" stays 22:00 local
across daylight-saving changes. A local time that does not exist (the spring-forward gap) is
read as the zoneinfo default (fold=0). Overlapping or touching spans are merged, so "is this
change inside a window" is one binary search.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from csi_rules.conflicts.model import from_micros, to_micros
from csi_rules.conflicts.settings import WindowSet

_DAY_US = 86_400_000_000
_WEEK_MIN = 7 * 24 * 60


def always_open(window_set: WindowSet) -> bool:
    """True when the weekly spans leave no minute of the week uncovered (a 24x7 set): every
    change is inside it, however long."""
    spans = []
    for span in window_set.weekly:
        for day in span.days:
            start = day * 24 * 60 + span.start_min
            end = start + span.length_min
            spans.append((start, min(end, _WEEK_MIN)))
            if end > _WEEK_MIN:  # Sunday night runs into Monday
                spans.append((0, end - _WEEK_MIN))
    reach = 0
    for start, end in sorted(spans):
        if start > reach:
            return False
        reach = max(reach, end)
    return reach >= _WEEK_MIN


def horizon(window_set: WindowSet, latest_start: int, latest_end: int) -> int:
    """How far the windows must be unrolled to judge changes starting by `latest_start`.

    Unless the set is 24x7, its weekly spans leave a gap every week, and after the last explicit
    window nothing fills it: a change's first stretch outside starts within a week of its start
    or of that last explicit window. So a change planned for ten years (or a typo'd year 2204)
    costs no more than one planned for a day.
    """
    last_explicit = max((w.end_us for w in window_set.explicit), default=latest_start)
    return min(latest_end, max(latest_start, last_explicit) + 8 * _DAY_US)


class Coverage:
    """The merged windows of one WindowSet between two instants."""

    def __init__(self, window_set: WindowSet, from_us: int, to_us: int):
        spans = [(w.start_us, w.end_us) for w in window_set.explicit]
        spans += list(_weekly_spans(window_set, from_us - 8 * _DAY_US, to_us + 8 * _DAY_US))
        spans.sort()
        merged: list[list[int]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [s for s, _ in merged]
        self.ends = [e for _, e in merged]

    def first_gap(self, start: int, end: int) -> tuple[int, int] | None:
        """The first stretch of [start, end) outside every window, or None when fully inside."""
        i = bisect_right(self.starts, start) - 1
        if i >= 0 and self.ends[i] > start:
            if self.ends[i] >= end:
                return None
            gap_start, following = self.ends[i], i + 1
        else:
            gap_start, following = start, i + 1
        gap_end = self.starts[following] if following < len(self.starts) else end
        return gap_start, min(gap_end, end)


def _weekly_spans(window_set: WindowSet, from_us: int, to_us: int) -> list[tuple[int, int]]:
    if not window_set.weekly:
        return []
    zone = ZoneInfo(window_set.time_zone)
    first = _local_date(from_us, zone)
    last = _local_date(to_us, zone)
    out = []
    day = first
    while day <= last:
        midnight = datetime(day.year, day.month, day.day)
        for span in window_set.weekly:
            if day.weekday() in span.days:
                local_start = midnight + timedelta(minutes=span.start_min)
                local_end = local_start + timedelta(minutes=span.length_min)
                start = to_micros(local_start.replace(tzinfo=zone))
                end = to_micros(local_end.replace(tzinfo=zone))
                if end > start:
                    out.append((start, end))
        day += timedelta(days=1)
    return out


def _local_date(micros: int, zone: ZoneInfo) -> date:
    return from_micros(micros).astimezone(zone).date()
