"""The year-table arithmetic (prefix sums and binary search) against a day-by-day reference.

The reference below walks every local date between two instants, lays the weekly spans onto
it from the wall clock, drops holidays and cuts out exclusion windows, the way a person would
count business time by hand; it shares no code with `timeline`/`year_table`. Random intervals
start next to clock changes, holidays, exclusions and year ends, where a table could go wrong.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from csi_rules.calendars import Calendar, parse_calendar
from csi_rules.calendars.instants import from_us, to_us

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
MINUTE_US = 60_000_000
HOUR_US = 60 * MINUTE_US
DAY = timedelta(days=1)


def make(name: str, spec: dict[str, Any]) -> Calendar:
    calendar, issues = parse_calendar(spec, name=name)
    assert issues == [] and calendar is not None
    return calendar


CALENDARS = [
    make("amsterdam", {
        "timezone": "Europe/Amsterdam",
        "hours": {**{d: ["08:30-12:00", "13:00-17:30"] for d in WORKDAYS},
                  "sat": ["01:30-03:30"], "sun": ["22:00-06:00"]},
        "holidays": [{"month": 12, "day": 25}, {"rule": "easter", "offset": 1},
                     "2026-10-26", {"rule": "nth_weekday", "month": 3, "weekday": "mon",
                                    "n": -1}],
        "exclusions": [
            {"name": "patch", "start": "2026-03-30T11:00:00+02:00",
             "end": "2026-03-30T14:00:00+02:00"},
            {"name": "freeze", "kind": "freeze", "start": "2026-12-20T00:00:00+01:00",
             "end": "2027-01-04T09:00:00+01:00"},
        ],
    }),
    make("nl-public-holidays", {
        "timezone": "Europe/Amsterdam",
        "hours": {d: ["09:00-17:00"] for d in WORKDAYS},
        "holidays": [{"country": "NL"}],
    }),
    make("new-york-nights", {
        "timezone": "America/New_York",
        "hours": {"mon": ["00:30-02:45", "19:00-23:00"], "wed": ["06:00-09:00"],
                  "sat": ["19:00-03:00"], "sun": ["03:30-04:00", "22:00-23:30"]},
        "holidays": [{"month": 7, "day": 4}, {"rule": "nth_weekday", "month": 11,
                                               "weekday": "sun", "n": 1}],
    }),
    make("lord-howe", {  # a half-hour clock change
        "timezone": "Australia/Lord_Howe",
        "hours": {d: ["01:00-03:00", "09:00-18:00"] for d in ("sat", "sun", "mon")},
    }),
]

_TRAPS = [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC),
          datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC),
          datetime(2026, 4, 4, 15, 30, tzinfo=UTC), datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
          datetime(2026, 12, 31, 23, tzinfo=UTC), datetime(2026, 12, 25, 0, tzinfo=UTC),
          datetime(2026, 3, 30, 9, tzinfo=UTC), datetime(2026, 4, 27, 0, tzinfo=UTC)]
_LO, _HI = to_us(datetime(2025, 11, 1, tzinfo=UTC)), to_us(datetime(2027, 3, 1, tzinfo=UTC))

instants = st.one_of(
    st.integers(_LO, _HI),
    st.builds(lambda base, offset: to_us(base) + offset, st.sampled_from(_TRAPS),
              st.integers(-50 * HOUR_US, 50 * HOUR_US)),
    st.builds(lambda base, minutes: to_us(base) + minutes * MINUTE_US,
              st.sampled_from(_TRAPS), st.integers(-72 * 60, 72 * 60)),
)
amounts = st.one_of(st.integers(0, 300 * HOUR_US), st.integers(0, 5 * HOUR_US),
                    st.sampled_from([1, MINUTE_US, HOUR_US, 8 * HOUR_US]))


def _wall(us: int, calendar: Calendar) -> datetime:
    return from_us(us, calendar.zone).replace(tzinfo=None, fold=0)


def wall_instant(calendar: Calendar, day: date, minute: int) -> int:
    """The first instant the clock shows `minute` past midnight of `day`; in a gap, the
    instant the clock jumps past it (found minute by minute, not by bisection)."""
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    options = sorted(to_us(wall.replace(tzinfo=calendar.zone, fold=f)) for f in (0, 1))
    for us in options:
        if _wall(us, calendar) == wall:
            return us
    us = options[0] - options[0] % MINUTE_US
    while _wall(us, calendar) < wall:
        us += MINUTE_US
    return us


def reference_intervals(calendar: Calendar, lo: int, hi: int) -> list[tuple[int, int]]:
    """Business intervals inside [lo, hi), by walking the local dates one by one."""
    out: list[tuple[int, int]] = []
    day = from_us(lo, calendar.zone).date() - DAY
    last = from_us(hi, calendar.zone).date() + DAY
    cuts = [(to_us(w.start), to_us(w.end)) for w in calendar.exclusions]
    while day <= last:
        if calendar.holiday_name(day) is None:
            for first, end in calendar.weekly.minutes(day.weekday()):
                pieces = [(wall_instant(calendar, day, first), wall_instant(calendar, day, end))]
                for cut_start, cut_end in cuts:
                    pieces = [part for s, e in pieces
                              for part in ((s, min(e, cut_start)), (max(s, cut_end), e))]
                out += [(max(s, lo), min(e, hi)) for s, e in pieces if max(s, lo) < min(e, hi)]
        day += DAY
    return sorted(out)


def reference_between(calendar: Calendar, lo: int, hi: int) -> int:
    return sum(e - s for s, e in reference_intervals(calendar, lo, hi)) if hi > lo else 0


def reference_advance(calendar: Calendar, start: int, amount: int) -> int:
    """Earliest instant with `amount` business µs after `start`, a month of dates at a time."""
    lo, left = start, amount
    while True:
        hi = lo + 31 * 24 * HOUR_US
        for s, e in reference_intervals(calendar, lo, hi):
            if e - s >= left:
                return s + left
            left -= e - s
        lo = hi


def at(us: int) -> datetime:
    return from_us(us)


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(CALENDARS), instants, instants)
def test_elapsed_business_time_equals_the_day_by_day_count(calendar: Calendar, a: int,
                                                           b: int) -> None:
    lo, hi = min(a, b), max(a, b)
    assert calendar.business_microseconds(at(lo), at(hi)) == reference_between(calendar, lo, hi)
    assert calendar.business_us(lo, hi) == reference_between(calendar, lo, hi)
    assert calendar.business_microseconds(at(hi), at(lo)) == 0


@settings(max_examples=120, deadline=None)
@given(st.sampled_from(CALENDARS), instants, amounts)
def test_adding_business_time_equals_the_day_by_day_walk(calendar: Calendar, start: int,
                                                         amount: int) -> None:
    expected = reference_advance(calendar, start, amount) if amount else start
    assert to_us(calendar.add_business_microseconds(at(start), amount)) == expected
