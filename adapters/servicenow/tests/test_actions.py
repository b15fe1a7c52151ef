"""Every action over real HTTP, and the idempotency that makes repeating or retrying them safe."""

from __future__ import annotations

import pytest

from csi_rules.adapter import ActionRequest

INC = "ef43c6d40a0a0b5700c77f9bf387afe3"  # INC0000050 in the default seed (IBM REST sample)
CHG = "c83c5e5347c12200e0ef563dbb9a7190"  # CHG0040007 (StackState sample)
NETWORK = "d625dccec0a8016700a222a0f7900d06"


def act(adapter, type_, params, record_id=INC, key="k1", dry_run=False):
    record = adapter.fetch_record(record_id)
    return adapter.apply_action(ActionRequest(type_, params, record_id, key), record,
                                dry_run=dry_run)


def row(emulator, sys_id=INC, table="incident"):
    return emulator.store.get(table, sys_id)


def notes(emulator, sys_id=INC, element="work_notes"):
    return [r for r in emulator.store.rows("sys_journal_field")
            if r["element_id"] == sys_id and r["element"] == element]


def test_assign_by_group_name_and_user_name_then_again_is_already_applied(emulator, adapter):
    result = act(adapter, "assign", {"group": "Network", "assignee": "beth.anglin"})
    assert result.status == "applied"
    assert row(emulator)["assignment_group"] == NETWORK
    assert row(emulator)["assigned_to"] == "46d44a23a9fe19810012d100cca80666"
    mods = row(emulator)["sys_mod_count"]
    again = act(adapter, "assign", {"group": "Network", "assignee": "Beth Anglin"}, key="k2")
    assert again.status == "already_applied"
    assert row(emulator)["sys_mod_count"] == mods, "no write when nothing differs"


def test_assign_to_an_unknown_group_fails_with_the_name(adapter):
    result = act(adapter, "assign", {"group": "Nope Team"})
    assert result.status == "failed" and "no group named 'Nope Team'" in result.detail


def test_set_priority_writes_impact_and_urgency_and_the_instance_derives_priority(emulator,
                                                                                adapter):
    result = act(adapter, "set_priority", {"priority": 5})
    assert result.status == "applied"
    current = row(emulator)
    assert (current["impact"], current["urgency"], current["priority"]) == ("3", "3", "5")
    assert adapter.fetch_record(INC).data["priority"] == 5


def test_set_priority_5_is_refused_on_a_4_level_instance(uci_emulator, make):
    adapter = make(uci_emulator, profile="uci")
    target = uci_emulator.store.rows("incident")[0]
    result = act(adapter, "set_priority", {"priority": 5}, record_id=target["sys_id"])
    assert result.status == "failed" and "priority 5 does not exist" in result.detail
    assert act(adapter, "set_priority", {"priority": 4}, record_id=target["sys_id"],
               key="k2").status == "applied"
    assert uci_emulator.store.get("incident", target["sys_id"])["priority"] == "4"


def test_work_note_is_added_once_however_often_the_action_repeats(emulator, adapter):
    for _ in range(3):
        result = act(adapter, "comment", {"text": "Breach in 30 min"}, key="sla-warn-1")
    assert result.status == "already_applied"
    entries = notes(emulator)
    assert len(entries) == 1 and entries[0]["value"].startswith("Breach in 30 min")
    assert "[csi-rules:sla-warn-1]" in entries[0]["value"]
    assert row(emulator)["work_notes"] == "", "journal fields read back empty"
    assert emulator.count("PATCH", f"/api/now/table/incident/{INC}") == 1


def test_public_comment_and_the_display_value_check(emulator, make):
    adapter = make(emulator, journal_check="display_value")
    first = act(adapter, "comment", {"text": "We are on it", "visibility": "public"})
    second = act(adapter, "comment", {"text": "We are on it", "visibility": "public"})
    assert (first.status, second.status) == ("applied", "already_applied")
    assert len(notes(emulator, element="comments")) == 1 and notes(emulator) == []


def test_a_new_key_adds_a_new_note(emulator, adapter):
    act(adapter, "comment", {"text": "same text"}, key="a")
    act(adapter, "comment", {"text": "same text"}, key="b")
    assert len(notes(emulator)) == 2


def test_request_approval_is_not_duplicated(emulator, adapter):
    first = act(adapter, "request_approval", {"group": "Software"}, record_id=CHG)
    second = act(adapter, "request_approval", {"group": "Software"}, record_id=CHG, key="k9")
    assert (first.status, second.status) == ("applied", "already_applied")
    groups = [r for r in emulator.store.rows("sysapproval_group") if r["parent"] == CHG]
    assert len(groups) == 1 and groups[0]["approval"] == "requested"
    assert emulator.count("POST", "/api/now/table/sysapproval_group") == 1


