"""JSM: SLAs exposed under raw.sla, approvals read and answered, request types."""

from __future__ import annotations

from datetime import timedelta

from csi_rules.adapter import ActionRequest
from csi_rules_jira.jsm import normalize_sla


def test_sla_sample_from_the_official_document(shared):
    import json

    page = json.loads((shared / "reference" / "samples" / "jsm" /
                       "get_rest_servicedeskapi_request_issueIdOrKey_sla.200.json").read_text())
    first = normalize_sla(page["values"][0])
    assert first["ongoing"] and not first["paused"] and not first["within_calendar_hours"]
    assert (first["goal_ms"], first["elapsed_ms"], first["remaining_ms"]) == (
        14_400_000, 5_640_000, 8_760_000)
    assert first["completed_cycles"] == 2 and first["breached_cycles"] == 1
    assert first["breach_at"] is None                         # the example omits breachTime


def test_slas_are_exposed_to_policies_in_milliseconds(emulator, make_adapter, clock):
    adapter = make_adapter(emulator)
    fresh = adapter.fetch_record("ITSM-1")                    # created 3 h ago, untouched
    ttfr = fresh.get("raw.sla.time_to_first_response")
    assert ttfr["ongoing"] and not ttfr["breached"] and not ttfr["paused"]
    assert ttfr["goal_ms"] == 4 * 3_600_000
    assert ttfr["elapsed_ms"] == 3 * 3_600_000
    assert ttfr["remaining_ms"] == 3_600_000
    assert ttfr["within_calendar_hours"] is True               # 24/7 calendar
    clock.advance(hours=2)
    late = adapter.fetch_record("ITSM-1").get("raw.sla.time_to_first_response")
    assert late["breached"] and late["remaining_ms"] == -3_600_000


def test_paused_sla_and_completed_cycles(emulator, make_adapter, clock):
    adapter = make_adapter(emulator)
    site = emulator.site
    issue = site.issues["ITSM-1"]
    site.set_status(issue, "Waiting for customer", "5b10ac8d82e05b22cc7d4ef5")
    clock.advance(hours=5)
    record = adapter.fetch_record("ITSM-1")
    ttr = record.get("raw.sla.time_to_resolution")
    assert ttr["paused"] and ttr["elapsed_ms"] == 3 * 3_600_000   # the 5 paused hours don't count
    ttfr = record.get("raw.sla.time_to_first_response")
    assert not ttfr["ongoing"] and ttfr["completed_cycles"] == 1 and ttfr["stopped_at"]
    # 2026-03-02 is a Monday; 15:00 UTC is inside the business calendar, 20:00 is not
    assert ttr["within_calendar_hours"] is True
    site.set_status(issue, "In Progress", "5b10ac8d82e05b22cc7d4ef5")
    clock.advance(hours=5)
    assert adapter.fetch_record("ITSM-1").get(
        "raw.sla.time_to_resolution")["within_calendar_hours"] is False


def test_approvals_read_and_answered_once(emulator, make_adapter):
    adapter = make_adapter(emulator)
    record = adapter.fetch_record("ITSM-3")
    (approval,) = record.get("raw.approvals")
    assert approval["final_decision"] == "pending" and approval["can_answer"]
    action = ActionRequest("jira.answer_approval", {"decision": "approve"}, record.id, "k1")
    assert adapter.apply_action(action, record, dry_run=False).status == "applied"
    again = adapter.apply_action(action, record, dry_run=False)
    assert again.status == "already_applied"
    after = adapter.fetch_record("ITSM-3")
    assert after.get("approval") == "approved"
    assert after.get("raw.status") == "In Progress"            # the workflow moved on
    posts = [e for e in emulator.exchanges if e.method == "POST" and "/approval/" in e.path]
    assert len(posts) == 1


def test_decided_approval_answers_409_and_the_adapter_reports_it(emulator, make_adapter):
    adapter = make_adapter(emulator)
    record = adapter.fetch_record("ITSM-3")
    site = emulator.site
    site.answer_approval(site.issues["ITSM-3"], site.issues["ITSM-3"].approvals[0],
                         "5b10a2844c20165700ede21g", "declined")
    import requests

    direct = requests.post(f"{emulator.url}/rest/servicedeskapi/request/ITSM-3/approval/1",
                           json={"decision": "approve"},
                           headers={"Authorization": adapter.config.auth_header.reveal()},
                           timeout=5)
    assert direct.status_code == 409 and "errorMessage" in direct.json()
    result = adapter.apply_action(ActionRequest("jira.answer_approval", {"decision": "approve"},
                                                record.id, "k2"), record, dry_run=False)
    assert result.status == "failed" and "declined" in result.detail


def test_approval_decided_by_someone_else_just_before_our_answer(emulator, make_adapter):
    adapter = make_adapter(emulator)
    record = adapter.fetch_record("ITSM-3")
    site = emulator.site
    issue = site.issues["ITSM-3"]
    emulator.faults.add(r"/approval/1$", method="POST", mode="passthrough", before=lambda: (
        site.answer_approval(issue, issue.approvals[0], "5b10a2844c20165700ede21g", "approved")))
    result = adapter.apply_action(ActionRequest("jira.answer_approval", {"decision": "approve"},
                                                record.id, "k3"), record, dry_run=False)
    assert result.status == "already_applied"                  # 409, re-read: approved anyway
    assert [e.status for e in emulator.exchanges if e.method == "POST"] == [409]


def test_request_types_decide_the_kind_and_are_read_once(emulator, make_adapter):
    from csi_rules.adapter import RecordQuery

    adapter = make_adapter(emulator)
    list(adapter.fetch_records(RecordQuery(kinds=())))
    list(adapter.fetch_records(RecordQuery(kinds=(), since=emulator.clock() - timedelta(days=9))))
    reads = [e for e in emulator.exchanges if e.path.endswith("/requesttype")]
    assert len(reads) == 1
