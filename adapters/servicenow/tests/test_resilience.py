"""Retries, rate limits, outages, timeouts and authentication, all over real HTTP."""

from __future__ import annotations

import pytest

from csi_rules.adapter import ActionRequest, RecordQuery
from csi_rules.errors import AdapterAuthError, AdapterUnavailable
from csi_rules_servicenow.emulator.ratelimit import RateLimitRule
from csi_rules_servicenow.errors import ServiceNowRateLimited

INCIDENTS = RecordQuery(kinds=("incident",))
INC = "ef43c6d40a0a0b5700c77f9bf387afe3"


def test_429_then_success_waits_as_long_as_retry_after_says(emulator, adapter, clock):
    emulator.faults.add("status", status=429, method="GET", headers={"Retry-After": "7"})
    assert len(list(adapter.fetch_records(INCIDENTS))) == 67
    assert clock.sleeps == [7.0]


def test_rate_limit_rule_waits_until_the_window_resets(emulator, make, clock):
    """The documented rule: N per hour, then 429 with Retry-After and X-RateLimit-Reset."""
    adapter = make(emulator, history=False)  # count ticket pages only (no sys_audit reads)
    emulator.rate_limiter.rules.append(RateLimitRule(limit=5))
    clock.advance(3600 - clock.time() % 3600 - 30)  # 30 s before the hour turns
    records = list(adapter.fetch_records(INCIDENTS))  # 7 pages: 5 this hour, 2 the next
    assert len(records) == 67
    assert clock.sleeps == [30.0]
    assert emulator.count("GET", "/api/now/table/incident") == 8


def test_x_ratelimit_reset_is_used_when_retry_after_is_missing(emulator, adapter, clock):
    reset = int(clock.time()) + 12
    emulator.faults.add("status", status=429, method="GET",
                        headers={"X-RateLimit-Reset": str(reset)})
    list(adapter.fetch_records(INCIDENTS))
    assert clock.sleeps == [12.0]


def test_a_wait_longer_than_the_budget_fails_at_once_with_the_advice(emulator, make, clock):
    adapter = make(emulator, retries={"max_attempts": 5, "max_delay_seconds": 60})
    emulator.faults.add("status", status=429, method="GET", headers={"Retry-After": "3000"})
    with pytest.raises(ServiceNowRateLimited, match="wait 3000 s") as caught:
        list(adapter.fetch_records(INCIDENTS))
    assert caught.value.retry_after == 3000 and clock.sleeps == []
    assert "Rate limit exceeded" in str(caught.value) or "429" in str(caught.value)


def test_5xx_storm_shorter_than_the_retry_budget_is_ridden_out(emulator, adapter, clock):
    emulator.faults.add("status", status=503, method="GET", times=3)
    assert len(list(adapter.fetch_records(INCIDENTS))) == 67
    assert clock.sleeps == [0.5, 1.0, 2.0]  # exponential backoff


def test_5xx_storm_longer_than_the_budget_is_adapter_unavailable(emulator, adapter):
    emulator.faults.add("status", status=500, method="GET", times=50)
    with pytest.raises(AdapterUnavailable, match="500"):
        list(adapter.fetch_records(INCIDENTS))
    assert emulator.count("GET", "/api/now/table/incident") == 4  # max_attempts


def test_read_timeouts_and_dropped_connections_are_retried(emulator, make, clock):
    # read timeout 1 s: a loaded machine's normal answer fits (at 0.2 s, one did not and
    # was retried once more); the fault holds its answer 1.5 s
    adapter = make(emulator, timeouts={"connect": 2, "read": 1.0})
    emulator.faults.add("latency", method="GET", seconds=1.5)
    emulator.faults.add("drop", method="GET")
    assert len(list(adapter.fetch_records(INCIDENTS))) == 67
    assert len(clock.sleeps) == 2


