"""A business calendar: weekly hours in a time zone, minus holidays and exclusion windows.

This is the datetime-facing side; arithmetic happens on integer microseconds in `timeline`.
Instants go in as aware datetimes (naive ones raise ValueError) and come back in the tzinfo of
the datetime passed in, so a caller working in UTC stays in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo

from csi_rules.calendars.exclusions import ExclusionWindow, merged_us
from csi_rules.calendars.holiday_rules import HolidaySet
from csi_rules.calendars.instants import (
    US_PER_SECOND,
    aware_us,
    from_us,
    require_aware,
    seconds_to_us,
    to_us,
)
from csi_rules.calendars.spans import MINUTES_PER_DAY, WeeklyHours
from csi_rules.calendars.timeline import FIRST_YEAR, LAST_YEAR, Timeline

_SAFE_FIRST = to_us(datetime(FIRST_YEAR + 1, 1, 1, tzinfo=UTC))
_SAFE_END = to_us(datetime(LAST_YEAR, 1, 1, tzinfo=UTC))
"""Instants whose local year lies inside the supported years in every zone."""


class Calendar:
    """Immutable; `with_exclusions` returns a new calendar rather than changing this one."""

    def __init__(
        self,
        name: str,
        zone: tzinfo | str,
        weekly: WeeklyHours,
        holidays: HolidaySet | None = None,
        exclusions: Iterable[ExclusionWindow] = (),
    ):
        self.name = name
        self.zone: tzinfo = ZoneInfo(zone) if isinstance(zone, str) else zone
        self.weekly = weekly
        self.holidays = holidays or HolidaySet()
        self.exclusions = tuple(sorted(exclusions, key=lambda w: (to_us(w.start), w.name)))
        self._timeline = Timeline(
            name, self.zone, weekly, self.holidays, merged_us(self.exclusions)
        )
        # every instant is business time (24x7): a duration is the plain difference, which
        # is what the year tables add up to (inside the supported years; outside them the
        # tables answer, and refuse)
        self._always_open = (
            all(day == ((0, MINUTES_PER_DAY),) for day in weekly.by_weekday)
            and not self.holidays.rules and not self.exclusions
        )

    def __repr__(self) -> str:
        return f"Calendar({self.name!r}, zone={self.zone}, exclusions={len(self.exclusions)})"

    def with_exclusions(self, windows: Iterable[ExclusionWindow]) -> Calendar:
        """This calendar plus more exclusion windows (e.g. maintenance supplied by an adapter)."""
        return Calendar(
            self.name, self.zone, self.weekly, self.holidays, (*self.exclusions, *windows)
        )

    # --- questions about one instant ---

    def is_business_time(self, t: datetime) -> bool:
        """Whether `t` lies inside business hours (span start included, span end excluded)."""
        require_aware(t, "t")
        return self._timeline.is_open(to_us(t))

    def next_business_instant(self, t: datetime) -> datetime:
        """`t` itself during business time, else the instant business time next begins."""
        require_aware(t, "t")
        return from_us(self._timeline.next_open(to_us(t)), t.tzinfo or self.zone)

    def holiday_name(self, day: date) -> str | None:
        """The holiday's name if the local date `day` is a holiday of this calendar."""
        return self.holidays.name_of(day)

    def exclusion_at(self, t: datetime) -> ExclusionWindow | None:
        """The first exclusion window covering `t`, to explain why the clock stood still."""
        require_aware(t, "t")
        return next((w for w in self.exclusions if w.contains(t)), None)

    # --- durations ---

    def business_microseconds(self, start: datetime, end: datetime) -> int:
        """Exact business time between two instants; 0 when `end` is not after `start`."""
        return self.business_us(aware_us(start, "start"), aware_us(end, "end"))

    def business_us(self, start: int, end: int) -> int:
        """`business_microseconds` for instants already held as epoch µs (`instants.to_us`):
        a caller summing many stretches of one timeline converts each instant once."""
        if self._always_open and start >= _SAFE_FIRST and end < _SAFE_END:
            return end - start if end > start else 0
        return self._timeline.between(start, end)

    def business_seconds(self, start: datetime, end: datetime) -> float:
        """Elapsed business seconds between two instants; 0.0 when `end` is not after `start`."""
        return self.business_microseconds(start, end) / US_PER_SECOND

    def add_business_microseconds(self, start: datetime, amount: int) -> datetime:
        """The earliest instant that has exactly `amount` business µs after `start`."""
        begin = aware_us(start, "start")
        if amount < 0:
            raise ValueError(f"business microseconds must not be negative, got {amount}")
        if amount == 0:
            return start
        if self._always_open and begin >= _SAFE_FIRST and begin + amount < _SAFE_END:
            return from_us(begin + amount, start.tzinfo or self.zone)
        return from_us(self._timeline.advance(begin, amount), start.tzinfo or self.zone)

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant `seconds` of business time after `start` (rounded to the microsecond).

        When the target is reached exactly at the end of business hours, that end is returned,
        not the start of the next business period: it is the earliest instant that qualifies.
        """
        return self.add_business_microseconds(start, seconds_to_us(seconds))

    def business_intervals(
        self, start: datetime, end: datetime
    ) -> Iterator[tuple[datetime, datetime]]:
        """The business periods inside [start, end), in this calendar's zone, for explanations."""
        require_aware(start, "start")
        require_aware(end, "end")
        for s, e in self._timeline.intervals(to_us(start), to_us(end)):
            yield from_us(s, self.zone), from_us(e, self.zone)
