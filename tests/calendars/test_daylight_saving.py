"""Spans are wall-clock times: spring-forward days are shorter, fall-back days longer.

Europe/Amsterdam 2026: 29 March 02:00 CET -> 03:00 CEST; 25 October 03:00 CEST -> 02:00 CET.
America/New_York 2026: 8 March 02:00 -> 03:00; 1 November 02:00 -> 01:00.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from csi_rules.calendars import Calendar, parse_calendar

AMS = ZoneInfo("Europe/Amsterdam")
NYC = ZoneInfo("America/New_York")
HOUR = 3600.0
EVERY_DAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def ams(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=AMS, fold=fold)  # type: ignore[arg-type, misc]  # *args are the int fields


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[arg-type, misc]  # *args are the int fields


def make_calendar(zone: str, hours: dict[str, list[str]]) -> Calendar:
    calendar, issues = parse_calendar({"timezone": zone, "hours": hours}, name="dst")
    assert issues == [] and calendar is not None
    return calendar


def daily(zone: str, span: str) -> Calendar:
    return make_calendar(zone, {day: [span] for day in EVERY_DAY})


def test_weekend_is_an_hour_short_in_march_and_an_hour_long_in_october() -> None:
    weekends = make_calendar("Europe/Amsterdam", {"sat": ["00:00-24:00"], "sun": ["00:00-24:00"]})
    assert weekends.business_seconds(ams(2026, 3, 28), ams(2026, 3, 30)) == 47 * HOUR
    assert weekends.business_seconds(ams(2026, 10, 24), ams(2026, 10, 26)) == 49 * HOUR
    assert weekends.business_seconds(ams(2026, 3, 21), ams(2026, 3, 23)) == 48 * HOUR


@pytest.mark.parametrize(("span", "march", "october", "ordinary"), [
    ("01:00-04:00", 2, 4, 3),      # contains the changed hour
    ("02:30-05:00", 2, 3.5, 2.5),  # starts inside it: at the jump in March, first 02:30 in October
    ("02:00-03:00", 0, 2, 1),      # is the changed hour
    ("09:00-17:00", 8, 8, 8),      # untouched
])
def test_span_length_on_the_change_days(
    span: str, march: float, october: float, ordinary: float
) -> None:
    calendar = daily("Europe/Amsterdam", span)
    assert calendar.business_seconds(ams(2026, 3, 29), ams(2026, 3, 30)) == march * HOUR
    assert calendar.business_seconds(ams(2026, 10, 25), ams(2026, 10, 26)) == october * HOUR
    assert calendar.business_seconds(ams(2026, 3, 30), ams(2026, 3, 31)) == ordinary * HOUR


def test_adding_across_the_spring_forward_jump() -> None:
    calendar = daily("Europe/Amsterdam", "01:00-04:00")
    # 01:30 CET + 1 business hour = 02:30 CET, which the clock shows as 03:30 CEST
    assert calendar.add_business_seconds(ams(2026, 3, 29, 1, 30), HOUR) == ams(2026, 3, 29, 3, 30)
    # the whole span is used up at 04:00 CEST, two real hours after 01:00 CET
    assert calendar.add_business_seconds(ams(2026, 3, 29, 1), 2 * HOUR) == ams(2026, 3, 29, 4)
    assert calendar.add_business_seconds(ams(2026, 3, 29, 1), 2 * HOUR + 1) == ams(
        2026, 3, 30, 1, 0, 1
    )


def test_span_starting_in_the_skipped_hour_starts_at_the_jump() -> None:
    calendar = daily("Europe/Amsterdam", "02:30-05:00")
    assert calendar.next_business_instant(ams(2026, 3, 29, 1, 45)) == utc(2026, 3, 29, 1)
    assert calendar.next_business_instant(ams(2026, 3, 29, 1, 45)) == ams(2026, 3, 29, 3)


def test_repeated_hour_counts_twice_and_fold_picks_the_instant() -> None:
    calendar = daily("Europe/Amsterdam", "01:00-04:00")
    first, second = ams(2026, 10, 25, 2, 30, fold=0), ams(2026, 10, 25, 2, 30, fold=1)
    assert calendar.business_seconds(first, second) == HOUR
    assert calendar.add_business_seconds(first, HOUR).utcoffset() == second.utcoffset()
    assert calendar.business_seconds(ams(2026, 10, 25, 1), ams(2026, 10, 25, 4)) == 4 * HOUR


def test_new_york_office_when_its_clock_changes() -> None:
    helpdesk = make_calendar("America/New_York",
                             {d: ["08:00-20:00"] for d in ("mon", "tue", "wed", "thu", "fri")})
    # Thu 5 Mar 19:00 EST .. Mon 9 Mar 20:00 EDT: 1 + 12 + 12 hours
    assert helpdesk.business_seconds(utc(2026, 3, 6), utc(2026, 3, 10)) == 25 * HOUR
    # Thu 29 Oct 20:00 EDT .. Mon 2 Nov 19:00 EST: 0 + 12 + 11 hours
    assert helpdesk.business_seconds(utc(2026, 10, 30), utc(2026, 11, 3)) == 23 * HOUR


def test_new_york_calendar_read_from_amsterdam_while_only_the_us_has_switched() -> None:
    helpdesk = make_calendar("America/New_York",
                             {d: ["08:00-20:00"] for d in ("mon", "tue", "wed", "thu", "fri")})
    # 13 March: New York is on EDT (UTC-4), Amsterdam still on CET (UTC+1): 5 hours apart
    result = helpdesk.add_business_seconds(ams(2026, 3, 13, 23), HOUR)
    assert result == ams(2026, 3, 14, 0)
    assert result.tzinfo is AMS
    assert helpdesk.is_business_time(ams(2026, 3, 14, 0, 59))
    assert not helpdesk.is_business_time(ams(2026, 3, 14, 1))


def test_zone_that_skips_midnight() -> None:
    # America/Santiago, 6 Sep 2026: the clock jumps from 24:00 Saturday to 01:00 Sunday
    sundays = make_calendar("America/Santiago", {"sun": ["00:00-24:00"]})
    assert sundays.business_seconds(utc(2026, 9, 5), utc(2026, 9, 8)) == 23 * HOUR
    assert sundays.next_business_instant(utc(2026, 9, 6, 3, 30)) == utc(2026, 9, 6, 4)
