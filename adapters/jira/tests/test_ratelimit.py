"""Reads wait as Jira asks (Retry-After, X-RateLimit-Reset) and give up clearly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csi_rules.adapter import RecordQuery
from csi_rules.errors import AdapterUnavailable
from csi_rules_jira.ratelimit import retry_delay


def test_search_retries_after_429_and_503_honouring_retry_after(emulator, make_adapter, sleeps):
    adapter = make_adapter(emulator)
    emulator.faults.add(r"/search/jql$", status=429, retry_after=7)
    emulator.faults.add(r"/search/jql$", status=503, retry_after=3)
    records = list(adapter.fetch_records(RecordQuery(kinds=())))
    assert len(records) == 6
    assert sleeps == [7.0, 3.0]


def test_rate_limit_reset_header_is_used_when_there_is_no_retry_after(emulator, make_adapter,
                                                                     sleeps, clock):
    adapter = make_adapter(emulator)
    reset = (clock.now + timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%MZ")   # 10:01 (30 s)
    emulator.faults.add(r"/myself$", status=429, retry_after=None,
                        headers={"X-RateLimit-Reset": reset})
    start = clock.now
    adapter.fetch_record("OPS-1")
    assert sleeps == [(datetime.fromisoformat(reset.replace("Z", "+00:00")) - start)
                      .total_seconds()] == [30.0]


def test_backoff_without_headers_then_gives_up(emulator, make_adapter, sleeps):
    adapter = make_adapter(emulator, max_retries=3)
    emulator.faults.add(r"/serverInfo$", status=503, retry_after=None, times=10)
    with pytest.raises(AdapterUnavailable, match="HTTP 503"):
        adapter.fetch_record("OPS-1")
    assert sleeps == [1.0, 2.0, 4.0]


def test_a_wait_longer_than_allowed_fails_at_once(emulator, make_adapter, sleeps):
    adapter = make_adapter(emulator, max_retry_delay=30)
    emulator.faults.add(r"/serverInfo$", status=429, retry_after=600)
    with pytest.raises(AdapterUnavailable, match="asked to wait 600 s"):
        adapter.fetch_record("OPS-1")
    assert sleeps == []


def test_emulator_burst_limit_sends_jira_headers(make_adapter, clock, sleeps):
    from csi_rules_jira.emulator import JiraEmulator

    with JiraEmulator(clock=clock, rate_limit_per_second=2, record=True) as emu:
        adapter = make_adapter(emu)
        adapter.fetch_record("OPS-1")       # serverInfo, myself, issue: the 3rd waits 1 s
        limited = [e for e in emu.exchanges if e.status == 429]
        assert sleeps == [1.0]
        assert limited and limited[0].response_headers["RateLimit-Reason"] == "jira-burst-based"
        assert limited[0].response_headers["X-RateLimit-Remaining"] == "0"


def test_retry_delay_parsing():
    now = datetime(2026, 3, 2, 10, 0, 0, tzinfo=UTC)
    assert retry_delay({"Retry-After": "5"}, 0, now) == 5
    assert retry_delay({"Retry-After": "Mon, 02 Mar 2026 10:00:09 GMT"}, 0, now) == 9
    assert retry_delay({"X-RateLimit-Reset": "2026-03-02T10:01Z"}, 0, now) == 60
    assert retry_delay({}, 3, now) == 8
