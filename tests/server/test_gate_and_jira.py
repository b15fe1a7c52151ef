"""POST /v1/gate answers what `csi-rules gate` answers; Jira webhooks are verified, deduped and
queued for the Jira adapter, and the runner re-reads and evaluates the issue."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime

import pytest
import requests

from csi_rules.runtime import ManualClock, parse_config
from csi_rules.server import CsiServer
from csi_rules.server.service import server_context
from csi_rules_jira.adapter import JiraAdapter
from csi_rules_jira.config import parse_config as jira_config
from csi_rules_jira.emulator import JiraEmulator
from tests.conftest import POLICIES
from tests.runtime.conftest import write_config

GOOD_CHANGE = {"id": "g1", "kind": "change", "change_type": "normal", "risk": "high",
               "approval": "approved", "planned_start": "2026-03-10T20:00:00Z",
               "planned_end": "2026-03-10T23:00:00Z", "implementation_plan": "deploy v2",
               "backout_plan": "redeploy v1", "test_plan": "smoke tests",
               "configuration_items": ["pay-api-01"]}
NOW = "2026-03-10T21:00:00Z"


@pytest.fixture
def gate_server(tmp_path, plugins):
    text = (f"policies: [{POLICIES}]\nstate: {{database: {tmp_path / 'state.db'}}}\n"
            "adapters: [{name: servicenow, kinds: [change]}]\nserver: {port: 0}\n")
    config = parse_config(text, str(tmp_path / "runner.yaml"))
    clock = ManualClock(datetime(2026, 3, 10, 21, tzinfo=UTC))
    ctx = server_context(config, clock, {}, plugins=plugins)
    server = CsiServer(ctx)
    server.start()
    yield server
    server.stop()
    ctx.store.close()


@pytest.mark.parametrize("change", [GOOD_CHANGE, {**GOOD_CHANGE, "test_plan": " ",
                                                  "approval": "requested"}])
def test_gate_api_gives_the_cli_answer(gate_server, cli, tmp_path, change):
    path = tmp_path / "change.json"
    path.write_text(json.dumps(change))
    expected = cli("gate", "--policies", str(POLICIES), "--change", str(path), "--now", NOW,
                   "--format", "json")
    answer = requests.post(gate_server.url + "/v1/gate", json={"change": change, "now": NOW},
                           timeout=10)
    assert answer.status_code == 200
    assert answer.json() == json.loads(expected.out)
    text = requests.post(gate_server.url + "/v1/gate?format=text",
                         json={"change": change, "now": NOW}, timeout=10)
    expected_text = cli("gate", "--policies", str(POLICIES), "--change", str(path), "--now", NOW)
    assert text.text == expected_text.out


@pytest.mark.parametrize("body, status, reason", [
    ({"change": {"kind": "change"}}, 400, "id"),
    ({"change": GOOD_CHANGE, "now": "tomorrow"}, 400, "now"),
    ({"change": GOOD_CHANGE, "extra": 1}, 400, "unknown key"),
    ({"record": GOOD_CHANGE}, 400, "'change'"),
    ({"change": {**GOOD_CHANGE, "kind": "incident", "change_type": None, "risk": None,
                 "approval": None, "planned_start": None, "planned_end": None,
                 "implementation_plan": None, "backout_plan": None, "test_plan": None}},
     422, "no GatePolicy"),
])
def test_gate_api_bad_input_is_4xx_with_a_reason(gate_server, body, status, reason):
    body = {k: ({f: v for f, v in body[k].items() if v is not None}
                if isinstance(body[k], dict) else body[k]) for k in body}
    answer = requests.post(gate_server.url + "/v1/gate", json=body, timeout=10)
    assert answer.status_code == status, answer.text
    assert reason in answer.json()["error"]


JIRA_HOOK_SECRET = "emulator-webhook-secret"  # the Jira emulator seed's webhook secret


def test_jira_webhook_is_verified_deduplicated_and_evaluated(tmp_path, sn, clock, make_runner,
                                                             monkeypatch):
    monkeypatch.setenv("CSI_TEST_JIRA_HOOK", JIRA_HOOK_SECRET)
    monkeypatch.setenv("CSI_TEST_JIRA_TOKEN", "emulator-api-token")
    jira_settings = {"auth": {"email": "mia@example.com", "token_env": "CSI_TEST_JIRA_TOKEN"},
                     "projects": ["ITSM", "OPS"]}
    with JiraEmulator(clock=clock.now) as emulator:
        settings = {"base_url": emulator.url, "allow_insecure_loopback": True, **jira_settings}
        config = write_config(tmp_path, sn, more_adapters=(
            {"name": "jira", "kinds": ["incident", "request"], "settings": settings},),
            server={"port": 0, "webhooks": {"jira": {"adapter": "jira",
                                                     "secretEnv": "CSI_TEST_JIRA_HOOK"}}})
        adapter = JiraAdapter(jira_config(settings), sleep=clock.advance, clock=clock.now)
        runner = make_runner(config, sn, extra_adapters={"jira": adapter})
        runner.run_once()
        record = adapter.fetch_record("ITSM-1")
        from csi_rules.adapter import ActionRequest
        adapter.apply_action(ActionRequest("comment", {"text": "hi"}, record.id, "w"), record,
                             dry_run=False)
        delivery = emulator.outbox.deliveries[-1]
        ctx = server_context(runner.config, clock, os.environ, runner=runner)
        with CsiServer(ctx) as server:
            url = server.url + "/webhooks/jira"
            forged = requests.post(url, data=delivery.body + b" ", headers=delivery.headers,
                                   timeout=5)
            assert forged.status_code == 401 and "X-Hub-Signature" in forged.json()["error"]
            assert not runner.store.wakeups(limit=1000) or all(
                w.adapter != "jira" for w in runner.store.wakeups(limit=1000))
            first = requests.post(url, data=delivery.body, headers=delivery.headers, timeout=5)
            assert first.status_code == 202
            assert first.json()["queued"] == {"adapter": "jira", "record": record.id,
                                              "kind": ""}
            again = requests.post(url, data=delivery.body, headers=delivery.headers, timeout=5)
            assert again.status_code == 200 and "duplicate" in again.json()
        ctx.store.close()
        report = runner.run_once()
        assert report.wakeups >= 1 and not report.errors
        assert not any(w.adapter == "jira" and w.reason == "webhook"
                       for w in runner.store.wakeups(limit=1000))
        adapter.close()
