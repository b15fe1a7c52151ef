"""Actions do what they say on Jira: every parameter lands or the action fails with nothing
posted; the comment reporting an escalation follows the escalation; comments are the text."""

from __future__ import annotations

from typing import Any

from csi_rules.adapter import ActionRequest

ALEX = "5b10ac8d82e05b22cc7d4ef5"


def _run(adapter: Any, key: str, kind: str, params: dict[str, Any], idem: str = "idem-1"):
    record = adapter.fetch_record(key)
    return adapter.apply_action(ActionRequest(kind, params, record.id, idem), record,
                                dry_run=False)


def _writes(emulator: Any) -> list[Any]:
    return [e for e in emulator.exchanges if e.method in ("POST", "PUT")
            and not e.path.endswith("/search/jql")]


def test_escalate_to_a_person_assigns_then_says_so(emulator, make_adapter):
    adapter = make_adapter(emulator)
    result = _run(adapter, "ITSM-2", "escalate", {"level": 2, "assignee": ALEX,
                                                   "reason": "P1 unacknowledged"})
    assert result.status == "applied"
    issue = emulator.site.issues["ITSM-2"]
    assert issue.assignee == ALEX
    assert [c.body for c in issue.comments] == ["Escalated to level 2: P1 unacknowledged"]


def test_escalate_to_a_group_without_a_group_field_posts_no_claim(emulator, make_adapter):
    adapter = make_adapter(emulator, field_map={})
    result = _run(adapter, "ITSM-2", "escalate", {"level": 2, "group": "major-incident",
                                                   "reason": "P1 for 2 hours"})
    assert result.status == "failed"
    assert "field_map.assignment_group" in result.detail
    assert emulator.site.issues["ITSM-2"].comments == [] and _writes(emulator) == []


def test_escalate_to_a_level_alone_is_refused_not_turned_into_a_comment(emulator, make_adapter):
    adapter = make_adapter(emulator)
    result = _run(adapter, "ITSM-2", "escalate", {"level": 3})
    assert result.status == "failed" and "needs one of assignee, group" in result.detail
    assert emulator.site.issues["ITSM-2"].comments == []


def test_escalate_to_a_rota_is_refused(emulator, make_adapter):
    adapter = make_adapter(emulator)
    result = _run(adapter, "ITSM-2", "escalate", {"rota": "infra-on-call", "group": "ops"})
    assert result.status == "failed" and "cannot carry out 'rota'" in result.detail
    assert _writes(emulator) == []


def test_request_approval_is_refused_with_what_to_use_instead(emulator, make_adapter):
    adapter = make_adapter(emulator)
    result = _run(adapter, "ITSM-1", "request_approval", {"group": "cab"})
    assert result.status == "failed" and "jira.transition" in result.detail


def test_a_public_comment_is_the_text_and_the_key_stays_out_of_sight(emulator, make_adapter):
    adapter = make_adapter(emulator)
    text = "We restarted the VPN gateway; please try again."
    assert _run(adapter, "ITSM-1", "comment", {"text": text, "visibility": "public"},
                "decision/3#0:comment").status == "applied"
    assert _run(adapter, "ITSM-1", "comment", {"text": text, "visibility": "public"},
                "decision/3#0:comment").status == "already_applied"
    (comment,) = emulator.site.issues["ITSM-1"].comments
    assert comment.body == text and "decision/3" not in comment.body
