"""The record contract on Jira: statuses land in the contract's vocabulary by configured name,
known workflow name or status category; what nothing places stays visible, never vanishes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from csi_rules.adapter import RecordQuery
from csi_rules.records import parse_record
from csi_rules.records.vocabulary import STATES, status_category
from csi_rules_jira import states as jira_states
from csi_rules_jira.config import parse_config
from csi_rules_jira.errors import JiraConfigError
from csi_rules_jira.normalize import issue_to_record, requested_fields
from csi_rules_jira.states import StatusMapper

ENV = {"T": "x"}


def _config(**extra: Any):
    return parse_config({"base_url": "https://jira.example.com", "projects": ["PUP"],
                         "auth": {"token_env": "T"}, **extra}, environ=ENV)


def _issue(status: str, category: str | None, priority: str = "High",
           issuetype: str = "Incident") -> dict[str, Any]:
    status_obj: dict[str, Any] = {"name": status}
    if category:
        status_obj["statusCategory"] = {"key": category}
    return {"id": "10001", "key": "OPS-1", "fields": {
        "summary": "s", "status": status_obj, "priority": {"name": priority},
        "issuetype": {"name": issuetype}, "project": {"key": "OPS"},
        "created": "2026-03-02T09:00:00.000+0000", "updated": "2026-03-02T09:00:00.000+0000"}}


def _record(issue: dict[str, Any], **extra: Any):
    data = issue_to_record(issue, _config(**extra))
    assert data is not None
    return parse_record(data)


def test_every_built_in_name_and_category_lands_in_the_kinds_vocabulary():
    for kind, names in jira_states._BY_KIND.items():
        assert set(names.values()) <= set(STATES[kind]), kind
    for kind, categories in jira_states._BY_CATEGORY.items():
        assert set(categories.values()) <= set(STATES[kind]), kind


@pytest.mark.parametrize(("status", "category", "issuetype", "state", "hold"), [
    ("Waiting for customer", "indeterminate", "Incident", "on_hold", "awaiting_caller"),
    ("Work in progress", "indeterminate", "Incident", "in_progress", None),
    ("Resolved", "done", "Incident", "resolved", None),
    ("Declined", "done", "Service Request", "canceled", None),
    ("Waiting for support", "new", "Service Request", "open", None),
    ("Awaiting approval", "indeterminate", "Change", "authorize", None),
    ("Ready for Merge", "indeterminate", "Incident", "in_progress", None),  # by its category
])
def test_statuses_by_name_then_category(status, category, issuetype, state, hold):
    record = _record(_issue(status, category, issuetype=issuetype))
    assert (record.get("state"), record.data.get("hold_reason")) == (state, hold)
    assert record.get("status_category") == {"new": "new", "indeterminate": "in_progress",
                                             "done": "done"}[category]
    assert "unmapped" not in record.data


def test_a_status_nothing_places_stays_visible():
    record = _record(_issue("Triage", None))
    assert record.get("state") == "code:Triage"
    assert record.get("unmapped") == {"state": "Triage"}


def test_an_unmapped_priority_is_listed_not_dropped():
    record = _record(_issue("Open", "new", priority="Normal"))
    assert "priority" not in record.data
    assert record.get("unmapped") == {"priority": "Normal"}
    assert record.get("raw.priority") == "Normal"


def test_project_map_beats_site_map_beats_defaults():
    extra = {"status_map": {"Triage": "in_progress", "Resolved": "closed"},
             "project_status_map": {"OPS": {"Triage": "new"}}}
    assert _record(_issue("Triage", None), **extra).get("state") == "new"
    assert _record(_issue("Resolved", "done"), **extra).get("state") == "closed"


def test_a_map_to_a_value_outside_the_contract_is_refused():
    with pytest.raises(JiraConfigError, match=r"status_map\.Done"):
        _config(status_map={"Done": "Done"})


def test_a_site_map_value_outside_the_kinds_vocabulary_is_not_used():
    mapper = StatusMapper({"Scheduled": "scheduled"})
    assert mapper.state("change", "OPS", "Scheduled") == "scheduled"
    assert mapper.state("incident", "OPS", "Scheduled") == "code:Scheduled"


def test_emulator_records_speak_only_the_contract(emulator, make_adapter):
    records = list(make_adapter(emulator).fetch_records(RecordQuery(kinds=())))
    assert records
    for record in records:
        state = record.get("state")
        assert state in STATES[record.kind], (record.label, state)
        assert record.get("status_category") in (status_category(state), "new", "in_progress")
        for entry in record.get("history") or ():
            if entry["field"] == "state":
                assert {entry["from"], entry["to"]} - {None} <= set(STATES[record.kind]), entry


def test_real_payload_statuses_are_placed(shared):
    path = shared / "data" / "jira_rest_samples" / "perceval_fiware_jira_issues_page_1.json"
    issues = json.loads(path.read_text())["issues"]
    config = _config(default_kind="incident")
    for issue in issues:
        data = issue_to_record(issue, config)
        if data is not None:
            assert not str(data.get("state", "")).startswith("code:"), data.get("state")


def test_raw_fields_give_a_site_field_the_name_policies_use():
    issue = _issue("Open", "new")
    issue["fields"]["customfield_10099"] = {"value": "true", "id": "1"}
    issue["fields"]["customfield_10098"] = 800
    record = _record(issue, raw_fields={"u_vip": "customfield_10099",
                                        "affected_users": "customfield_10098"})
    assert (record.get("raw.u_vip"), record.get("raw.affected_users")) == ("true", 800)
    config = _config(raw_fields={"u_vip": "customfield_10099"})
    assert "customfield_10099" in requested_fields(config)  # searched for, not only read
