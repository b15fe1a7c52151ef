"""The emulator's JQL subset: what sync relies on, evaluated in the caller's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from csi_rules_jira.emulator import jql
from csi_rules_jira.emulator.seed import load_seed
from csi_rules_jira.emulator.store import Site

NOW = datetime(2026, 3, 2, 10, 0, 30, tzinfo=UTC)


@pytest.fixture
def site() -> Site:
    return Site(load_seed(None), lambda: NOW)


def _keys(site: Site, text: str, zone: str = "UTC") -> list[str]:
    query = jql.parse(text, NOW, ZoneInfo(zone))
    matched = [i for i in site.issues.values() if query.where is None or query.where(i)]
    ranks = [p["name"] for p in site.priorities]
    return [i.key for i in jql.sort_issues(matched, query.order, ranks)]


def test_project_status_key_and_order(site):
    assert _keys(site, 'project = OPS ORDER BY key ASC') == ["OPS-1", "OPS-2"]
    assert _keys(site, 'project in ("ITSM") AND status != "Resolved" ORDER BY key DESC') == [
        "ITSM-3", "ITSM-2", "ITSM-1"]
    assert _keys(site, "key in (ITSM-1, OPS-2) ORDER BY updated ASC, key ASC") == [
        "OPS-2", "ITSM-1"]                                      # updated 5 h and 3 h ago
    assert _keys(site, "statusCategory = done") == ["ITSM-4"]
    assert _keys(site, "project = OPS AND (status = Done OR priority = High)") == ["OPS-2"]


def test_updated_literal_is_read_in_the_callers_zone_at_minute_resolution(site):
    issue = site.issues["OPS-1"]
    issue.updated = datetime(2026, 3, 2, 9, 30, 20, tzinfo=UTC)
    assert "OPS-1" in _keys(site, 'project = OPS AND updated >= "2026-03-02 09:30"')
    assert "OPS-1" not in _keys(site, 'project = OPS AND updated >= "2026-03-02 09:31"')
    sydney = 'project = OPS AND updated >= "2026-03-02 20:30"'    # 09:30 UTC in Sydney (UTC+11)
    assert "OPS-1" in _keys(site, sydney, "Australia/Sydney")
    assert "OPS-1" not in _keys(site, sydney, "UTC")
    assert "OPS-1" in _keys(site, "project = OPS AND updated >= -1h")
    millis = int((issue.updated - timedelta(seconds=1)).timestamp() * 1000)
    assert "OPS-1" in _keys(site, f"project = OPS AND updated > {millis}")


def test_errors_name_the_problem(site):
    with pytest.raises(jql.JqlError, match="does not exist"):
        jql.parse("colour = red", NOW, ZoneInfo("UTC"))
    with pytest.raises(jql.JqlError, match="Date value"):
        jql.parse('updated >= "yesterday"', NOW, ZoneInfo("UTC"))
    assert not jql.parse("ORDER BY key DESC", NOW, ZoneInfo("UTC")).bounded


def test_order_by_priority_follows_the_priority_scheme_not_the_names(site):
    # Highest > High > Medium > Low in the scheme; by name it would be Medium, Low, Highest, High
    assert _keys(site, "project = ITSM ORDER BY priority DESC") == [
        "ITSM-2", "ITSM-1", "ITSM-3", "ITSM-4"]
    assert _keys(site, "project = ITSM ORDER BY priority ASC") == [
        "ITSM-4", "ITSM-3", "ITSM-1", "ITSM-2"]
    assert _keys(site, "priority in (High, Medium) ORDER BY priority DESC, key ASC") == [
        "ITSM-1", "OPS-2", "ITSM-3", "OPS-1"]


def test_order_by_priority_over_http(emulator):
    import requests

    reply = requests.get(emulator.url + "/rest/api/3/search/jql", timeout=5,
                         auth=("mia@example.com", "emulator-api-token"),
                         params={"jql": "project = ITSM ORDER BY priority DESC",
                                 "fields": "priority"})
    names = [i["fields"]["priority"]["name"] for i in reply.json()["issues"]]
    assert names == ["Highest", "High", "Medium", "Low"]
