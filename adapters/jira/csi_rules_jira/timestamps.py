"""Jira's timestamp formats: `2021-01-17T12:34:00.000+0000` on issues, DateDTO on JSM."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_jira_datetime(text: str) -> datetime:
    """A Jira timestamp (offset as `+hhmm` or `+hh:mm`) as an aware datetime."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def iso(text: Any) -> str | None:
    """A Jira timestamp or date as ISO 8601 in UTC (so history sorts by time); None stays None."""
    if text is None or text == "":
        return None
    if isinstance(text, int | float) and not isinstance(text, bool):  # epoch milliseconds
        return datetime.fromtimestamp(text / 1000, UTC).isoformat()
    if isinstance(text, str) and len(text) == 10:  # a date-only field (yyyy-MM-dd)
        return f"{text}T00:00:00+00:00"
    return parse_jira_datetime(str(text)).astimezone(UTC).isoformat()


def date_dto(dto: Any) -> str | None:
    """A JSM DateDTO (`{iso8601, jira, friendly, epochMillis}`) as ISO 8601."""
    if not isinstance(dto, dict):
        return None
    if dto.get("epochMillis") is not None:
        return datetime.fromtimestamp(int(dto["epochMillis"]) / 1000, UTC).isoformat()
    return iso(dto.get("jira") or dto.get("iso8601"))
