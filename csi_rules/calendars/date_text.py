"""Dates and date-times written in calendar files, with messages that say what is impossible."""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from datetime import date, datetime

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def days_in_month_message(year: int | None, month: int, day: int) -> str | None:
    """Why (year-)month-day is not a real date, or None when it is."""
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if day < 1:
        return "days of the month start at 1"
    month_name = _stdlib_calendar.month_name[month]
    if year is None:
        most = 29 if month == 2 else _stdlib_calendar.monthrange(2001, month)[1]
        return None if day <= most else f"{month_name} has at most {most} days"
    most = _stdlib_calendar.monthrange(year, month)[1]
    return None if day <= most else f"{month_name} {year} has {most} days"


def parse_date(text: str) -> date:
    """'YYYY-MM-DD' to a date; ValueError with a one-line reason otherwise."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"malformed date {text!r}: expected 'YYYY-MM-DD', e.g. '2026-12-25'")
    year, month, day = (int(g) for g in match.groups())
    problem = days_in_month_message(year, month, day)
    if problem:
        raise ValueError(f"impossible date {text!r}: {problem}")
    return date(year, month, day)


def parse_instant(text: str) -> datetime:
    """ISO 8601 date-time with a UTC offset; ValueError with a one-line reason otherwise."""
    match = _DATE.match(text.strip())
    if match:
        year, month, day = (int(g) for g in match.groups())
        problem = days_in_month_message(year, month, day)
        if problem:
            raise ValueError(f"impossible date-time {text!r}: {problem}")
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"malformed date-time {text!r}: expected ISO 8601 such as "
            "'2026-03-14T22:00:00+01:00'"
        ) from None
    if value.utcoffset() is None:
        raise ValueError(
            f"date-time {text!r} has no UTC offset; append one such as '+01:00' or 'Z'"
        )
    return value
