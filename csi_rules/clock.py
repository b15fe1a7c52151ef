"""Where "now" comes from. Library code takes `now` as an argument; only the CLI reads the clock."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from csi_rules.errors import UsageError


def system_now() -> datetime:
    """The wall clock, as an aware UTC datetime (called at the CLI boundary only)."""
    return datetime.now(UTC)


def parse_now(text: str | None, flag: str = "--now", naive_zone: tzinfo | None = None
              ) -> datetime:
    """`--now` as given, or the wall clock. A naive time is read in `naive_zone` when one is
    given (a rota's own zone), else refused as ambiguous."""
    if text is None:
        return system_now()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{flag}: {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        if naive_zone is None:
            raise UsageError(f"{flag}: {text!r} has no UTC offset (add 'Z' or '+01:00')")
        value = value.replace(tzinfo=naive_zone)
    return value
