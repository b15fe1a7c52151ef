"""Recurring holiday rules produce the right dates."""

from __future__ import annotations

from datetime import date

import pytest

from csi_rules.calendars.holiday_rules import (
    CountryHolidays,
    EasterOffset,
    HolidaySet,
    NthWeekday,
    Yearly,
    easter_sunday,
)


@pytest.mark.parametrize(("year", "easter"), [
    (2000, date(2000, 4, 23)), (2019, date(2019, 4, 21)), (2024, date(2024, 3, 31)),
    (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28)),
    (2038, date(2038, 4, 25)), (2285, date(2285, 3, 22)),
])
def test_western_easter(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_nth_and_last_weekday_of_a_month() -> None:
    thanksgiving = NthWeekday(11, 3, 4)
    memorial_day = NthWeekday(5, 0, -1)
    assert list(thanksgiving.dates(2026)) == [date(2026, 11, 26)]
    assert list(memorial_day.dates(2026)) == [date(2026, 5, 25)]
    assert NthWeekday(2, 0, 5).dates(2026) == {}  # February 2026 has four Mondays


def test_february_29_only_in_leap_years() -> None:
    assert Yearly(2, 29).dates(2027) == {}
    assert list(Yearly(2, 29).dates(2028)) == [date(2028, 2, 29)]


def test_easter_relative_days() -> None:
    assert list(EasterOffset(-2).dates(2026)) == [date(2026, 4, 3)]
    assert list(EasterOffset(39).dates(2026)) == [date(2026, 5, 14)]


def test_first_listed_name_wins_and_country_days_are_included() -> None:
    holidays = HolidaySet((Yearly(12, 25, "Kerst"), CountryHolidays("NL")))
    assert holidays.name_of(date(2026, 12, 25)) == "Kerst"
    assert holidays.name_of(date(2026, 4, 27)) == "King's Day"
    assert holidays.name_of(date(2026, 4, 28)) is None
