"""Holidays: fixed dates and yearly rules, each producing the dates it covers in a given year.

A holiday removes one whole local calendar date from business time, including the part of an
overnight span from the previous evening that runs into it.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from csi_rules.calendars.country import country_holidays
from csi_rules.calendars.spans import WEEKDAYS

ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last", -2: "2nd-last",
            -3: "3rd-last", -4: "4th-last", -5: "5th-last"}


def easter_sunday(year: int) -> date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


@dataclass(frozen=True)
class FixedDate:
    """One date, once: "2026-12-24"."""

    day: date
    name: str = ""

    def dates(self, year: int) -> dict[date, str]:
        return {self.day: self.name or "holiday"} if self.day.year == year else {}

    def describe(self) -> str:
        return self.day.isoformat()


@dataclass(frozen=True)
class Yearly:
    """The same month and day every year; February 29 only falls in leap years."""

    month: int
    day: int
    name: str = ""

    def dates(self, year: int) -> dict[date, str]:
        if self.day > _stdlib_calendar.monthrange(year, self.month)[1]:
            return {}
        return {date(year, self.month, self.day): self.name or "holiday"}

    def describe(self) -> str:
        return f"{_stdlib_calendar.month_name[self.month]} {self.day} every year"


@dataclass(frozen=True)
class NthWeekday:
    """The n-th given weekday of a month (n = -1 for the last), e.g. US Thanksgiving."""

    month: int
    weekday: int
    n: int
    name: str = ""

    def dates(self, year: int) -> dict[date, str]:
        days = [d for d in range(1, _stdlib_calendar.monthrange(year, self.month)[1] + 1)
                if date(year, self.month, d).weekday() == self.weekday]
        index = self.n - 1 if self.n > 0 else self.n
        if not -len(days) <= index < len(days):
            return {}
        return {date(year, self.month, days[index]): self.name or "holiday"}

    def describe(self) -> str:
        month = _stdlib_calendar.month_name[self.month]
        return f"{ORDINALS[self.n]} {WEEKDAYS[self.weekday]} of {month}"


@dataclass(frozen=True)
class EasterOffset:
    """A day relative to Western Easter Sunday: -2 Good Friday, 1 Easter Monday, 39 Ascension."""

    offset: int
    name: str = ""

    def dates(self, year: int) -> dict[date, str]:
        return {easter_sunday(year) + timedelta(days=self.offset): self.name or "holiday"}

    def describe(self) -> str:
        return f"Easter Sunday {self.offset:+d} days" if self.offset else "Easter Sunday"


@dataclass(frozen=True)
class CountryHolidays:
    """All public holidays of a country (and subdivision) as the `holidays` package lists them."""

    country: str
    subdivision: str | None = None

    def dates(self, year: int) -> dict[date, str]:
        return country_holidays(self.country, self.subdivision, year)

    def describe(self) -> str:
        sub = f" subdivision {self.subdivision}" if self.subdivision else ""
        return f"public holidays of {self.country}{sub}"


HolidayRule = FixedDate | Yearly | NthWeekday | EasterOffset | CountryHolidays


def rule_key(rule: HolidayRule) -> tuple[object, ...]:
    """Two rules with the same key cover the same dates (names do not matter)."""
    if isinstance(rule, CountryHolidays):
        return (type(rule).__name__, rule.country, rule.subdivision)
    values = [getattr(rule, f) for f in rule.__dataclass_fields__ if f != "name"]
    return (type(rule).__name__, *values)


@dataclass(frozen=True)
class HolidaySet:
    """Every holiday rule of a calendar; `dates(year)` is the union, first name listed wins."""

    rules: tuple[HolidayRule, ...] = ()
    _cache: dict[int, dict[date, str]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def dates(self, year: int) -> dict[date, str]:
        found = self._cache.get(year)
        if found is None:
            found = {}
            for rule in self.rules:
                for day, name in rule.dates(year).items():
                    found.setdefault(day, name)
            self._cache[year] = found
        return found

    def name_of(self, day: date) -> str | None:
        """The holiday's name if `day` is a holiday, else None."""
        return self.dates(day.year).get(day)
