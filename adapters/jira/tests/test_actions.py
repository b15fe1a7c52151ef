"""Actions over HTTP: each applies once; repeats, lost answers and dry runs change nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from csi_rules.adapter import ActionRequest
from csi_rules.errors import AdapterUnavailable

ALEX = "5b10ac8d82e05b22cc7d4ef5"


def _run(adapter: Any, key: str, kind: str, params: dict[str, Any], idem: str = "idem-1",
         dry_run: bool = False):
    record = adapter.fetch_record(key)
    return adapter.apply_action(ActionRequest(kind, params, record.id, idem), record,
                                dry_run=dry_run)


def _writes(emulator: Any) -> list[Any]:
    return [e for e in emulator.exchanges if e.method in ("POST", "PUT")
            and not e.path.endswith("/search/jql")]


def test_transition_by_name_then_repeat(emulator, make_adapter):
    adapter = make_adapter(emulator)
    first = _run(adapter, "ITSM-1", "jira.transition", {"name": "start progress"})
    assert first.status == "applied" and "In Progress" in first.detail
    assert emulator.site.issues["ITSM-1"].status == "In Progress"
    posted = [json.loads(e.request_body) for e in emulator.exchanges
              if e.path.endswith("/transitions") and e.method == "POST"]
    assert posted == [{"transition": {"id": "11"}}]            # id looked up by name
    again = _run(adapter, "ITSM-1", "jira.transition", {"name": "Start progress"})
    assert again.status == "already_applied"
    assert len([e for e in emulator.exchanges if e.path.endswith("/transitions")
                and e.method == "POST"]) == 1


def test_transition_to_status_and_unknown_names(emulator, make_adapter):
    adapter = make_adapter(emulator)
    assert _run(adapter, "OPS-2", "jira.transition", {"to": "Done"}).status == "applied"
    assert _run(adapter, "OPS-2", "jira.transition", {"to": "Done"}, "other").status == \
        "already_applied"
    missing = _run(adapter, "OPS-1", "jira.transition", {"name": "Teleport"})
    assert missing.status == "failed" and "available: Done, Start Progress" in missing.detail


def test_assign_uses_account_id_on_cloud_and_name_on_dc(emulator, dc_emulator, make_adapter):
    for emu, expected in ((emulator, {"accountId": ALEX}), (dc_emulator, {"name": "alex"})):
        adapter = make_adapter(emu)
        who = ALEX if emu.site.is_cloud else "alex"
        assert _run(adapter, "ITSM-1", "assign", {"assignee": who}).status == "applied"
        assert _run(adapter, "ITSM-1", "assign", {"assignee": who}).status == "already_applied"
        bodies = [json.loads(e.request_body) for e in emu.exchanges if e.path.endswith("/assignee")]
        assert bodies == [expected]
        assert emu.site.issues["ITSM-1"].assignee == ALEX


def test_edit_fields_priority_and_group(emulator, make_adapter):
    adapter = make_adapter(emulator)
    assert _run(adapter, "ITSM-1", "set_priority", {"priority": 1}).status == "applied"
    assert emulator.site.issues["ITSM-1"].priority == "Highest"
    assert _run(adapter, "ITSM-1", "set_priority", {"priority": 1}).status == "already_applied"
    assert _run(adapter, "ITSM-1", "set_field", {"field": "urgency", "value": "Critical"}
                ).status == "applied"
    assert emulator.site.issues["ITSM-1"].custom["customfield_10051"] == "Critical"
    assert _run(adapter, "ITSM-1", "assign", {"group": "dba"}).status == "applied"
    body = json.loads(_writes(emulator)[-1].request_body)
    assert body == {"fields": {"customfield_10060": {"name": "dba"}}}
    bad = _run(adapter, "ITSM-1", "set_field", {"field": "Urgency", "value": "Whenever"})
    assert bad.status == "failed" and "Option value 'Whenever' is not valid" in bad.detail


def test_comment_is_adf_on_cloud_plain_on_dc_and_never_posted_twice(emulator, dc_emulator,
                                                                   make_adapter):
    for emu in (emulator, dc_emulator):
        adapter = make_adapter(emu)
        params = {"text": "Line one\nline two", "visibility": "public"}
        assert _run(adapter, "OPS-1", "comment", params).status == "applied"
        assert _run(adapter, "OPS-1", "comment", params).status == "already_applied"
        (post,) = [json.loads(e.request_body) for e in emu.exchanges
                   if e.path.endswith("/comment") and e.method == "POST"]
        if emu.site.is_cloud:
            assert post["body"]["type"] == "doc" and post["body"]["version"] == 1
        else:
            assert post["body"] == "Line one\nline two"
        assert len(emu.site.issues["OPS-1"].comments) == 1
        assert _run(adapter, "OPS-1", "comment", params, idem="next-day").status == "applied"
        assert len(emu.site.issues["OPS-1"].comments) == 2


def test_internal_and_public_comments_on_service_desk(emulator, make_adapter):
    adapter = make_adapter(emulator)
    _run(adapter, "ITSM-1", "comment", {"text": "agents only", "visibility": "internal"}, "a")
    _run(adapter, "ITSM-1", "comment", {"text": "hello customer", "visibility": "public"}, "b")
    page = [e for e in emulator.exchanges if e.path.endswith("/comment") and e.method == "GET"]
    assert page
    comments = emulator.site.issues["ITSM-1"].comments
    assert [c.properties["sd.public.comment"] for c in comments] == [
        {"internal": True}, {"internal": False}]


def test_internal_comment_on_plain_project_uses_configured_visibility(emulator, make_adapter):
    adapter = make_adapter(emulator, internal_comment_visibility={"type": "role",
                                                                  "value": "Developers"})
    _run(adapter, "OPS-1", "comment", {"text": "team only"})
    assert emulator.site.issues["OPS-1"].comments[0].visibility == {"type": "role",
                                                                     "value": "Developers"}


def test_lost_answer_is_not_retried_and_the_repeat_finds_the_comment(emulator, make_adapter):
    adapter = make_adapter(emulator)
    emulator.faults.add(r"/issue/OPS-1/comment$", method="POST", mode="drop_after_apply")
    with pytest.raises(AdapterUnavailable):
        _run(adapter, "OPS-1", "comment", {"text": "once"})
    assert len(emulator.site.issues["OPS-1"].comments) == 1     # applied, answer lost
    assert _run(adapter, "OPS-1", "comment", {"text": "once"}).status == "already_applied"
    assert len(emulator.site.issues["OPS-1"].comments) == 1


def test_writes_are_not_retried_on_429(emulator, make_adapter, sleeps):
    adapter = make_adapter(emulator)
    emulator.faults.add(r"/issue/OPS-1$", method="PUT", status=429, retry_after=1)
    with pytest.raises(AdapterUnavailable, match="429"):
        _run(adapter, "OPS-1", "set_priority", {"priority": 2})
    puts = [e for e in emulator.exchanges if e.method == "PUT"]
    assert len(puts) == 1 and sleeps == []
    assert _run(adapter, "OPS-1", "set_priority", {"priority": 2}).status == "applied"


def test_link_issues_once(emulator, make_adapter):
    adapter = make_adapter(emulator)
    params = {"type": "Blocks", "issue": "OPS-1"}
    assert _run(adapter, "ITSM-2", "jira.link", params).status == "applied"
    assert _run(adapter, "ITSM-2", "jira.link", params).status == "already_applied"
    assert emulator.site.links == [{"id": emulator.site.links[0]["id"], "type": "Blocks",
                                    "inward": "ITSM-2", "outward": "OPS-1"}]
    links = adapter.fetch_record("OPS-1").get("raw.links")
    assert links == [{"type": "Blocks", "direction": "inward", "issue": "ITSM-2"}]


def test_block_adds_label_and_internal_comment(emulator, make_adapter):
    adapter = make_adapter(emulator)
    assert _run(adapter, "OPS-2", "block", {"reason": "change freeze"}).status == "applied"
    assert _run(adapter, "OPS-2", "block", {"reason": "change freeze"}).status == "already_applied"
    issue = emulator.site.issues["OPS-2"]
    assert "csi-rules-blocked" in issue.labels and len(issue.comments) == 1


def test_dry_run_reads_but_never_writes(emulator, make_adapter):
    adapter = make_adapter(emulator)
    for kind, params in (("comment", {"text": "x"}), ("set_priority", {"priority": 5}),
                         ("jira.transition", {"name": "Resolve"}),
                         ("jira.link", {"type": "Relates", "issue": "OPS-2"}),
                         ("assign", {"assignee": ALEX}),
                         ("jira.answer_approval", {"decision": "decline", "approval": "1"})):
        key = "ITSM-3" if kind == "jira.answer_approval" else "ITSM-1"
        result = _run(adapter, key, kind, params, dry_run=True)
        assert result.status == "skipped" and result.detail.startswith("dry run: would"), result
    assert _writes(emulator) == []


def test_actions_jira_cannot_apply_are_skipped_or_refused_with_a_reason(emulator, make_adapter):
    adapter = make_adapter(emulator)
    result = _run(adapter, "ITSM-1", "notify", {"to": ["x"], "message": "m"})
    assert result.status == "skipped" and "channels" in result.detail
    other = _run(adapter, "ITSM-1", "servicenow.thing", {})
    assert other.status == "failed" and "cannot carry out action 'servicenow.thing'" in other.detail
    assert _writes(emulator) == []


def test_escalate_sets_the_group_and_explains_once(emulator, make_adapter):
    adapter = make_adapter(emulator)
    params = {"group": "major-incident", "reason": "P1 open for 2 hours", "level": 2}
    assert _run(adapter, "ITSM-2", "escalate", params).status == "applied"
    assert _run(adapter, "ITSM-2", "escalate", params).status == "already_applied"
    issue = emulator.site.issues["ITSM-2"]
    assert issue.custom["customfield_10060"] == "major-incident"
    assert [c.body for c in issue.comments] == ["Escalated to level 2: P1 open for 2 hours"]
