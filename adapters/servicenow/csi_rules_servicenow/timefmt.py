"""ServiceNow's time strings: `yyyy-MM-dd HH:mm:ss` in UTC for date-times, `1970-01-01 HH:mm:ss`
(time since the epoch) for durations. Only raw values are parsed: display values are in the
session user's time zone and format, so the adapter never reads times from them.
"""

from __future__ import annotations

from datetime import UTC, datetime

FORMAT = "%Y-%m-%d %H:%M:%S"


def parse_time(text: str) -> datetime | None:
    """A Table API date-time value as an aware UTC datetime; None for ""."""
    if not text:
        return None
    try:
        return datetime.strptime(text, FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)


def format_time(moment: datetime) -> str:
    """An aware datetime as a literal UTC query value (literals in queries are read as UTC)."""
    return moment.astimezone(UTC).strftime(FORMAT)


def iso(text: str) -> str | None:
    moment = parse_time(text)
    return moment.isoformat() if moment else None


def duration_seconds(text: str) -> float | None:
    """`1970-01-03 04:05:06` -> 187506.0; None for ""."""
    moment = parse_time(text)
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() if moment else None