def test_hold_and_cancel_a_change_and_set_its_conflict_status(emulator, adapter):
    held = act(adapter, "servicenow.hold", {"reason": "CAB asked for a rollback plan"},
               record_id=CHG)
    assert held.status == "applied"
    assert row(emulator, CHG, "change_request")["on_hold"] == "true"
    assert act(adapter, "servicenow.set_conflict_status", {"status": "No Conflict"},
               record_id=CHG).status == "applied"
    assert row(emulator, CHG, "change_request")["conflict_status"] == "No Conflict"
    canceled = act(adapter, "servicenow.cancel", {"reason": "superseded"}, record_id=CHG)
    assert canceled.status == "applied"
    change = row(emulator, CHG, "change_request")
    assert (change["state"], change["active"]) == ("4", "false")
    assert len(notes(emulator, CHG)) == 1
    assert act(adapter, "servicenow.cancel", {"reason": "superseded"},
               record_id=CHG).status == "already_applied"


def test_block_holds_a_change_but_not_an_incident(emulator, adapter):
    assert act(adapter, "block", {"reason": "freeze"}, record_id=CHG).status == "applied"
    refused = act(adapter, "block", {"reason": "freeze"})
    assert refused.status == "failed" and "servicenow.hold" in refused.detail


def test_incident_hold_sets_state_and_reason_code(emulator, adapter):
    result = act(adapter, "servicenow.hold", {"reason": "waiting for vendor",
                                              "hold_reason": "awaiting_vendor"})
    assert result.status == "applied"
    current = row(emulator)
    assert (current["state"], current["incident_state"], current["hold_reason"]) == ("3", "3", "4")


def test_data_policy_rejection_is_a_failed_action_with_the_platform_words(emulator, adapter):
    result = act(adapter, "set_field", {"field": "state", "value": "3"})  # on hold, no reason
    assert result.status == "failed"
    assert "403" in result.detail and "mandatory" in result.detail
    assert row(emulator)["state"] == "2"


def test_set_field_on_a_column_the_table_lacks_is_refused_not_repeated_forever(emulator, adapter):
    result = act(adapter, "set_field", {"field": "u_no_such_column", "value": "x"})
    assert result.status == "failed" and "has no field u_no_such_column" in result.detail
    assert emulator.count("PATCH", "/api/now/table/") == 0


def test_set_field_and_set_state_and_escalate(emulator, adapter):
    assert act(adapter, "set_field", {"field": "category", "value": "network"}).status == "applied"
    assert act(adapter, "servicenow.set_state", {"state": "resolved"}).status == "applied"
    assert row(emulator)["state"] == "6"
    result = act(adapter, "escalate", {"level": 2, "group": "Database", "reason": "P1 breach"})
    assert result.status == "applied" and result.extra["steps"] == 2
    assert row(emulator)["escalation"] == "2"
    assert notes(emulator)[0]["value"].startswith("Escalated: P1 breach")


def test_dry_run_reads_but_never_writes(emulator, adapter):
    before = dict(row(emulator))
    result = act(adapter, "assign", {"group": "Network"}, dry_run=True)
    assert result.status == "skipped" and "would set assignment_group" in result.detail
    assert row(emulator) == before
    assert emulator.count("PATCH", "/api/now/table/") == 0


def test_notify_is_not_a_servicenow_write(adapter):
    result = act(adapter, "notify", {"to": ["oncall"], "message": "hi"})
    assert result.status == "skipped"


@pytest.mark.parametrize("kind", ["drop", "latency"])
def test_a_write_whose_answer_is_lost_is_confirmed_by_reading_not_resent(emulator, make, kind):
    adapter = make(emulator, timeouts={"connect": 2, "read": 0.3})
    emulator.faults.add(kind, method="PATCH", when="after", seconds=0.8)
    result = act(adapter, "comment", {"text": "only once"})
    assert result.status == "applied"
    assert emulator.count("PATCH", "/api/now/table/incident") == 1
    assert len(notes(emulator)) == 1
    assert act(adapter, "comment", {"text": "only once"}).status == "already_applied"


def test_a_write_that_never_arrived_fails_and_is_not_resent(emulator, adapter):
    emulator.faults.add("drop", method="PATCH", when="before")
    result = act(adapter, "comment", {"text": "lost"})
    assert result.status == "failed" and "did not land" in result.detail
    assert emulator.count("PATCH", "/api/now/table/incident") == 1 and notes(emulator) == []
    assert act(adapter, "comment", {"text": "lost"}).status == "applied"  # the next run
    assert len(notes(emulator)) == 1


@pytest.mark.parametrize("kind", ["drop", "status"])
def test_an_approval_post_that_landed_but_failed_is_not_duplicated(emulator, adapter, kind):
    emulator.faults.add(kind, method="POST", path="/api/now/table/sysapproval_group",
                        when="after", status=502)
    result = act(adapter, "request_approval", {"group": "Software"}, record_id=CHG)
    assert result.status == "applied"
    assert act(adapter, "request_approval", {"group": "Software"},
               record_id=CHG).status == "already_applied"
    assert len([r for r in emulator.store.rows("sysapproval_group") if r["parent"] == CHG]) == 1


def test_action_on_a_record_that_vanished_fails_cleanly(emulator, adapter):
    record = adapter.fetch_record(INC)
    emulator.store.delete("incident", INC)
    result = adapter.apply_action(ActionRequest("comment", {"text": "x"}, INC, "k"), record,
                                  dry_run=False)
    assert result.status == "failed" and "no longer exists" in result.detail
