"""Policies name people as admins know them; Jira Cloud assigns by accountId, so the adapter
looks the name up once and assigns only on exactly one match."""

from __future__ import annotations

from typing import Any

from csi_rules.adapter import ActionRequest

DUTY_MANAGER = "5b10ac8d82e05b22cc7d4e01"  # duty.manager@example.com in the emulator seed


def _run(adapter: Any, key: str, kind: str, params: dict[str, Any]):
    record = adapter.fetch_record(key)
    return adapter.apply_action(ActionRequest(kind, params, record.id, "idem-1"), record,
                                dry_run=False)


def test_a_user_name_is_assigned_by_its_account_id_on_cloud(emulator, make_adapter):
    adapter = make_adapter(emulator)
    result = _run(adapter, "ITSM-2", "escalate", {"level": 3, "assignee": "duty.manager",
                                                   "reason": "nobody picked it up"})
    assert result.status == "applied", result.detail
    assert emulator.site.issues["ITSM-2"].assignee == DUTY_MANAGER
    searches = [e for e in emulator.exchanges if e.path.endswith("/user/search")]
    _run(adapter, "ITSM-1", "assign", {"assignee": "duty.manager"})
    again = [e for e in emulator.exchanges if e.path.endswith("/user/search")]
    assert len(searches) == len(again) == 1, "looked up once per adapter"


def test_an_unknown_name_fails_and_writes_nothing(emulator, make_adapter):
    adapter = make_adapter(emulator)
    result = _run(adapter, "ITSM-2", "escalate", {"level": 3, "assignee": "nobody.here",
                                                   "reason": "x"})
    assert result.status == "failed"
    assert "no Jira user match 'nobody.here'" in result.detail
    assert emulator.site.issues["ITSM-2"].comments == []
