"""The server over real loopback HTTP: webhooks feed the runner, bad requests change nothing."""

from __future__ import annotations

import json
import os
import socket

import pytest
import requests

from csi_rules.server import CsiServer
from csi_rules.server.service import server_context
from tests.runtime.conftest import new_incident, work_notes, write_config

SN_SECRET = "sn-hook-secret"  # test-only shared secret
HOOK = "/webhooks/servicenow"


@pytest.fixture
def served(tmp_path, sn, clock, make_runner, monkeypatch):
    monkeypatch.setenv("CSI_TEST_SN_HOOK", SN_SECRET)
    config = write_config(tmp_path, sn, backlog="act", server={  # act on the seeded backlog
        "port": 0, "maxBodyBytes": 2048,
        "webhooks": {"servicenow": {"adapter": "servicenow", "secretEnv": "CSI_TEST_SN_HOOK"}}})
    runner = make_runner(config, sn)
    runner.run_once()
    ctx = server_context(runner.config, clock, os.environ, runner=runner)
    server = CsiServer(ctx)
    server.start()
    yield server, runner
    server.stop()
    ctx.store.close()


def post(server, path, body, headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(server.url + path, data=data, headers=headers or {}, timeout=5)


def test_servicenow_webhook_queues_the_record_and_the_runner_acts_on_it(served, sn):
    server, runner = served
    inc = new_incident(sn, category="network")
    answer = post(server, HOOK, {"sys_id": inc, "table": "incident"},
                  {"X-CSI-Rules-Secret": SN_SECRET, "X-CSI-Rules-Delivery": "d-1"})
    assert answer.status_code == 202 and answer.json()["queued"]["record"] == inc
    queued = [w for w in runner.store.wakeups() if w.record_id == inc]
    assert len(queued) == 1 and queued[0].reason == "webhook" and queued[0].kind == "incident"
    again = post(server, HOOK, {"sys_id": inc, "table": "incident"},
                 {"X-CSI-Rules-Secret": SN_SECRET, "X-CSI-Rules-Delivery": "d-1"})
    assert again.status_code == 200 and again.json() == {"duplicate": "d-1"}

    report = runner.run_once()
    assert report.wakeups >= 1
    assert len(work_notes(sn, inc)) == 1
    assert not any(w.record_id == inc and w.reason == "webhook" for w in runner.store.wakeups())


@pytest.mark.parametrize("headers, body, status, reason", [
    ({"X-CSI-Rules-Secret": "wrong"}, {"sys_id": "x"}, 401, "X-CSI-Rules-Secret"),
    ({}, {"sys_id": "x"}, 401, "missing or wrong"),
    ({"X-CSI-Rules-Secret": SN_SECRET}, b"not json", 400, "not JSON"),
    ({"X-CSI-Rules-Secret": SN_SECRET}, {"number": "INC1"}, 400, "sys_id"),
    ({"X-CSI-Rules-Secret": SN_SECRET}, {"sys_id": "x", "table": "problem"}, 422, "not watched"),
])
def test_bad_webhooks_get_4xx_with_a_reason_and_queue_nothing(served, headers, body, status,
                                                              reason):
    server, runner = served
    before = runner.store.wakeups(limit=1000)
    answer = post(server, HOOK, body, headers)
    assert answer.status_code == status and reason in answer.json()["error"]
    assert runner.store.wakeups(limit=1000) == before


def test_bodies_over_the_limit_get_413_unread_and_missing_lengths_411(served):
    server, _ = served
    big = post(server, HOOK, {"sys_id": "x" * 5000}, {"X-CSI-Rules-Secret": SN_SECRET})
    assert big.status_code == 413 and "2048-byte limit" in big.json()["error"]
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(b"POST /v1/gate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        assert conn.recv(100).startswith(b"HTTP/1.1 411")


def test_unknown_routes_and_methods(served):
    server, _ = served
    assert requests.get(server.url + "/nope", timeout=5).status_code == 404
    assert requests.get(server.url + "/v1/gate", timeout=5).status_code == 405
    assert post(server, "/healthz", {}).status_code == 405


def test_healthz_and_prometheus_metrics(served):
    server, runner = served
    health = requests.get(server.url + "/healthz", timeout=5)
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert health.json()["policy_version"] == runner.policies.version
    post(server, HOOK, {"sys_id": "x"}, {"X-CSI-Rules-Secret": "wrong"})
    text = requests.get(server.url + "/metrics", timeout=5)
    assert text.status_code == 200 and text.headers["Content-Type"].startswith("text/plain")
    lines = text.text.splitlines()
    assert "# TYPE csi_rules_actions_total counter" in lines
    assert any(line.startswith('csi_rules_actions_total{status="applied"} ') for line in lines)
    assert 'csi_rules_webhooks_total{result="rejected",source="servicenow"} 1' in lines
    assert any(line.startswith('csi_rules_sync_lag_seconds{adapter="servicenow"} ')
               for line in lines)
    assert any(line.startswith("csi_rules_wakeups_queued ") for line in lines)
