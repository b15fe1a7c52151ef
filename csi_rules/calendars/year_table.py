"""One local calendar year of business time, precomputed as sorted intervals with running totals.

Building a year walks its days once (a few milliseconds); after that every question about the
year is a binary search, so replaying many events costs O(log n) each instead of a day loop.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo

from csi_rules.calendars.holiday_rules import HolidaySet
from csi_rules.calendars.instants import wall_to_us
from csi_rules.calendars.spans import MINUTES_PER_DAY, WeeklyHours

Interval = tuple[int, int]
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class YearTable:
    """Business intervals of [start, end) (local midnight of Jan 1 to the next one), in µs."""

    year: int
    start: int
    end: int
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    cumulative: tuple[int, ...]  # business µs before interval i; one more entry than intervals

    @property
    def total(self) -> int:
        return self.cumulative[-1]

    def before(self, t: int) -> int:
        """Business µs in [self.start, t); t is clamped to the year."""
        i = bisect_right(self.starts, t) - 1
        if i < 0:
            return 0
        return self.cumulative[i] + min(t, self.ends[i]) - self.starts[i]

    def instant_at(self, amount: int) -> int:
        """Earliest instant with `amount` business µs before it this year (0 < amount <= total)."""
        i = bisect_left(self.cumulative, amount) - 1
        return self.starts[i] + amount - self.cumulative[i]

    def next_open(self, t: int) -> int | None:
        """`t` if it is business time, else the start of the next interval this year (or None)."""
        i = bisect_right(self.starts, t) - 1
        if i >= 0 and t < self.ends[i]:
            return t
        return self.starts[i + 1] if i + 1 < len(self.starts) else None

    def overlapping(self, lo: int, hi: int) -> list[Interval]:
        """Intervals clipped to [lo, hi)."""
        i = max(bisect_right(self.starts, lo) - 1, 0)
        out = []
        while i < len(self.starts) and self.starts[i] < hi:
            s, e = max(self.starts[i], lo), min(self.ends[i], hi)
            if s < e:
                out.append((s, e))
            i += 1
        return out


def _subtract(intervals: list[Interval], cuts: Sequence[Interval]) -> list[Interval]:
    """`intervals` minus `cuts`; both sorted and non-overlapping."""
    out: list[Interval] = []
    j = 0
    for start, end in intervals:
        while j < len(cuts) and cuts[j][1] <= start:
            j += 1
        cursor, k = start, j
        while k < len(cuts) and cuts[k][0] < end:
            if cuts[k][0] > cursor:
                out.append((cursor, cuts[k][0]))
            cursor = max(cursor, cuts[k][1])
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def build_year(
    year: int, zone: tzinfo, weekly: WeeklyHours, holidays: HolidaySet, cuts: Sequence[Interval]
) -> YearTable:
    """Walk the year's dates: weekday spans as instants, minus holidays, minus exclusion cuts."""
    holiday_dates = holidays.dates(year)
    known: dict[tuple[date, int], int] = {}

    def instant(day: date, minute: int) -> int:
        if minute == MINUTES_PER_DAY:
            day, minute = day + ONE_DAY, 0
        key = (day, minute)
        if key not in known:
            known[key] = wall_to_us(zone, day, minute)
        return known[key]

    raw: list[Interval] = []
    day = date(year, 1, 1)
    while day.year == year:
        if day not in holiday_dates:
            for first, last in weekly.minutes(day.weekday()):
                start, end = instant(day, first), instant(day, last)
                if end <= start:
                    continue  # the whole span fell into a spring-forward gap
                if raw and start <= raw[-1][1]:
                    raw[-1] = (raw[-1][0], max(raw[-1][1], end))
                else:
                    raw.append((start, end))
        day += ONE_DAY
    intervals = _subtract(raw, cuts)
    cumulative = [0]
    for start, end in intervals:
        cumulative.append(cumulative[-1] + end - start)
    return YearTable(
        year,
        instant(date(year, 1, 1), 0),
        instant(date(year + 1, 1, 1), 0),
        tuple(s for s, _ in intervals),
        tuple(e for _, e in intervals),
        tuple(cumulative),
    )