def test_an_unreachable_instance_is_adapter_unavailable(emulator, make):
    adapter = make(emulator)
    emulator.stop()
    with pytest.raises(AdapterUnavailable, match="connection failed"):
        list(adapter.fetch_records(INCIDENTS))


def test_a_hibernating_instance_answering_html_is_reported_as_such(emulator, adapter):
    emulator.faults.add("html", method="GET")
    with pytest.raises(AdapterUnavailable, match="hibernating"):
        list(adapter.fetch_records(INCIDENTS))


def test_writes_are_never_retried_on_5xx(emulator, adapter, clock):
    record = adapter.fetch_record(INC)
    emulator.faults.add("status", status=503, method="PATCH", times=5)
    result = adapter.apply_action(ActionRequest("comment", {"text": "x"}, INC, "k"), record,
                                  dry_run=False)
    assert result.status == "failed"
    assert emulator.count("PATCH", "/api/now/table/incident") == 1
    assert clock.sleeps == []


def test_a_rate_limited_write_is_resent_because_the_instance_refused_it(emulator, adapter, clock):
    record = adapter.fetch_record(INC)
    emulator.faults.add("status", status=429, method="PATCH", headers={"Retry-After": "2"})
    result = adapter.apply_action(ActionRequest("comment", {"text": "x"}, INC, "k"), record,
                                  dry_run=False)
    assert result.status == "applied" and clock.sleeps == [2.0]
    assert emulator.count("PATCH", "/api/now/table/incident") == 2


def test_wrong_basic_password_is_an_auth_error_not_retried(emulator, make):
    adapter = make(emulator, environ={"SN_PASSWORD": "wrong"})
    with pytest.raises(AdapterAuthError, match="401 User Not Authenticated"):
        list(adapter.fetch_records(INCIDENTS))
    assert emulator.count("GET", "/api/now/table/incident") == 1


def oauth(kind: str, **extra: str) -> dict:
    auth = {"type": kind, "client_id": "csi-rules-demo", "client_secret_env": "SN_SECRET"}
    if kind == "oauth_password":
        auth.update(username="admin", password_env="SN_PASSWORD")
    return {**auth, **extra}


OAUTH_ENV = {"SN_PASSWORD": "admin", "SN_SECRET": "demo-secret"}


@pytest.mark.parametrize("kind", ["oauth_password", "oauth_client_credentials"])
def test_oauth_grants_fetch_a_token_once_and_use_it(emulator, make, kind):
    adapter = make(emulator, auth=oauth(kind), environ=OAUTH_ENV)
    assert len(list(adapter.fetch_records(INCIDENTS))) == 67
    grant = "password" if kind == "oauth_password" else "client_credentials"
    assert emulator.security.grants == {grant: 1}
    assert emulator.count("POST", "/oauth_token.do") == 1


def test_token_renewed_before_expiry_with_the_refresh_token(emulator, make, clock):
    adapter = make(emulator, auth=oauth("oauth_password"), environ=OAUTH_ENV)
    list(adapter.fetch_records(INCIDENTS))
    clock.advance(1799 - 30)  # inside the renewal margin
    adapter.fetch_record(INC)
    assert emulator.security.grants == {"password": 1, "refresh_token": 1}


def test_a_401_on_a_revoked_token_triggers_one_refresh_and_the_read_succeeds(emulator, make):
    adapter = make(emulator, auth=oauth("oauth_password"), environ=OAUTH_ENV)
    list(adapter.fetch_records(INCIDENTS))
    emulator.security.expire_tokens()
    assert adapter.fetch_record(INC).id == INC
    assert emulator.security.grants["refresh_token"] == 1


def test_bad_client_secret_is_an_auth_error(emulator, make):
    adapter = make(emulator, auth=oauth("oauth_password"),
                   environ={**OAUTH_ENV, "SN_SECRET": "nope"})
    with pytest.raises(AdapterAuthError, match="access_denied"):
        list(adapter.fetch_records(INCIDENTS))
