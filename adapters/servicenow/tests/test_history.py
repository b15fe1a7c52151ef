"""Field history from sys_audit: the emulator records it as tickets change, the adapter reads it.

Tickets are changed through the Table API as another user (`itil`) would, with the shared fake
clock moving between writes, then read back through the adapter over loopback HTTP.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import requests

from csi_rules.adapter import RecordQuery
from csi_rules.errors import AdapterUnavailable

INCIDENTS = RecordQuery(kinds=("incident",))
AUDIT_COLUMNS = {"sys_id", "tablename", "documentkey", "fieldname", "oldvalue", "newvalue", "user",
                 "reason", "record_checkpoint", "internal_checkpoint", "sys_created_on",
                 "sys_created_by"}


def table_api(emulator, method, path, user="itil", **kwargs):
    response = requests.request(method, f"{emulator.url}/api/now/table/{path}",
                                auth=(user, user), timeout=5,
                                headers={"Accept": "application/json"}, **kwargs)
    response.raise_for_status()
    return response


def write(emulator, clock, sys_id, minutes, **values):
    clock.advance(minutes * 60)
    table_api(emulator, "PATCH", f"incident/{sys_id}", json=values)


def open_incident(emulator, **values):
    body = {"short_description": "VPN drops every hour", **values}
    return table_api(emulator, "POST", "incident", json=body).json()["result"]["sys_id"]


def field_history(record, field):
    return [(h["from"], h["to"]) for h in record.data["history"] if h["field"] == field]


def test_hold_resume_resolve_is_read_back_in_order_with_canonical_states(emulator, adapter,
                                                                          clock):
    opened = clock.now()
    sys_id = open_incident(emulator)
    write(emulator, clock, sys_id, 5, state="2")
    write(emulator, clock, sys_id, 10, state="3", hold_reason="1")
    write(emulator, clock, sys_id, 60, state="2")
    write(emulator, clock, sys_id, 30, state="6", close_code="Solved (Permanently)")

    record = adapter.fetch_record(sys_id)

    assert field_history(record, "state") == [
        (None, "new"), ("new", "in_progress"), ("in_progress", "on_hold"),
        ("on_hold", "in_progress"), ("in_progress", "resolved")]
    assert field_history(record, "hold_reason") == [(None, "awaiting_caller"),
                                                     ("awaiting_caller", None)]
    at = [h["at"] for h in record.data["history"] if h["field"] == "state"]
    minutes = [0, 5, 15, 75, 105]
    assert at == [(opened + timedelta(minutes=m)).isoformat() for m in minutes]
    assert {h["author"] for h in record.data["history"]} == {"itil"}
    assert record.data["state"] == "resolved"


def test_group_and_assignee_changes_read_as_names_like_the_record(emulator, adapter, clock):
    groups = {g["name"]: g["sys_id"] for g in emulator.store.rows("sys_user_group")}
    sys_id = open_incident(emulator, assignment_group=groups["Service Desk"])
    write(emulator, clock, sys_id, 3, assignment_group=groups["Network"], impact="1", urgency="1")

    record = adapter.fetch_record(sys_id)

    assert field_history(record, "assignment_group") == [(None, "Service Desk"),
                                                         ("Service Desk", "Network")]
    assert record.data["assignment_group"] == "Network"
    assert field_history(record, "priority")[-1] == (5, 1)  # the instance's lookup, as integers


def test_with_display_value_false_history_keeps_sys_ids_like_the_record(emulator, make, clock):
    network = next(g["sys_id"] for g in emulator.store.rows("sys_user_group")
                   if g["name"] == "Network")
    sys_id = open_incident(emulator)
    write(emulator, clock, sys_id, 1, assignment_group=network)

    record = make(emulator, display_value="false").fetch_record(sys_id)

    assert field_history(record, "assignment_group") == [(None, network)]
    assert record.data["assignment_group"] == network


def test_audit_rows_are_paged_past_one_page_through_the_link_header(emulator, make, clock):
    sys_id = open_incident(emulator)
    for i in range(12):  # 24 audited changes of state, plus the insert's rows
        write(emulator, clock, sys_id, 1, state="3" if i % 2 else "2", hold_reason="4")

    paged = make(emulator, history_page_size=5).fetch_record(sys_id)
    whole = make(emulator).fetch_record(sys_id)

    assert len(field_history(paged, "state")) == 13
    assert paged.data["history"] == whole.data["history"]
    offsets = [q for m, p, q in emulator.requests
               if m == "GET" and p == "/api/now/table/sys_audit" and "sysparm_offset=" in q]
    assert len(offsets) >= 5


def test_history_is_read_once_per_page_of_tickets_not_once_per_ticket(emulator, make):
    adapter = make(emulator, page_size=50)

    records = list(adapter.fetch_records(INCIDENTS))

    assert len(records) == 67 and all(r.data["history"] for r in records)
    assert emulator.count("GET", "/api/now/table/sys_audit") == 2  # 2 pages of tickets


def test_a_resolved_seed_ticket_shows_when_it_was_resolved_and_closed(adapter):
    record = adapter.fetch_record("INC0000060")  # resolved 2016-12-13 21:43:14, closed next day

    resolved = [h for h in record.data["history"] if h["field"] == "state"
                and h["to"] == "resolved"]
    assert [h["at"] for h in resolved] == ["2016-12-13T21:43:14+00:00"]
    assert field_history(record, "state")[-1] == ("resolved", "closed")
    assert field_history(record, "resolved_at") == [(None, "2016-12-13T21:43:14+00:00")]


def test_a_seed_ticket_on_hold_shows_since_when(adapter):
    record = adapter.fetch_record("INC0000017")  # on hold (awaiting caller), updated 2015-11-24

    last = [h for h in record.data["history"] if h["field"] == "state"][-1]
    assert (last["from"], last["to"], last["at"]) == ("in_progress", "on_hold",
                                                       "2015-11-24T15:47:36+00:00")
    assert field_history(record, "hold_reason") == [(None, "awaiting_caller")]


def test_an_unreadable_audit_table_leaves_records_without_history_and_says_why(
        emulator, adapter, caplog):
    emulator.security.deny_read("sys_audit", "admin")

    with caplog.at_level(logging.WARNING, logger="csi_rules_servicenow"):
        records = list(adapter.fetch_records(INCIDENTS))  # 7 pages of 10

    assert len(records) == 67
    assert all("history" not in r.data for r in records)
    reasons = {r.data["raw"]["history_unavailable"] for r in records}
    assert len(reasons) == 1 and "403" in reasons.pop()
    assert emulator.count("GET", "/api/now/table/sys_audit") == 1  # not asked again this fetch
    warnings = [r for r in caplog.records if "no field history" in r.getMessage()]
    assert len(warnings) == 1


def test_an_audit_table_that_keeps_failing_fails_the_fetch_rather_than_drop_history(emulator,
                                                                                     adapter):
    emulator.faults.add("status", status=503, times=10, path="/api/now/table/sys_audit")

    with pytest.raises(AdapterUnavailable, match="sys_audit"):
        list(adapter.fetch_records(INCIDENTS))


def test_history_switched_off_reads_no_audit(emulator, make):
    records = list(make(emulator, history=False).fetch_records(INCIDENTS))

    assert records and all("history" not in r.data for r in records)
    assert emulator.count("GET", "/api/now/table/sys_audit") == 0


# -- the emulator's sys_audit as the Table API serves it -------------------------------------------
def test_emulator_audit_rows_have_the_documented_columns_and_checkpoints(emulator, clock):
    created = clock.now().strftime("%Y-%m-%d %H:%M:%S")
    sys_id = open_incident(emulator, impact="2")
    write(emulator, clock, sys_id, 2, state="2")
    write(emulator, clock, sys_id, 2, state="3", hold_reason="2")

    response = table_api(emulator, "GET", "sys_audit", user="admin", params={
        "sysparm_query": f"documentkey={sys_id}^fieldnameINstate,hold_reason,impact"
                         "^ORDERBYsys_created_on^ORDERBYrecord_checkpoint^ORDERBYfieldname",
        "sysparm_limit": "2"})
    rows = response.json()["result"]

    assert all(set(row) == AUDIT_COLUMNS for row in rows)
    assert [(r["fieldname"], r["oldvalue"], r["newvalue"], r["record_checkpoint"])
            for r in rows] == [("impact", "", "2", "0"), ("state", "", "1", "0")]
    assert {(r["tablename"], r["user"], r["sys_created_on"]) for r in rows} == {
        ("incident", "itil", created)}
    assert response.headers["X-Total-Count"] == "5"
    assert 'rel="next"' in response.headers["Link"]
    later = table_api(emulator, "GET", "sys_audit", user="admin", params={
        "sysparm_query": f"documentkey={sys_id}^ORDERBYrecord_checkpoint",
        "sysparm_fields": "fieldname,newvalue,record_checkpoint"}).json()["result"]
    assert ("state", "3", "2") in {(r["fieldname"], r["newvalue"], r["record_checkpoint"])
                                   for r in later}


def test_emulator_audits_references_as_sys_ids_and_journal_entries(emulator, clock):
    network = next(g["sys_id"] for g in emulator.store.rows("sys_user_group")
                   if g["name"] == "Network")
    sys_id = open_incident(emulator)
    write(emulator, clock, sys_id, 1, assignment_group=network, work_notes="called the user")

    rows = table_api(emulator, "GET", "sys_audit", user="admin", params={
        "sysparm_query": f"documentkey={sys_id}^record_checkpoint=1"}).json()["result"]

    found = {r["fieldname"]: (r["oldvalue"], r["newvalue"]) for r in rows}
    assert found["assignment_group"] == ("", network)
    assert found["work_notes"] == ("JOURNAL FIELD ADDITION", "called the user")
    assert "sys_updated_on" not in found and "sys_mod_count" not in found


def test_emulator_refuses_an_audit_read_the_acl_denies_with_the_platform_envelope(emulator):
    emulator.security.deny_read("sys_audit", "itil")

    response = requests.get(f"{emulator.url}/api/now/table/sys_audit", auth=("itil", "itil"),
                            headers={"Accept": "application/json"}, timeout=5)

    assert response.status_code == 403
    assert response.json()["status"] == "failure"
    assert set(response.json()["error"]) == {"message", "detail"}
    assert table_api(emulator, "GET", "sys_audit", user="admin",
                     params={"sysparm_limit": "1"}).status_code == 200
