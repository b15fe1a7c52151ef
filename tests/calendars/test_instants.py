"""Wall-clock times to instants: skipped times map to the jump, repeated ones to their first run."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from csi_rules.calendars.instants import from_us, to_us, wall_to_us

AMS = ZoneInfo("Europe/Amsterdam")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # changes by 30 minutes


def utc_of(day: date, minute: int, zone: ZoneInfo = AMS) -> datetime:
    return from_us(wall_to_us(zone, day, minute))


def test_ordinary_time() -> None:
    assert utc_of(date(2026, 3, 10), 9 * 60) == datetime(2026, 3, 10, 8, tzinfo=UTC)


def test_skipped_time_maps_to_the_instant_the_clock_jumps() -> None:
    spring = date(2026, 3, 29)
    jump = datetime(2026, 3, 29, 1, tzinfo=UTC)
    assert utc_of(spring, 2 * 60) == jump
    assert utc_of(spring, 2 * 60 + 30) == jump
    assert utc_of(spring, 3 * 60) == jump
    assert utc_of(spring, 2 * 60 - 1) == datetime(2026, 3, 29, 0, 59, tzinfo=UTC)


def test_repeated_time_maps_to_its_first_occurrence() -> None:
    autumn = date(2026, 10, 25)
    assert utc_of(autumn, 2 * 60 + 30) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert utc_of(autumn, 3 * 60) == datetime(2026, 10, 25, 2, tzinfo=UTC)


def test_half_hour_shift() -> None:
    # Lord Howe Island, 5 Apr 2026: 02:00 (+11) back to 01:30 (+10:30); 4 Oct: 02:00 -> 02:30
    assert utc_of(date(2026, 10, 4), 2 * 60 + 15, LORD_HOWE) == datetime(
        2026, 10, 3, 15, 30, tzinfo=UTC
    )
    assert utc_of(date(2026, 4, 5), 1 * 60 + 45, LORD_HOWE) == datetime(
        2026, 4, 4, 14, 45, tzinfo=UTC
    )


def test_microsecond_round_trip_keeps_fold() -> None:
    second_230 = datetime(2026, 10, 25, 2, 30, tzinfo=AMS, fold=1)
    back = from_us(to_us(second_230), AMS)
    assert back.fold == 1 and to_us(back) == to_us(second_230)
