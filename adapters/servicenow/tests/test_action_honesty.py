"""Actions do what they say: every parameter is written or the action fails with nothing written;
a note reporting an action follows the action; public comments carry no idempotency marker."""

from __future__ import annotations

from datetime import timedelta

from csi_rules.adapter import ActionRequest
from csi_rules_servicenow.actions.handlers import HANDLERS

INC = "ef43c6d40a0a0b5700c77f9bf387afe3"  # INC0000050 in the default seed
CHG = "c83c5e5347c12200e0ef563dbb9a7190"  # CHG0040007
BETH = "46d44a23a9fe19810012d100cca80666"
NETWORK = "d625dccec0a8016700a222a0f7900d06"


def act(adapter, type_, params, *, record_id=INC, key="k1", **request):
    record = adapter.fetch_record(record_id)
    return adapter.apply_action(ActionRequest(type_, params, record_id, key, **request), record,
                                dry_run=False)


def journal(emulator, element="work_notes", sys_id=INC):
    return [r for r in emulator.store.rows("sys_journal_field")
            if r["element_id"] == sys_id and r["element"] == element]


def test_escalate_to_a_person_sets_assigned_to_then_notes_it(emulator, adapter):
    result = act(adapter, "escalate", {"level": 2, "group": "Network", "assignee": "beth.anglin",
                                       "reason": "P1 unacknowledged"})
    assert result.status == "applied"
    row = emulator.store.get("incident", INC)
    assert (row["escalation"], row["assignment_group"], row["assigned_to"]) == ("2", NETWORK, BETH)
    assert [n["value"].split("\n")[0] for n in journal(emulator)] == ["Escalated: P1 unacknowledged"]


def test_escalate_to_a_rota_fails_and_writes_nothing(emulator, adapter):
    result = act(adapter, "escalate", {"level": 2, "rota": "infra-on-call", "reason": "P1"})
    assert result.status == "failed"
    assert "cannot carry out 'rota'" in result.detail and "nothing was written" in result.detail
    assert emulator.count("PATCH", "/api/now/table/") == 0 and journal(emulator) == []


def test_escalate_with_only_a_reason_claims_nothing(emulator, adapter):
    result = act(adapter, "escalate", {"reason": "please look"})
    assert result.status == "failed" and "needs one of level, group, assignee" in result.detail
    assert journal(emulator) == []


def test_an_escalation_level_the_instance_cannot_hold_is_refused_not_capped(emulator, adapter):
    result = act(adapter, "escalate", {"level": 5, "reason": "very late"})
    assert result.status == "failed" and "maximum of 3" in result.detail
    assert emulator.store.get("incident", INC)["escalation"] != "3" and journal(emulator) == []


def test_a_failed_escalation_write_leaves_no_note(emulator, adapter):
    emulator.faults.add("status", method="PATCH", status=403, times=1)
    result = act(adapter, "escalate", {"group": "Network", "reason": "P1"})
    assert result.status == "failed" and journal(emulator) == []


def test_request_approval_with_a_quorum_is_refused_rather_than_ignored(emulator, adapter):
    result = act(adapter, "request_approval", {"group": "Software", "quorum": 2}, record_id=CHG)
    assert result.status == "failed" and "request_approval.quorum 2" in result.detail
    assert [r for r in emulator.store.rows("sysapproval_group") if r["parent"] == CHG] == []


def test_a_public_comment_is_exactly_the_policy_text(emulator, adapter):
    text = "We are working on it. Next update by 14:00."
    assert act(adapter, "comment", {"text": text, "visibility": "public"},
               key="decision/7#0:comment", fresh=True).status == "applied"
    assert [r["value"] for r in journal(emulator, "comments")] == [text]
    shown = adapter.client.get("incident", INC, {"sysparm_fields": "comments",
                                                 "sysparm_display_value": "true"})["comments"]
    assert "csi-rules" not in shown and text in shown


def test_a_retried_public_comment_is_matched_by_text_author_and_time(emulator, adapter, clock):
    decided = clock.now()
    params = {"text": "Your laptop is ready for pickup", "visibility": "public"}
    assert act(adapter, "comment", params, fresh=True, decided_at=decided).status == "applied"
    clock.advance(600)  # a crash lost the ledger update; the retry comes ten minutes later
    again = act(adapter, "comment", params, fresh=False, decided_at=decided)
    assert again.status == "already_applied"
    assert len(journal(emulator, "comments")) == 1


def test_the_same_text_from_a_person_or_an_earlier_decision_does_not_count(emulator, adapter,
                                                                         clock):
    text = "Please confirm the issue is resolved"
    emulator.store.update("incident", INC, {"comments": text}, "beth.anglin")  # a person's
    clock.advance(3600)
    assert act(adapter, "comment", {"text": text, "visibility": "public"},
               key="yesterday").status == "applied"  # our own, an hour later
    clock.advance(86400)
    retry = act(adapter, "comment", {"text": text, "visibility": "public"}, key="today",
                fresh=False, decided_at=clock.now() - timedelta(seconds=30))
    assert retry.status == "applied", "today's reminder is a new comment"
    assert len(journal(emulator, "comments")) == 3


def test_a_lost_answer_on_a_public_comment_is_settled_by_the_read_back(emulator, make, clock):
    adapter = make(emulator, timeouts={"connect": 2, "read": 0.3})
    emulator.faults.add("drop", method="PATCH", when="after")
    result = act(adapter, "comment", {"text": "Engineer on site", "visibility": "public"},
                 fresh=True, decided_at=clock.now())
    assert result.status == "applied"
    assert [r["value"] for r in journal(emulator, "comments")] == ["Engineer on site"]


def test_work_notes_keep_their_marker_for_agents_only(emulator, adapter):
    act(adapter, "comment", {"text": "internal"}, key="k-note")
    assert journal(emulator)[0]["value"].endswith("[csi-rules:k-note]")


def test_every_declared_action_has_a_handler_and_every_handler_is_declared():
    from csi_rules_servicenow.actions.capabilities import capabilities

    caps = capabilities()
    assert set(caps.actions) | set(caps.skipped) == set(HANDLERS)
    assert "rota" not in caps.actions["escalate"].params
