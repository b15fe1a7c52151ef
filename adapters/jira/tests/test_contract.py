"""Every exchange between the adapter and the emulator conforms to Atlassian's OpenAPI documents."""

from __future__ import annotations

import json
from typing import Any

import pytest

from csi_rules.adapter import ActionRequest, RecordQuery
from csi_rules.errors import RecordNotFound
from csi_rules_jira.emulator.http import Exchange


def _exchange(method: str, path: str, status: int, body: Any, request: Any = None,
              query: str = "") -> Exchange:
    raw = b"" if body is None else json.dumps(body).encode()
    req = b"" if request is None else json.dumps(request).encode()
    return Exchange(method, path, query, {}, req, status, {}, raw)


def test_checker_accepts_the_official_samples_and_rejects_broken_ones(contract: Any,
                                                                      shared: Any) -> None:
    samples = shared / "reference" / "samples"
    search = json.loads((samples / "jira" / "get_rest_api_3_search_jql.200.json").read_text())
    assert contract.problems(_exchange("GET", "/rest/api/3/search/jql", 200, search)) == []
    sla = json.loads((samples / "jsm" / "get_rest_servicedeskapi_request_issueIdOrKey_sla.200.json")
                     .read_text())
    sla_path = "/rest/servicedeskapi/request/X-1/sla"
    assert contract.problems(_exchange("GET", sla_path, 200, sla)) == []
    broken = dict(search, isLast="yes")
    assert contract.problems(_exchange("GET", "/rest/api/3/search/jql", 200, broken))
    sla["values"][0]["ongoingCycle"]["elapsedTime"]["millis"] = "94 minutes"
    assert contract.problems(_exchange("GET", "/rest/servicedeskapi/request/X-1/sla", 200, sla))
    bad_request = {"jql": "project = X", "maxResults": "fifty"}
    assert contract.problems(_exchange("POST", "/rest/api/3/search/jql", 200, {"issues": []},
                                       request=bad_request))
    assert contract.problems(_exchange("GET", "/rest/api/3/issue/X-1", 429, {"message": 1}))


def _scenario(adapter: Any, emulator: Any) -> None:
    records = {r.label: r for r in adapter.fetch_records(RecordQuery(kinds=()))}
    adapter.fetch_record("ITSM-2")
    emulator.faults.add(r"/search/jql$", status=429, retry_after=1)
    list(adapter.fetch_records(RecordQuery(kinds=(), since=records["ITSM-1"].data["updated_at"])))
    steps = [
        ("comment", {"text": "Looking into it", "visibility": "internal"}, "ITSM-1"),
        ("comment", {"text": "Public note", "visibility": "public"}, "ITSM-2"),
        ("comment", {"text": "Ops note"}, "OPS-1"),
        ("assign", {"assignee": "5b10ac8d82e05b22cc7d4ef5", "group": "service-desk"}, "ITSM-1"),
        ("set_priority", {"priority": 1}, "ITSM-1"),
        ("set_field", {"field": "urgency", "value": "Critical"}, "ITSM-1"),
        ("set_field", {"field": "backout_plan", "value": "Roll back"}, "ITSM-3"),
        ("jira.transition", {"name": "Start progress"}, "ITSM-1"),
        ("jira.link", {"type": "Blocks", "issue": "OPS-1"}, "ITSM-2"),
        ("jira.answer_approval", {"decision": "approve"}, "ITSM-3"),
        ("block", {"reason": "Change freeze"}, "OPS-2"),
    ]
    for i, (kind, params, key) in enumerate(steps):
        action = ActionRequest(kind, params, records[key].id, f"contract-{i}")
        for _ in range(2):
            result = adapter.apply_action(action, records[key], dry_run=False)
            assert result.status in ("applied", "already_applied"), result


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
def test_every_exchange_matches_the_official_schemas(deployment: str, emulator: Any,
                                                     dc_emulator: Any, make_adapter: Any,
                                                     contract: Any) -> None:
    emu = emulator if deployment == "Cloud" else dc_emulator
    adapter = make_adapter(emu)
    _scenario(adapter, emu)
    with pytest.raises(RecordNotFound):
        adapter.fetch_record("ITSM-999")
    assert emu.exchanges, "nothing was recorded"
    statuses = {e.status for e in emu.exchanges}
    assert {200, 201, 204, 429}.issubset(statuses) or deployment == "Server"
    problems = [p for e in emu.exchanges for p in contract.problems(e)]
    assert problems == [], "\n".join(problems[:20])
    paths = {e.path.split("/")[3] if e.path.startswith("/rest/api") else e.path.split("/")[2]
             for e in emu.exchanges}
    assert "servicedeskapi" in paths


def test_emulator_error_answers_match_the_schemas(emulator: Any, make_adapter: Any,
                                                  contract: Any) -> None:
    import requests

    adapter = make_adapter(emulator)
    auth = adapter.config.auth_header.reveal()
    base = emulator.url
    calls = [
        ("GET", "/rest/api/3/search", None),                       # 410 removed on Cloud
        ("POST", "/rest/api/3/search/jql", {"jql": "ORDER BY key"}),  # unbounded: 400
        ("POST", "/rest/api/3/search/jql", {"jql": "project = ITSM AND updated >= \"x\""}),
        ("GET", "/rest/api/3/issue/NOPE-1", None),
        ("PUT", "/rest/api/3/issue/ITSM-1", {"fields": {"description": "plain"}}),
        ("POST", "/rest/api/3/issue/ITSM-1/comment", {"body": "plain text on v3"}),
        ("POST", "/rest/api/3/issue/ITSM-1/transitions", {"transition": {"id": "999"}}),
        ("PUT", "/rest/api/3/issue/ITSM-1/assignee", {"name": "alex"}),
        ("GET", "/rest/servicedeskapi/request/OPS-1/sla", None),
        ("POST", "/rest/servicedeskapi/request/ITSM-4/approval/2", {"decision": "approve"}),
    ]
    for method, path, body in calls:
        response = requests.request(method, base + path, json=body,
                                    headers={"Authorization": auth}, timeout=5)
        assert response.status_code >= 400, (method, path)
    requests.get(base + "/rest/api/3/myself", headers={"Authorization": "Basic bm9wZTpub3Bl"},
                 timeout=5)
    statuses = sorted(e.status for e in emulator.exchanges)
    assert {400, 401, 404, 409, 410}.issubset(statuses)
    problems = [p for e in emulator.exchanges for p in contract.problems(e)]
    assert problems == [], "\n".join(problems)
