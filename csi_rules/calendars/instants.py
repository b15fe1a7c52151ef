"""Instants as integer microseconds since the Unix epoch, and wall-clock times mapped onto them.

Integers keep business-time sums exact (no float drift when 141k events are replayed), and
comparing integers sidesteps Python's rule that two datetimes sharing a tzinfo compare by wall
clock, which is wrong inside a fall-back hour.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
US_PER_SECOND = 1_000_000


def require_aware(value: datetime, what: str = "datetime") -> None:
    """Naive datetimes are ambiguous about which instant they mean, so we refuse them."""
    if not isinstance(value, datetime):
        raise TypeError(f"{what} must be a datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{what} {value.isoformat()} is naive; pass an aware datetime (with tzinfo)"
        )


def to_us(value: datetime) -> int:
    """Microseconds since the epoch of an aware datetime (an aware difference is taken in UTC,
    so no conversion is needed first). A naive one is taken as local time, as astimezone does."""
    try:
        return (value - EPOCH) // MICROSECOND
    except TypeError:
        return (value.astimezone(UTC) - EPOCH) // MICROSECOND


def aware_us(value: datetime, what: str = "datetime") -> int:
    """`to_us` of an aware datetime; for anything else the error `require_aware` gives (one
    subtraction on the common path instead of checking first)."""
    if type(value) is datetime and value.tzinfo is not None:
        try:
            return (value - EPOCH) // MICROSECOND
        except TypeError:
            pass  # its tzinfo gives no offset
    require_aware(value, what)
    return to_us(value)


def from_us(us: int, tz: tzinfo = UTC) -> datetime:
    """The aware datetime for `us`, expressed in `tz` (fold set correctly by astimezone)."""
    return (EPOCH + timedelta(microseconds=us)).astimezone(tz)


def seconds_to_us(seconds: float) -> int:
    """Whole microseconds for a non-negative duration in seconds."""
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        raise ValueError(f"business seconds must be a finite number, not {seconds!r}")
    if seconds < 0:
        raise ValueError(f"business seconds must not be negative, got {seconds!r}")
    return round(seconds * US_PER_SECOND)


def _local_wall(us: int, zone: tzinfo) -> datetime:
    return from_us(us, zone).replace(tzinfo=None, fold=0)


def wall_to_us(zone: tzinfo, day: date, minute: int) -> int:
    """The first instant at which the clock in `zone` shows `minute` past midnight of `day`.

    A wall time that occurs twice (fall-back) maps to its first occurrence; one that never
    occurs (spring-forward gap) maps to the instant the clock jumps past it. The mapping is
    monotonic, so a span "start-end" is always one contiguous interval of instants.
    `minute` may be 1440, meaning midnight at the start of the next day.
    """
    wall = datetime.combine(day, time()) + timedelta(minutes=minute)
    first = to_us(wall.replace(tzinfo=zone, fold=0))
    second = to_us(wall.replace(tzinfo=zone, fold=1))
    early, late = min(first, second), max(first, second)
    if _local_wall(early, zone) == wall:
        return early
    if _local_wall(late, zone) == wall:
        return late
    # In a gap: the clock reads before `wall` at `early` and after it at `late`; find the jump.
    lo, hi = early // US_PER_SECOND, -(-late // US_PER_SECOND)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _local_wall(mid * US_PER_SECOND, zone) >= wall:
            hi = mid
        else:
            lo = mid
    return hi * US_PER_SECOND
