"""Algebraic laws of business time, checked with hypothesis on calendars with traps in them.

Everything is compared in integer microseconds (exact); the float API is checked against it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csi_rules.calendars import TWENTY_FOUR_SEVEN, Calendar, parse_calendar
from csi_rules.calendars.instants import from_us, to_us
from csi_rules.calendars.spans import MINUTES_PER_DAY, WEEKDAYS, parse_span

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")


def make(name: str, spec: dict[str, Any]) -> Calendar:
    calendar, issues = parse_calendar(spec, name=name)
    assert issues == [] and calendar is not None
    return calendar


SPECS: dict[str, dict[str, Any]] = {
    "amsterdam-office": {
        "timezone": "Europe/Amsterdam",
        "hours": {**{d: ["08:30-12:00", "13:00-17:30"] for d in WORKDAYS},
                  "fri": ["08:30-12:00", "13:00-17:30", "22:00-06:00"]},
        "holidays": [{"month": 12, "day": 25}, {"month": 1, "day": 1}, "2026-03-30",
                     {"rule": "easter", "offset": 1}],
        "exclusions": [
            {"name": "patch", "start": "2026-03-10T11:00:00+01:00",
             "end": "2026-03-10T14:00:00+01:00"},
            {"name": "freeze", "kind": "freeze", "start": "2026-12-20T00:00:00+01:00",
             "end": "2027-01-04T00:00:00+01:00"},
        ],
    },
    "new-york-helpdesk": {
        "timezone": "America/New_York",
        "hours": {**{d: ["07:00-19:00"] for d in WORKDAYS}, "sun": ["22:00-02:00"]},
        "holidays": [{"rule": "nth_weekday", "month": 11, "weekday": "thu", "n": 4},
                     {"month": 7, "day": 4}],
    },
    "amsterdam-night-owls": {  # spans inside the hour the clocks change
        "timezone": "Europe/Amsterdam",
        "hours": {d: ["01:00-02:15", "02:30-04:00", "23:30-00:30"] for d in WEEKDAYS},
    },
    "santiago-weekends": {  # the clock skips midnight
        "timezone": "America/Santiago",
        "hours": {"sat": ["00:00-24:00"], "sun": ["00:00-24:00"]},
    },
}
CALENDARS = [TWENTY_FOUR_SEVEN, *(make(n, s) for n, s in SPECS.items())]

_TRAPS = [datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC),
          datetime(2026, 3, 8, 7, tzinfo=UTC), datetime(2026, 11, 1, 6, tzinfo=UTC),
          datetime(2026, 9, 6, 4, tzinfo=UTC), datetime(2026, 12, 31, 23, tzinfo=UTC),
          datetime(2026, 3, 10, 10, tzinfo=UTC), datetime(2026, 12, 25, 0, tzinfo=UTC)]
_LO, _HI = to_us(datetime(2025, 12, 1, tzinfo=UTC)), to_us(datetime(2027, 2, 1, tzinfo=UTC))
HOUR_US = 3_600_000_000

instants = st.one_of(
    st.integers(_LO, _HI),
    st.builds(lambda base, offset: to_us(base) + offset, st.sampled_from(_TRAPS),
              st.integers(-30 * HOUR_US, 30 * HOUR_US)),
    st.builds(lambda base, minutes: to_us(base) + minutes * 60_000_000,
              st.sampled_from(_TRAPS), st.integers(-48 * 60, 48 * 60)),
)
durations = st.one_of(st.integers(0, 400 * HOUR_US), st.integers(0, 10_000_000),
                      st.sampled_from([0, 1, HOUR_US, 8 * HOUR_US]))
zones: list[tzinfo] = [UTC, ZoneInfo("Europe/Amsterdam"), ZoneInfo("America/New_York"),
                       ZoneInfo("Asia/Kolkata")]
calendars = st.sampled_from(CALENDARS)
PROPERTY = settings(max_examples=150, deadline=None)


def at(us: int, zone: tzinfo = UTC) -> datetime:
    return from_us(us, zone)


@PROPERTY
@given(calendars, st.lists(instants, min_size=3, max_size=3))
def test_additivity(calendar: Calendar, points: list[int]) -> None:
    a, b, c = (at(p) for p in sorted(points))
    whole = calendar.business_microseconds(a, c)
    assert whole == calendar.business_microseconds(a, b) + calendar.business_microseconds(b, c)
    assert abs(calendar.business_seconds(a, c) - calendar.business_seconds(a, b)
               - calendar.business_seconds(b, c)) < 1e-6


@PROPERTY
@given(calendars, instants, instants, st.integers(0, 48 * HOUR_US))
def test_elapsed_time_is_monotonic_and_bounded_by_real_time(
    calendar: Calendar, start: int, end: int, extra: int
) -> None:
    base = calendar.business_microseconds(at(start), at(end))
    assert 0 <= base <= max(end - start, 0)
    assert calendar.business_microseconds(at(start), at(end + extra)) >= base
    assert calendar.business_microseconds(at(start - extra), at(end)) >= base


@PROPERTY
@given(calendars, instants, durations, durations)
def test_adding_is_monotonic_in_the_amount(calendar: Calendar, start: int, n: int, m: int) -> None:
    small, large = sorted((n, m))
    s = at(start)
    assert to_us(calendar.add_business_microseconds(s, small)) <= to_us(
        calendar.add_business_microseconds(s, large)
    )


@PROPERTY
@given(calendars, instants, instants, durations)
def test_adding_is_monotonic_in_the_start(calendar: Calendar, a: int, b: int, n: int) -> None:
    early, late = sorted((a, b))
    assert to_us(calendar.add_business_microseconds(at(early), n)) <= to_us(
        calendar.add_business_microseconds(at(late), n)
    )


@PROPERTY
@given(calendars, instants, durations, st.sampled_from(zones))
def test_elapsed_time_undoes_adding(calendar: Calendar, start: int, n: int, zone: tzinfo) -> None:
    s = at(start, zone)
    end = calendar.add_business_microseconds(s, n)
    assert calendar.business_microseconds(s, end) == n
    assert abs(calendar.business_seconds(s, calendar.add_business_seconds(s, n / 1e6)) - n / 1e6
               ) < 1e-6
    if n:  # and it is the earliest such instant (step back in UTC: zoned datetime
        # arithmetic is wall-clock arithmetic and would jump an hour at a fold)
        assert calendar.business_microseconds(s, at(to_us(end) - 1)) == n - 1


@PROPERTY
@given(calendars, instants, instants)
def test_adding_the_elapsed_time_lands_at_or_before_the_end(
    calendar: Calendar, a: int, b: int
) -> None:
    s, e = at(min(a, b)), at(max(a, b))
    elapsed = calendar.business_microseconds(s, e)
    landed = calendar.add_business_microseconds(s, elapsed)
    assert to_us(landed) <= to_us(e)
    assert calendar.business_microseconds(landed, e) == 0
    if elapsed:
        assert calendar.business_microseconds(s, at(to_us(landed) - 1)) < elapsed


@PROPERTY
@given(calendars, instants)
def test_next_business_instant_agrees_with_is_business_time(calendar: Calendar, t: int) -> None:
    now = at(t)
    following = calendar.next_business_instant(now)
    assert (to_us(following) == t) == calendar.is_business_time(now)
    assert calendar.is_business_time(following)
    assert calendar.business_microseconds(now, following) == 0
    assert calendar.business_microseconds(now, at(t + 1)) == int(calendar.is_business_time(now))


@PROPERTY
@given(calendars, instants, instants)
def test_intervals_add_up_to_the_elapsed_time(calendar: Calendar, a: int, b: int) -> None:
    s, e = at(min(a, b)), at(max(a, b))
    pieces = list(calendar.business_intervals(s, e))
    assert sum(to_us(hi) - to_us(lo) for lo, hi in pieces) == calendar.business_microseconds(s, e)
    assert all(calendar.is_business_time(lo) for lo, _ in pieces)


def _is_change_day(zone: tzinfo, day: date) -> bool:
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=zone)
    before, after = noon - timedelta(days=1), noon + timedelta(days=1)
    return len({before.utcoffset(), noon.utcoffset(), after.utcoffset()}) > 1


def _open_by_wall_clock(calendar: Calendar, spec: dict[str, Any], t: datetime) -> bool:
    """Oracle straight from the spec text: is the local wall-clock time inside a span?"""
    local = t.astimezone(calendar.zone)
    minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
    today, yesterday = local.weekday(), (local.weekday() - 1) % 7
    if calendar.holiday_name(local.date()) is not None or calendar.exclusion_at(t):
        return False
    for day, texts in spec["hours"].items():
        for span in map(parse_span, texts):
            if WEEKDAYS.index(day) == today and span.start <= minute < min(span.end, 1440):
                return True
            if WEEKDAYS.index(day) == yesterday and minute < span.end - MINUTES_PER_DAY:
                return True
    return False


@PROPERTY
@given(st.sampled_from(sorted(SPECS)), instants)
def test_business_time_matches_the_wall_clock_away_from_clock_changes(name: str, t: int) -> None:
    calendar = next(c for c in CALENDARS if c.name == name)
    now = at(t)
    local_day = now.astimezone(calendar.zone).date()
    if _is_change_day(calendar.zone, local_day):
        return
    assert calendar.is_business_time(now) == _open_by_wall_clock(calendar, SPECS[name], now)


_GRID = st.integers(0, 96).map(lambda q: q * 15)


@st.composite
def generated_calendars(draw: st.DrawFn) -> Calendar:
    """Random weekly hours (0-2 spans a day, one maybe overnight) in a zone with clock changes."""
    hours: dict[str, list[str]] = {}
    for day in WEEKDAYS:
        cuts = sorted(draw(st.sets(_GRID, max_size=4)))
        spans = [f"{c // 60:02d}:{c % 60:02d}" for c in cuts]
        texts = [f"{a}-{b}" for a, b in zip(spans[::2], spans[1::2], strict=False)]
        if texts:
            hours[day] = texts
    if not hours:
        hours["wed"] = ["10:00-11:00"]
    if draw(st.booleans()) and "sat" not in hours and "fri" in hours:
        last = parse_span(hours["fri"][-1]).end
        if last < 22 * 60:
            hours["fri"].append("22:00-03:00")
    zone = draw(st.sampled_from(["Europe/Amsterdam", "America/New_York", "America/Santiago",
                                 "Australia/Lord_Howe", "UTC"]))
    return make("generated", {"timezone": zone, "hours": hours})


@settings(max_examples=60, deadline=None)
@given(generated_calendars(), st.lists(instants, min_size=2, max_size=2), durations)
def test_laws_hold_for_generated_calendars(calendar: Calendar, points: list[int], n: int) -> None:
    s, e = (at(p) for p in sorted(points))
    elapsed = calendar.business_microseconds(s, e)
    assert calendar.business_microseconds(s, calendar.add_business_microseconds(s, n)) == n
    assert to_us(calendar.add_business_microseconds(s, elapsed)) <= to_us(e)
    middle = at((to_us(s) + to_us(e)) // 2)
    assert elapsed == (calendar.business_microseconds(s, middle)
                       + calendar.business_microseconds(middle, e))
