"""Field lookup for one evaluation: the record's own paths plus the time-derived fields.

Both engines read records only through `record_lookup`, so the derived fields
(`age_seconds`, `idle_seconds`) are computed identically for the reference and for durable.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from csi_rules.errors import EngineError
from csi_rules.records.model import MISSING, Record

Lookup = Callable[[str], Any]

# derived field -> the record field it counts from
DERIVED_FROM: dict[str, str] = {"age_seconds": "opened_at", "idle_seconds": "updated_at"}


def require_aware(now: Any) -> datetime:
    """`now` must be a timezone-aware datetime: naive times make every age ambiguous."""
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise EngineError(f"evaluation time must be a timezone-aware datetime, got {now!r}")
    return now


def seconds_since(start: Any, now: datetime) -> Any:
    """`now - start` in seconds as a float, or MISSING when `start` is not an aware datetime."""
    if not isinstance(start, datetime) or start.utcoffset() is None:
        return MISSING
    return (now - start).total_seconds()


def record_lookup(record: Record, now: datetime) -> Lookup:
    """A path -> value function for `record` evaluated at `now` (MISSING when absent or null)."""
    get = record.get

    def lookup(path: str) -> Any:
        source = DERIVED_FROM.get(path)
        if source is not None:
            return seconds_since(get(source), now)
        return get(path)

    return lookup
