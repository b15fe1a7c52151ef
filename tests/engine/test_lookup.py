from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csi_rules.engine.lookup import record_lookup
from csi_rules.engine.reference import ReferenceMatcher
from csi_rules.errors import EngineError
from csi_rules.records.model import MISSING

from .conftest import group, record


def test_age_and_idle_are_seconds_from_the_given_now(now: datetime) -> None:
    r = record(opened_at="2024-06-01T10:00:00Z", updated_at="2024-06-01T17:29:00+05:30")
    lookup = record_lookup(r, now)
    assert lookup("age_seconds") == 7200.0
    assert lookup("idle_seconds") == 60.0
    assert isinstance(lookup("age_seconds"), float)


def test_derived_fields_are_missing_without_their_source_time(now: datetime) -> None:
    lookup = record_lookup(record(), now)
    assert lookup("age_seconds") is MISSING
    assert lookup("idle_seconds") is MISSING


def test_plain_paths_read_the_record(now: datetime) -> None:
    lookup = record_lookup(record(priority=2, raw={"a": {"b": None, "c": 1}}), now)
    assert lookup("priority") == 2
    assert lookup("raw.a.c") == 1
    assert lookup("raw.a.b") is MISSING
    assert lookup("raw.nope") is MISSING


def test_naive_now_is_refused() -> None:
    m = ReferenceMatcher([group("g", "first", {"a": {"field": "age_seconds", "gt": 1}})])
    with pytest.raises(EngineError, match="timezone-aware"):
        m.match(record(), datetime(2024, 6, 1))


def test_future_times_give_negative_ages(now: datetime) -> None:
    later = (now + timedelta(hours=1)).astimezone(UTC).isoformat()
    assert record_lookup(record(opened_at=later), now)("age_seconds") == -3600.0
