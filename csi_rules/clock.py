"""Where "now" comes from. Library code takes `now` as an argument; only the CLI reads the clock."""

from __future__ import annotations

from datetime import UTC, datetime

from csi_rules.errors import UsageError


def system_now() -> datetime:
    """The wall clock, as an aware UTC datetime (called at the CLI boundary only)."""
    return datetime.now(UTC)


def parse_now(text: str | None) -> datetime:
    """`--now` as given, or the wall clock; naive times are refused as ambiguous."""
    if text is None:
        return system_now()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"--now: {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise UsageError(f"--now: {text!r} has no UTC offset (add 'Z' or '+01:00')")
    return value
