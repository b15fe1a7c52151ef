"""Hand-computed business time: ordinary weeks, holidays, overnight spans, year ends, exclusions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from csi_rules.calendars import (
    TWENTY_FOUR_SEVEN,
    Calendar,
    CalendarError,
    ExclusionWindow,
    builtin_calendar,
    parse_calendar,
)

AMS = ZoneInfo("Europe/Amsterdam")
HOUR = 3600.0


def ams(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)  # type: ignore[arg-type, misc]  # *args are the int fields


def office_hours(span: str, days: str = "mon tue wed thu fri") -> dict[str, list[str]]:
    return {day: [span] for day in days.split()}


def make_calendar(spec: dict[str, Any]) -> Calendar:
    calendar, issues = parse_calendar(spec, name="test")
    assert issues == []
    assert calendar is not None
    return calendar


def test_elapsed_business_time_within_one_day(amsterdam_office: Calendar) -> None:
    assert amsterdam_office.business_seconds(ams(2026, 3, 10, 8), ams(2026, 3, 10, 12, 30)) == (
        3.5 * HOUR
    )


def test_end_not_after_start_counts_nothing(amsterdam_office: Calendar) -> None:
    t = ams(2026, 3, 10, 10)
    assert amsterdam_office.business_seconds(t, t) == 0
    assert amsterdam_office.business_seconds(t, t - timedelta(hours=1)) == 0


def test_weekend_is_skipped_both_ways(amsterdam_office: Calendar) -> None:
    fri_4pm, mon_10am = ams(2026, 3, 13, 16), ams(2026, 3, 16, 10)
    assert amsterdam_office.business_seconds(fri_4pm, mon_10am) == 2 * HOUR
    assert amsterdam_office.add_business_seconds(fri_4pm, 2 * HOUR) == mon_10am


def test_target_reached_at_closing_time_is_closing_time_not_next_opening(
    amsterdam_office: Calendar,
) -> None:
    start = ams(2026, 3, 9, 9)
    assert amsterdam_office.add_business_seconds(start, 8 * HOUR) == ams(2026, 3, 9, 17)
    assert amsterdam_office.add_business_seconds(start, 8 * HOUR + 1) == ams(2026, 3, 10, 9, 0, 1)


def test_adding_zero_returns_the_start_even_outside_business_hours(
    amsterdam_office: Calendar,
) -> None:
    saturday = ams(2026, 3, 14, 12)
    assert amsterdam_office.add_business_seconds(saturday, 0) is saturday
    assert amsterdam_office.add_business_seconds(saturday, 1) == ams(2026, 3, 16, 9, 0, 1)


def test_results_come_back_in_the_tzinfo_passed_in(amsterdam_office: Calendar) -> None:
    start = datetime(2026, 3, 13, 15, tzinfo=UTC)  # Friday 16:00 in Amsterdam
    result = amsterdam_office.add_business_seconds(start, 2 * HOUR)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 3, 16, 9, tzinfo=UTC)


def test_christmas_holidays_are_not_business_time(amsterdam_office: Calendar) -> None:
    # Thursday 2026-12-24 16:00 -> Monday 12-28 10:00: Fri 25 and Sat 26 are holidays anyway
    assert amsterdam_office.business_seconds(ams(2026, 12, 24, 16), ams(2026, 12, 28, 10)) == (
        2 * HOUR
    )
    # 2025: Christmas on Thursday, Boxing Day on Friday
    assert amsterdam_office.business_seconds(ams(2025, 12, 24, 9), ams(2025, 12, 29, 9)) == (
        8 * HOUR
    )
    assert amsterdam_office.next_business_instant(ams(2025, 12, 24, 17)) == ams(2025, 12, 29, 9)
    assert amsterdam_office.holiday_name(datetime(2025, 12, 26).date()) == "Boxing Day"


def test_country_holidays_from_the_holidays_package() -> None:
    calendar = make_calendar({"timezone": "Europe/Amsterdam", "hours": office_hours("09:00-17:00"),
                              "holidays": [{"country": "NL"}]})
    # Monday 2026-04-27 is King's Day
    assert calendar.business_seconds(ams(2026, 4, 24, 16), ams(2026, 4, 28, 10)) == 2 * HOUR
    assert calendar.holiday_name(datetime(2026, 4, 27).date()) == "King's Day"


@pytest.fixture(scope="module")
def friday_night_shift() -> Calendar:
    hours = office_hours("09:00-17:00")
    hours["fri"] = ["09:00-17:00", "22:00-06:00"]
    return make_calendar({"timezone": "Europe/Amsterdam", "hours": hours,
                          "holidays": ["2026-03-21"]})


def test_overnight_span_runs_into_saturday(friday_night_shift: Calendar) -> None:
    fri, sat = (2026, 3, 13), (2026, 3, 14)
    assert friday_night_shift.business_seconds(ams(*fri, 21), ams(*sat, 12)) == 8 * HOUR
    assert friday_night_shift.is_business_time(ams(*sat, 5, 59))
    assert not friday_night_shift.is_business_time(ams(*sat, 6))
    assert friday_night_shift.add_business_seconds(ams(*fri, 16), 2 * HOUR) == ams(*fri, 23)


def test_holiday_on_saturday_cuts_the_overnight_span_at_midnight(
    friday_night_shift: Calendar,
) -> None:
    fri, sat = (2026, 3, 20), (2026, 3, 21)  # Saturday 21 March is a holiday
    assert friday_night_shift.business_seconds(ams(*fri, 21), ams(*sat, 12)) == 2 * HOUR
    assert not friday_night_shift.is_business_time(ams(*sat, 1))


def test_sunday_overnight_span_wraps_into_monday() -> None:
    calendar = make_calendar({"timezone": "UTC", "hours": {"sun": ["22:00-06:00"]}})
    sun = datetime(2026, 3, 15, 21, tzinfo=UTC)
    assert calendar.business_seconds(sun, sun + timedelta(days=1)) == 8 * HOUR
    assert calendar.is_business_time(datetime(2026, 3, 16, 5, tzinfo=UTC))


def test_year_end_overnight_span_and_new_years_day() -> None:
    # 2026-12-31 is a Thursday; its night shift runs into Friday 2027-01-01
    spec = {"timezone": "Europe/Amsterdam", "hours": {"thu": ["22:00-06:00"]}}
    calendar = make_calendar(spec)
    assert calendar.business_seconds(ams(2026, 12, 31, 21), ams(2027, 1, 1, 12)) == 8 * HOUR
    assert calendar.add_business_seconds(ams(2026, 12, 31, 23), 3 * HOUR) == ams(2027, 1, 1, 2)
    with_new_year = make_calendar({**spec, "holidays": [{"month": 1, "day": 1}]})
    assert with_new_year.business_seconds(ams(2026, 12, 31, 21), ams(2027, 1, 1, 12)) == 2 * HOUR
    # the next shift is Thursday 2027-01-07 22:00
    assert with_new_year.add_business_seconds(ams(2026, 12, 31, 23), 3 * HOUR) == ams(
        2027, 1, 8, 0
    )


def test_round_the_clock_calendar_across_a_year_end_with_a_holiday() -> None:
    calendar = make_calendar({"timezone": "Europe/Amsterdam",
                              "hours": office_hours("00:00-24:00", "mon tue wed thu fri sat sun"),
                              "holidays": [{"month": 1, "day": 1}]})
    assert calendar.business_seconds(ams(2026, 12, 31, 20), ams(2027, 1, 2, 4)) == 8 * HOUR
    assert calendar.add_business_seconds(ams(2026, 12, 31, 20), 5 * HOUR) == ams(2027, 1, 2, 1)


def test_exclusion_window_in_the_middle_of_a_day() -> None:
    calendar = make_calendar({
        "timezone": "Europe/Amsterdam",
        "hours": office_hours("09:00-17:00"),
        "exclusions": [{"name": "core-switch upgrade", "kind": "maintenance",
                        "start": "2026-03-10T12:00:00+01:00", "end": "2026-03-10T13:30:00+01:00"}],
    })
    assert calendar.business_seconds(ams(2026, 3, 10, 9), ams(2026, 3, 10, 17)) == 6.5 * HOUR
    assert calendar.add_business_seconds(ams(2026, 3, 10, 11), 1.5 * HOUR) == ams(2026, 3, 10, 14)
    assert not calendar.is_business_time(ams(2026, 3, 10, 12, 30))
    assert calendar.next_business_instant(ams(2026, 3, 10, 12, 30)) == ams(2026, 3, 10, 13, 30)
    window = calendar.exclusion_at(ams(2026, 3, 10, 12, 30))
    assert window is not None and window.name == "core-switch upgrade"


def test_exclusions_added_later_leave_the_original_calendar_alone(
    amsterdam_office: Calendar,
) -> None:
    freeze = ExclusionWindow("release freeze", ams(2026, 3, 11, 0), ams(2026, 3, 12, 12),
                             kind="freeze")
    frozen = amsterdam_office.with_exclusions([freeze])
    week = (ams(2026, 3, 9), ams(2026, 3, 14))
    assert amsterdam_office.business_seconds(*week) == 40 * HOUR
    assert frozen.business_seconds(*week) == 40 * HOUR - 8 * HOUR - 3 * HOUR
    assert frozen.exclusions == (freeze,)


def test_overlapping_exclusions_are_not_subtracted_twice(amsterdam_office: Calendar) -> None:
    windows = [ExclusionWindow("a", ams(2026, 3, 10, 10), ams(2026, 3, 10, 12)),
               ExclusionWindow("b", ams(2026, 3, 10, 11), ams(2026, 3, 10, 13))]
    calendar = amsterdam_office.with_exclusions(windows)
    assert calendar.business_seconds(ams(2026, 3, 10, 9), ams(2026, 3, 10, 17)) == 5 * HOUR


def test_round_the_clock_builtin_counts_real_elapsed_time() -> None:
    start = ams(2026, 3, 28, 12)
    end = ams(2026, 3, 29, 12)  # spring forward in between: 23 real hours
    assert TWENTY_FOUR_SEVEN.business_seconds(start, end) == 23 * HOUR
    assert TWENTY_FOUR_SEVEN.add_business_seconds(start, 23 * HOUR) == end
    assert TWENTY_FOUR_SEVEN.is_business_time(start)
    assert TWENTY_FOUR_SEVEN.next_business_instant(start) == start
    big = TWENTY_FOUR_SEVEN.business_seconds(datetime(2020, 1, 1, tzinfo=UTC),
                                             datetime(2030, 1, 1, tzinfo=UTC))
    assert big == (datetime(2030, 1, 1) - datetime(2020, 1, 1)).total_seconds()


def test_fractional_seconds_are_kept_to_the_microsecond(amsterdam_office: Calendar) -> None:
    start = ams(2026, 3, 10, 16, 59, 59)
    end = amsterdam_office.add_business_seconds(start, 1.25)
    assert end == ams(2026, 3, 11, 9, 0, 0, 250000)
    assert amsterdam_office.business_microseconds(start, end) == 1_250_000


def test_business_intervals_explain_where_the_time_went(amsterdam_office: Calendar) -> None:
    spans = list(amsterdam_office.business_intervals(ams(2026, 3, 13, 16), ams(2026, 3, 16, 10)))
    assert spans == [(ams(2026, 3, 13, 16), ams(2026, 3, 13, 17)),
                     (ams(2026, 3, 16, 9), ams(2026, 3, 16, 10))]


def test_naive_datetimes_are_refused(amsterdam_office: Calendar) -> None:
    naive = datetime(2026, 3, 10, 10)
    aware = ams(2026, 3, 10, 10)
    with pytest.raises(ValueError, match="naive"):
        amsterdam_office.business_seconds(naive, aware)
    with pytest.raises(ValueError, match="naive"):
        amsterdam_office.business_seconds(aware, naive)
    with pytest.raises(ValueError, match="naive"):
        amsterdam_office.add_business_seconds(naive, 60)
    with pytest.raises(ValueError, match="naive"):
        amsterdam_office.is_business_time(naive)
    with pytest.raises(ValueError, match="naive"):
        amsterdam_office.next_business_instant(naive)


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_negative_or_non_finite_amounts_are_refused(
    amsterdam_office: Calendar, bad: float
) -> None:
    with pytest.raises(ValueError, match="business seconds"):
        amsterdam_office.add_business_seconds(ams(2026, 3, 10, 10), bad)


def test_any_tzinfo_means_the_same_instant(amsterdam_office: Calendar) -> None:
    plus_five = timezone(timedelta(hours=5))
    a = ams(2026, 3, 13, 16)
    b = ams(2026, 3, 16, 10)
    assert amsterdam_office.business_seconds(a.astimezone(plus_five), b.astimezone(UTC)) == (
        2 * HOUR
    )


def test_calendar_without_any_hours_raises_instead_of_looping() -> None:
    from csi_rules.calendars.spans import WeeklyHours

    never = Calendar("never", "Europe/Amsterdam", WeeklyHours.from_spans({}))
    assert never.business_seconds(ams(2026, 1, 1), ams(2027, 1, 1)) == 0
    assert not never.is_business_time(ams(2026, 1, 1))
    message = "calendar 'never' has no business time: no business hours on any weekday"
    with pytest.raises(CalendarError, match=message):
        never.add_business_seconds(ams(2026, 1, 1), 1)
    with pytest.raises(CalendarError, match=message):
        never.next_business_instant(ams(2026, 1, 1))


def test_exclusions_swallowing_all_business_time_raise_after_ten_empty_years(
    amsterdam_office: Calendar,
) -> None:
    decade = ExclusionWindow("forever", ams(2026, 6, 1), ams(2040, 1, 1), kind="blackout")
    blocked = amsterdam_office.with_exclusions([decade])
    with pytest.raises(CalendarError, match=(
        r"^calendar 'amsterdam-office' has no business time in the years 2027-2036; "
        r"check its holidays and exclusions$"
    )):
        blocked.add_business_seconds(ams(2026, 6, 2), 1)


def test_exclusion_windows_built_in_code_are_checked() -> None:
    with pytest.raises(ValueError, match="naive"):
        ExclusionWindow("w", datetime(2026, 1, 1), ams(2026, 1, 2))
    with pytest.raises(CalendarError, match=(
        r"^exclusion 'w' ends at 2026-01-01T00:00:00\+01:00, "
        r"not after its start 2026-01-02T00:00:00\+01:00$"
    )):
        ExclusionWindow("w", ams(2026, 1, 2), ams(2026, 1, 1))
    with pytest.raises(CalendarError, match="unknown kind 'outage'"):
        ExclusionWindow("w", ams(2026, 1, 1), ams(2026, 1, 2), kind="outage")  # type: ignore[arg-type]  # deliberately wrong


def test_built_in_calendars_by_name() -> None:
    assert builtin_calendar("24x7") is TWENTY_FOUR_SEVEN
    message = r"unknown built-in calendar '24/7'; did you mean '24x7'\?"
    with pytest.raises(CalendarError, match=message):
        builtin_calendar("24/7")
