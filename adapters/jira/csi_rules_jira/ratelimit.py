"""How long to wait before retrying a rate-limited or unavailable read.

Jira Cloud sends `Retry-After` (seconds) and/or `X-RateLimit-Reset` (ISO 8601); Data Center
sends `Retry-After` with its token-bucket headers. Without either we back off exponentially.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

RETRYABLE_READ_STATUSES = frozenset({429, 503})


def retry_delay(headers: Mapping[str, str], attempt: int, now: datetime) -> float:
    """Seconds to wait before retry number `attempt` (0-based), from the headers or a backoff."""
    retry_after = headers.get("Retry-After")
    if retry_after:
        seconds = _parse_retry_after(retry_after.strip(), now)
        if seconds is not None:
            return max(seconds, 0.0)
    reset = headers.get("X-RateLimit-Reset")
    if reset:
        try:
            when = datetime.fromisoformat(reset.strip().replace("Z", "+00:00"))
        except ValueError:
            when = None
        if when is not None and when.tzinfo is not None:
            return max((when - now).total_seconds(), 0.0)
    return float(2 ** attempt)


def _parse_retry_after(value: str, now: datetime) -> float | None:
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return (when - now).total_seconds()


def describe_limits(headers: Mapping[str, str]) -> str:
    """The rate-limit headers worth logging, as `name=value` pairs."""
    names = ("RateLimit-Reason", "X-RateLimit-Limit", "X-RateLimit-Remaining",
             "X-RateLimit-Reset", "X-RateLimit-FillRate", "X-RateLimit-Interval-Seconds",
             "Retry-After")
    return " ".join(f"{n}={headers[n]}" for n in names if n in headers)
