"""The `holidays` list of a calendar spec: entries to rules; impossible and duplicate dates."""

from __future__ import annotations

from typing import Any

from csi_rules.calendars.country import check_country
from csi_rules.calendars.date_text import days_in_month_message, parse_date
from csi_rules.calendars.holiday_rules import (
    CountryHolidays,
    EasterOffset,
    FixedDate,
    HolidayRule,
    NthWeekday,
    Yearly,
    rule_key,
)
from csi_rules.calendars.issues import CalendarError, CalendarIssue, Pointer
from csi_rules.calendars.schema_issues import holiday_form
from csi_rules.calendars.spans import WEEKDAYS

_N_VALUES = (1, 2, 3, 4, 5, -1, -2, -3, -4, -5)


def _int(item: dict[str, Any], key: str, lo: int, hi: int) -> int | None:
    value = item.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi:
        return value
    return None


def _name(item: dict[str, Any]) -> str:
    return item["name"] if isinstance(item.get("name"), str) else ""


def _parse_one(item: Any, where: Pointer, issues: list[CalendarIssue]) -> HolidayRule | None:
    """One holiday entry; structural faults were reported by the schema, so they are skipped."""
    if isinstance(item, str):
        try:
            return FixedDate(parse_date(item))
        except ValueError as exc:
            issues.append(CalendarIssue(where, str(exc)))
            return None
    if not isinstance(item, dict):
        return None
    form = holiday_form(item)
    if form == "date" and isinstance(item.get("date"), str):
        try:
            return FixedDate(parse_date(item["date"]), _name(item))
        except ValueError as exc:
            issues.append(CalendarIssue((*where, "date"), str(exc)))
            return None
    if form == "yearly":
        month, day = _int(item, "month", 1, 12), _int(item, "day", 1, 31)
        if month is None or day is None:
            return None
        problem = days_in_month_message(None, month, day)
        if problem:
            issues.append(CalendarIssue((*where, "day"), f"impossible date: {problem}, not {day}"))
            return None
        return Yearly(month, day, _name(item))
    if form == "nth_weekday":
        month, n, weekday = _int(item, "month", 1, 12), item.get("n"), item.get("weekday")
        if month is None or n not in _N_VALUES or weekday not in WEEKDAYS:
            return None
        return NthWeekday(month, WEEKDAYS.index(weekday), n, _name(item))
    if form == "easter":
        offset = _int(item, "offset", -63, 63)
        return None if offset is None else EasterOffset(offset, _name(item))
    if form == "country" and isinstance(item.get("country"), str):
        subdivision = item.get("subdivision")
        if subdivision is not None and not isinstance(subdivision, str):
            return None
        try:
            problems = check_country(item["country"], subdivision)
        except CalendarError as exc:
            issues.append(CalendarIssue(where, str(exc)))
            return None
        issues.extend(CalendarIssue((*where, key), message) for key, message in problems)
        return None if problems else CountryHolidays(item["country"], subdivision)
    return None


def parse_holidays(items: Any) -> tuple[list[HolidayRule], list[CalendarIssue]]:
    """Rules in file order, and issues for impossible dates, duplicates and unknown countries."""
    issues: list[CalendarIssue] = []
    if not isinstance(items, list):
        return [], issues
    rules: list[tuple[int, HolidayRule]] = []
    first_at: dict[tuple[object, ...], int] = {}
    for index, item in enumerate(items):
        rule = _parse_one(item, ("holidays", index), issues)
        if rule is None:
            continue
        key = rule_key(rule)
        if key in first_at:
            issues.append(CalendarIssue(
                ("holidays", index),
                f"duplicate holiday {rule.describe()} (also at holidays[{first_at[key]}])",
            ))
            continue
        first_at[key] = index
        rules.append((index, rule))
    for index, rule in rules:
        if not isinstance(rule, FixedDate):
            continue
        for other_index, other in rules:
            if isinstance(other, (Yearly, NthWeekday, EasterOffset)) and rule.day in other.dates(
                rule.day.year
            ):
                issues.append(CalendarIssue(
                    ("holidays", index),
                    f"duplicate holiday {rule.describe()}: already covered by "
                    f"{other.describe()} (holidays[{other_index}])",
                ))
                break
    issues.sort(key=lambda i: tuple(map(str, i.pointer)))
    return [rule for _, rule in rules], issues
