"""Business-time arithmetic on integer microseconds, stitched together from cached year tables.

Separate from `Calendar` so the arithmetic can be read (and tested) without datetime handling:
every function here takes and returns epoch microseconds.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import tzinfo

from csi_rules.calendars.holiday_rules import HolidaySet
from csi_rules.calendars.instants import from_us
from csi_rules.calendars.issues import CalendarError
from csi_rules.calendars.spans import WeeklyHours
from csi_rules.calendars.year_table import Interval, YearTable, build_year

FIRST_YEAR, LAST_YEAR = 2, 9998
EMPTY_YEARS_BEFORE_GIVING_UP = 10


class Timeline:
    """The business intervals of one calendar, built a year at a time on first use."""

    def __init__(self, name: str, zone: tzinfo, weekly: WeeklyHours, holidays: HolidaySet,
                 cuts: Sequence[Interval]):
        self.name = name
        self.zone = zone
        self.weekly = weekly
        self.holidays = holidays
        self.cuts = tuple(cuts)
        self._years: dict[int, YearTable] = {}
        self._last: YearTable | None = None

    def year(self, year: int) -> YearTable:
        table = self._years.get(year)
        if table is None:
            if not FIRST_YEAR <= year <= LAST_YEAR:
                raise CalendarError(
                    f"calendar {self.name!r}: year {year} is outside the supported range "
                    f"{FIRST_YEAR}-{LAST_YEAR}"
                )
            table = build_year(year, self.zone, self.weekly, self.holidays, self.cuts)
            self._years[year] = table
        return table

    def year_of(self, t: int) -> YearTable:
        """The local year whose [start, end) holds instant `t` (most often the year asked
        about last: a ticket's instants are close together)."""
        table = self._last
        if table is not None and table.start <= t < table.end:
            return table
        table = self.year(from_us(t).year)
        while t < table.start:
            table = self.year(table.year - 1)
        while t >= table.end:
            table = self.year(table.year + 1)
        self._last = table
        return table

    def _later_years(self, table: YearTable) -> Iterator[YearTable]:
        """The years after `table`, giving up once business time seems to have run out for good."""
        if self.weekly.is_empty:
            raise CalendarError(
                f"calendar {self.name!r} has no business time: no business hours on any weekday"
            )
        first_empty: int | None = None
        while True:
            table = self.year(table.year + 1)
            if table.total:
                first_empty = None
            else:
                first_empty = table.year if first_empty is None else first_empty
                if table.year - first_empty + 1 >= EMPTY_YEARS_BEFORE_GIVING_UP:
                    raise CalendarError(
                        f"calendar {self.name!r} has no business time in the years "
                        f"{first_empty}-{table.year}; check its holidays and exclusions"
                    )
            yield table

    def between(self, start: int, end: int) -> int:
        """Business µs in [start, end); 0 when end <= start."""
        if end <= start:
            return 0
        table = self._last  # most stretches lie inside the year asked about last
        if table is not None and table.start <= start and end < table.end:
            return table.before(end) - table.before(start)
        first, last = self.year_of(start), self.year_of(end)
        if first.year == last.year:
            return first.before(end) - first.before(start)
        total = first.total - first.before(start) + last.before(end)
        for year in range(first.year + 1, last.year):
            total += self.year(year).total
        return total

    def advance(self, start: int, amount: int) -> int:
        """The earliest instant with exactly `amount` business µs between `start` and it."""
        if amount <= 0:
            return start
        table = self.year_of(start)
        target = table.before(start) + amount
        later = self._later_years(table)
        while target > table.total:
            target -= table.total
            table = next(later)
        return table.instant_at(target)

    def next_open(self, t: int) -> int:
        """`t` if it is business time, else the start of the next business interval."""
        table = self.year_of(t)
        found = table.next_open(t)
        later = self._later_years(table)
        while found is None:
            table = next(later)
            found = table.next_open(table.start)
        return found

    def is_open(self, t: int) -> bool:
        return self.year_of(t).next_open(t) == t

    def intervals(self, start: int, end: int) -> Iterator[Interval]:
        """Business intervals clipped to [start, end), in order (split at year boundaries)."""
        if end <= start:
            return
        table = self.year_of(start)
        while table.start < end:
            yield from table.overlapping(start, end)
            if table.end >= end:
                return
            table = self.year(table.year + 1)
