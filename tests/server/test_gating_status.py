"""`csi-rules serve` answers Jira's deployment-gating question with the csi-rules gate, over
real HTTP, for deployments a pipeline submitted to the Jira emulator (Cloud): awaiting while
the change waits for approval, allowed once approved, prevented on a decline or on a blocking
check Jira's own gating does not know (a missing backout plan), and never allowed for what it
cannot judge (no such deployment, no change associated, no GatePolicy for changes)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from csi_rules.change.lifecycle import ChangeRequest
from csi_rules.runtime import ManualClock, parse_config
from csi_rules.server import CsiServer
from csi_rules.server.service import server_context
from csi_rules_jira.emulator import JiraEmulator
from csi_rules_jira.emulator.change_project import with_change_project
from csi_rules_jira.emulator.seed import load_seed
from csi_rules_jira.plugin import adapter_factory

GATE = """apiVersion: csi-rules/v1
kind: GatePolicy
metadata: {name: release-gate}
spec:
  checks:
    - {id: plans-present, type: required_fields, fields: [backout_plan]}
    - {id: approved, type: approval}
    - {id: inside-window, type: in_window}
"""
INCIDENTS_ONLY = GATE.replace("spec:\n", "spec:\n  appliesTo: [incident]\n")
FIELD_MAP = {"change_type": "customfield_10070", "planned_start": "customfield_10072",
             "planned_end": "customfield_10073", "backout_plan": "customfield_10074"}
START, END = datetime(2026, 3, 10, 20, tzinfo=UTC), datetime(2026, 3, 10, 23, tzinfo=UTC)
TOKEN = "gating-test-token"  # test-only bearer token of server.gate
PIPELINE, ENVIRONMENT = "acme/pay-api", "production"
APPROVER = ("duty.manager@example.com", "duty-manager-api-token")  # emulator seed user


@pytest.fixture
def jira() -> Iterator[JiraEmulator]:
    with JiraEmulator(seed=with_change_project(load_seed(None))) as emulator:
        yield emulator


def settings(jira: JiraEmulator) -> dict[str, Any]:
    return {"base_url": jira.url, "allow_insecure_loopback": True,
            "auth": {"email": "mia@example.com", "token_env": "CSI_TEST_JIRA_TOKEN"},
            "projects": ["CHG", "OPS"], "service_desk_projects": ["CHG"],
            "field_map": FIELD_MAP, "changes": {"project": "CHG"},
            "max_retries": 0}  # an unreachable site answers at once


def serve(tmp_path: Path, jira: JiraEmulator, policy: str = GATE) -> tuple[CsiServer, Any]:
    policies = tmp_path / "policies"
    policies.mkdir(exist_ok=True)
    (policies / "gate.yaml").write_text(policy)
    text = json.dumps({"policies": [str(policies)], "state": {"database": str(tmp_path / "s.db")},
                       "adapters": [{"name": "jira", "kinds": ["change"],
                                     "settings": settings(jira)}],
                       "server": {"port": 0, "gate": {"secretEnv": "CSI_TEST_GATE_TOKEN"}}})
    config = parse_config(text, str(tmp_path / "runner.yaml"))
    ctx = server_context(config, ManualClock(datetime(2026, 3, 10, 21, tzinfo=UTC)), os.environ)
    server = CsiServer(ctx)
    server.start()
    return server, ctx


@pytest.fixture
def served(tmp_path, jira, monkeypatch) -> Iterator[CsiServer]:
    monkeypatch.setenv("CSI_TEST_JIRA_TOKEN", "emulator-api-token")
    monkeypatch.setenv("CSI_TEST_GATE_TOKEN", TOKEN)
    server, ctx = serve(tmp_path, jira)
    yield server
    server.stop()
    ctx.store.close()


def open_change(jira: JiraEmulator, run_id: str, number: int, **fields: Any) -> str:
    """What `csi-rules change open --pipeline ... --deployment-number N` does."""
    adapter = adapter_factory(settings(jira))
    try:
        adapter.target_deployment(PIPELINE, ENVIRONMENT, number)
        base = {"planned_start": START, "planned_end": END, "backout_plan": "redeploy v1"}
        return str(adapter.open_change(ChangeRequest(run_id, "normal", "Deploy pay-api",
                                                     {**base, **fields})).number)
    finally:
        adapter.close()


def decide(jira: JiraEmulator, key: str, decision: str) -> None:
    approval = next(a for a in jira.site.issue(key).approvals if a.final == "pending")
    reply = requests.post(f"{jira.url}/rest/servicedeskapi/request/{key}/approval/{approval.id}",
                          json={"decision": decision}, auth=APPROVER, timeout=5)
    assert reply.status_code == 200, reply.text


def path(number: int, pipeline: str = "acme%2Fpay-api") -> str:
    return (f"/rest/deployments/0.1/pipelines/{pipeline}/environments/{ENVIRONMENT}/"
            f"deployments/{number}/gating-status")


def ask(url: str, number: int, token: str | None = TOKEN) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(url + path(number), headers=headers, timeout=10)


def from_jira(jira: JiraEmulator, number: int) -> str:
    reply = requests.get(jira.url + path(number), auth=("mia@example.com", "emulator-api-token"),
                         timeout=5)
    return str(reply.json()["gatingStatus"])


def test_the_gate_answers_jiras_gating_question(served, jira):
    key = open_change(jira, "run-1", 1)
    first = ask(served.url, 1)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["gatingStatus"] == "awaiting" == from_jira(jira, 1)
    assert (body["pipelineId"], body["environmentId"], body["deploymentSequenceNumber"]) == (
        PIPELINE, ENVIRONMENT, 1)
    assert body["details"] == [{"type": "issue", "issueKey": key,
                                "issueLink": f"{jira.url}/browse/{key}"}]
    assert body["csiRules"]["changes"][0]["reasons"] == [
        "approved: approval is 'requested', needs approved"]
    decide(jira, key, "approve")
    assert ask(served.url, 1).json()["gatingStatus"] == "allowed" == from_jira(jira, 1)


def test_a_decline_and_a_blocking_check_jira_does_not_know_both_prevent(served, jira):
    declined = open_change(jira, "run-2", 2)
    decide(jira, declined, "decline")
    assert ask(served.url, 2).json()["gatingStatus"] == "prevented" == from_jira(jira, 2)
    no_plan = open_change(jira, "run-3", 3, backout_plan="")
    decide(jira, no_plan, "approve")
    assert from_jira(jira, 3) == "allowed"  # Jira sees only the approval
    answer = ask(served.url, 3).json()
    assert answer["gatingStatus"] == "prevented"
    assert "plans-present: empty or missing: backout_plan" in answer["csiRules"]["changes"][0][
        "reasons"]


def test_what_cannot_be_judged_is_never_allowed(served, jira):
    unknown = ask(served.url, 99)
    assert unknown.status_code == 200 and unknown.json()["gatingStatus"] == "invalid"
    assert unknown.json()["csiRules"]["reasons"] == ["the platform has no such deployment"]
    task = jira.site.create_issue("OPS", "Task", "not a change", reporter="")
    body = {"deployments": [{
        "deploymentSequenceNumber": 5, "updateSequenceNumber": 1, "displayName": "x",
        "url": "https://ci.example/5", "description": "x",
        "lastUpdated": "2026-03-10T21:00:00.000Z", "state": "pending",
        "pipeline": {"id": PIPELINE, "displayName": PIPELINE, "url": "https://ci.example"},
        "environment": {"id": ENVIRONMENT, "displayName": ENVIRONMENT, "type": "production"},
        "associations": [{"associationType": "issueIdOrKeys", "values": [task.key]}]}]}
    accepted = requests.post(jira.url + "/rest/deployments/0.1/bulk", json=body,
                             auth=("mia@example.com", "emulator-api-token"), timeout=5)
    assert accepted.json()["acceptedDeployments"]
    not_a_change = ask(served.url, 5).json()
    assert not_a_change["gatingStatus"] == "invalid" and not_a_change["details"] == []
    assert ask(served.url, 5, token=None).status_code == 401
    assert ask(served.url, 5, token="wrong").status_code == 401


def test_no_gate_policy_for_changes_is_invalid_not_allowed(tmp_path, jira, monkeypatch):
    monkeypatch.setenv("CSI_TEST_JIRA_TOKEN", "emulator-api-token")
    monkeypatch.setenv("CSI_TEST_GATE_TOKEN", TOKEN)
    key = open_change(jira, "run-4", 4)
    decide(jira, key, "approve")
    server, ctx = serve(tmp_path, jira, INCIDENTS_ONLY)
    try:
        answer = ask(server.url, 4).json()
        assert from_jira(jira, 4) == "allowed"
        assert answer["gatingStatus"] == "invalid"
        assert "no GatePolicy applies" in answer["csiRules"]["changes"][0]["reasons"][0]
    finally:
        server.stop()
        ctx.store.close()


def test_an_unreachable_platform_is_a_503_not_a_verdict(served, jira):
    open_change(jira, "run-6", 6)
    jira.stop()
    answer = ask(served.url, 6)
    assert answer.status_code == 503
    assert "cannot ask the platform now" in answer.json()[0]["message"]


def test_the_window_decides_too_awaiting_before_it_prevented_after(served, jira):
    early = open_change(jira, "run-7", 7, planned_start=datetime(2026, 3, 10, 22, tzinfo=UTC))
    late = open_change(jira, "run-8", 8, planned_start=datetime(2026, 3, 10, 18, tzinfo=UTC),
                       planned_end=datetime(2026, 3, 10, 19, tzinfo=UTC))
    for key in (early, late):
        decide(jira, key, "approve")
    assert from_jira(jira, 7) == from_jira(jira, 8) == "allowed"  # Jira sees the approval only
    assert ask(served.url, 7).json()["gatingStatus"] == "awaiting"   # serve's clock: 21:00
    assert ask(served.url, 8).json()["gatingStatus"] == "prevented"
