"""Issues → records: real Jira payloads, the official examples and the emulator's JSM issues."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest

from csi_rules.adapter import RecordQuery
from csi_rules.records import parse_record
from csi_rules_jira.config import parse_config
from csi_rules_jira.normalize import issue_to_record

ENV = {"T": "x"}


def _config(**extra: Any):
    return parse_config({"base_url": "https://jira.example.com", "projects": ["PUP"],
                         "auth": {"token_env": "T"}, **extra}, environ=ENV)


def _record(issue: dict[str, Any], **extra: Any):
    changelog = (issue.get("changelog") or {}).get("histories") or ()
    data = issue_to_record(issue, _config(**extra), histories=changelog)
    assert data is not None
    return parse_record(data)


@pytest.fixture(scope="module")
def puppet(shared) -> dict[str, dict[str, Any]]:
    """Five real Data Center (REST v2) issues with full changelogs (GPL-3.0, read from shared/)."""
    path = shared / "data" / "jira_rest_samples" / "grimoirelab_elk_jira_puppetlabs_2016.json"
    return {item["data"]["key"]: item["data"] for item in json.loads(path.read_text())}


def test_real_issue_status_category_priority_and_history(puppet):
    record = _record(puppet["PUP-6551"])
    assert record.kind == "request"                           # Task -> request in kind_map
    assert record.get("state") == "in_progress"                # "Ready for Merge": its category
    assert record.get("status_category") == "in_progress"
    assert record.get("raw.status_category") == "indeterminate"
    assert record.get("priority") == 1                        # Blocker
    assert record.get("updated_at") == datetime.fromisoformat("2016-07-27T04:58:26+00:00")
    states = [h for h in record.get("history") if h["field"] == "state"]
    assert states == [{"at": "2016-07-27T04:49:03.563000+00:00", "field": "state",
                       "from": "open", "to": "in_progress", "author": "glenn.sarti"}]
    assignees = [h["to"] for h in record.get("history") if h["field"] == "assignee"]
    assert assignees == ["glenn.sarti", None, "ethan"]
    priorities = [(h["from"], h["to"]) for h in record.get("history") if h["field"] == "priority"]
    assert priorities == [("code:Normal", 1)]                 # "Normal" is not in priority_map


def test_real_issue_components_and_status_map(puppet):
    record = _record(puppet["PUP-3483"], status_map={"Open": "new"})
    assert record.get("configuration_items") == ["Types and Providers"]
    assert record.get("state") == "new"
    assert record.kind == "incident"                          # Bug


def test_every_real_payload_normalizes(puppet, shared):
    for issue in puppet.values():
        _record(issue)
    finos = shared / "data" / "jira_rest_samples" / "grimoirelab_elk_jira_finos_2018.json"
    for item in json.loads(finos.read_text()):
        _record(item["data"])
    page = json.loads((shared / "data" / "jira_rest_samples" /
                       "perceval_fiware_jira_issues_page_1.json").read_text())
    records = [_record(issue) for issue in page["issues"]]
    assert {r.get("priority") for r in records} == {2}        # Major
    assert [r.get("raw.status_category") for r in records] == [
        i["fields"]["status"]["statusCategory"]["key"] for i in page["issues"]]


def test_official_v3_example_with_adf_description(shared):
    issue = json.loads((shared / "reference" / "samples" / "jira" /
                        "get_rest_api_3_issue_issueIdOrKey.200.json").read_text())
    record = _record(issue)
    assert record.get("description") == "Main order flow broken"
    assert record.label == "ED-1"


def test_unmapped_issue_type_is_skipped_when_no_default_kind(puppet):
    data = issue_to_record(puppet["PUP-6295"], _config(default_kind=None))
    assert data is None                                       # "New Feature"


def test_jsm_change_fields_through_the_field_map(emulator, make_adapter):
    adapter = make_adapter(emulator)
    change = adapter.fetch_record("ITSM-3")
    assert change.kind == "change"                            # request type practice "change"
    assert change.get("change_type") == "normal"
    assert change.get("risk") == "high"
    assert change.get("backout_plan") == "Reload the previous firmware image from flash."
    assert change.get("planned_end") > change.get("planned_start")
    assert change.get("approval") == "requested"
    assert change.get("raw.request_type") == "Request a change"
    incident = adapter.fetch_record("ITSM-2")
    assert (incident.get("impact"), incident.get("urgency")) == (1, 1)
    assert incident.get("assignment_group") == "network-team"
    assert incident.get("service") == "VPN"
    assert incident.get("assignee") == "5b10ac8d82e05b22cc7d4ef5"
    assert [h["to"] for h in incident.get("history") if h["field"] == "state"] == [
        "in_progress", "on_hold", "new"]   # In Progress, Waiting for customer, Waiting for support


def test_kind_filter_and_request_kinds(emulator, make_adapter):
    adapter = make_adapter(emulator)
    kinds = {r.label: r.kind for r in adapter.fetch_records(RecordQuery(kinds=()))}
    assert kinds == {"ITSM-1": "incident", "ITSM-2": "incident", "ITSM-3": "change",
                     "ITSM-4": "request", "OPS-1": "request", "OPS-2": "incident"}
