"""`gate --wait --server URL`: where `serve` receives ServiceNow's webhooks, a webhook for the
change ends the gate's pause at once (GET /v1/changes/{id}/wait long poll); without serve the
wait falls back to polling. Real HTTP: the emulator, serve, and the CLI in-process."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import NamedTuple

import pytest
import requests
import yaml

from csi_rules.runtime.clock import SystemClock
from csi_rules.runtime.config import load_config
from csi_rules.server import CsiServer
from csi_rules.server.service import server_context
from csi_rules_servicenow.emulator import ServiceNowEmulator

ADMIN = ("admin", "admin")  # emulator-only credentials from the seed
HOOK_SECRET = "sn-hook-secret"  # test-only shared secret
GATE_TOKEN = "gate-token-for-tests"  # test-only bearer token
GATE = """apiVersion: csi-rules/v1
kind: GatePolicy
metadata: {name: release-gate}
spec:
  checks:
    - {id: approved, type: approval}
    - {id: inside-window, type: in_window}
"""
TEMPLATE = "change_type: normal\nshort_description: Deploy pay-api\n"


class CliResult(NamedTuple):
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    from csi_rules.cli import main

    def run(*args: str) -> CliResult:
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture
def sn() -> Iterator[ServiceNowEmulator]:
    emulator = ServiceNowEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def setup(sn, tmp_path, monkeypatch):
    monkeypatch.setenv("SN_PASSWORD", "admin")
    monkeypatch.setenv("CSI_TEST_SN_HOOK", HOOK_SECRET)
    monkeypatch.setenv("CSI_TEST_GATE_TOKEN", GATE_TOKEN)
    settings = {"url": sn.url, "allow_insecure_loopback": True,
                "auth": {"type": "basic", "username": "admin", "password_env": "SN_PASSWORD"}}
    (tmp_path / "sn.yaml").write_text(json.dumps(settings))
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "gate.yaml").write_text(GATE)
    (tmp_path / "change.yaml").write_text(TEMPLATE)
    runner = {"apiVersion": "csi-rules/v1", "kind": "RunnerConfig", "policies": [str(policies)],
              "state": {"database": str(tmp_path / "state.db")},
              "adapters": [{"name": "servicenow", "kinds": ["change"], "settings": settings}],
              "server": {"port": 0, "gate": {"secretEnv": "CSI_TEST_GATE_TOKEN"},
                         "webhooks": {"servicenow": {"adapter": "servicenow",
                                                     "secretEnv": "CSI_TEST_SN_HOOK"}}}}
    (tmp_path / "runner.yaml").write_text(yaml.safe_dump(runner))
    return {"adapter": ["--adapter", "servicenow", "--adapter-config", str(tmp_path / "sn.yaml")],
            "policies": str(policies), "template": str(tmp_path / "change.yaml"),
            "runner": tmp_path / "runner.yaml"}


@pytest.fixture
def serve(setup) -> Iterator[CsiServer]:
    ctx = server_context(load_config(setup["runner"]), SystemClock(), os.environ)
    server = CsiServer(ctx)
    server.start()
    yield server
    server.stop()
    ctx.store.close()


def open_change(cli, setup, run_id):
    result = cli("change", "open", *setup["adapter"], "--run-id", run_id, "--template",
                 setup["template"], "--window", "2h", "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def approve_and_notify(sn, serve_url, sys_id):
    requests.patch(f"{sn.url}/api/now/table/change_request/{sys_id}",
                   json={"approval": "approved"}, auth=ADMIN, timeout=5)
    if serve_url:  # what a ServiceNow business rule posts on the change's update
        requests.post(f"{serve_url}/webhooks/servicenow", timeout=5,
                      json={"sys_id": sys_id, "table": "change_request"},
                      headers={"X-CSI-Rules-Secret": HOOK_SECRET})


def test_a_webhook_ends_the_pause_at_once(cli, sn, setup, serve):
    opened = open_change(cli, setup, "run-hooked")
    timer = threading.Timer(0.5, approve_and_notify, (sn, serve.url, opened["id"]))
    began = time.monotonic()
    timer.start()
    result = cli("gate", "--policies", setup["policies"], "--change-id", opened["number"],
                 *setup["adapter"], "--wait", "--timeout", "2m", "--poll-interval", "40s",
                 "--server", serve.url, "--server-token-env", "CSI_TEST_GATE_TOKEN")
    timer.join()
    elapsed = time.monotonic() - began
    assert result.code == 0, result.err
    assert f"a webhook named {opened['id']}: asking again now" in result.err
    assert elapsed < 20  # polling alone would have paused 40 s before asking again


def test_the_long_poll_answers_on_a_webhook_and_needs_the_token(serve):
    url = f"{serve.url}/v1/changes/abc123/wait"
    auth = {"Authorization": f"Bearer {GATE_TOKEN}"}
    assert requests.get(url, timeout=5).status_code == 401
    quiet = requests.get(url, params={"timeout": "0.2"}, headers=auth, timeout=5).json()
    assert quiet == {"record": "abc123", "changed": False, "seq": 0}
    requests.post(f"{serve.url}/webhooks/servicenow", json={"sys_id": "abc123"}, timeout=5,
                  headers={"X-CSI-Rules-Secret": HOOK_SECRET})
    # a webhook between two polls is not missed: `since` is the last answer's seq
    began = time.monotonic()
    seen = requests.get(url, params={"timeout": "30", "since": "0"}, headers=auth,
                        timeout=35).json()
    assert seen == {"record": "abc123", "changed": True, "seq": 1}
    assert time.monotonic() - began < 5
    assert requests.get(url, params={"timeout": "600"}, headers=auth,
                        timeout=5).status_code == 400


def test_without_serve_the_wait_falls_back_to_polling(cli, sn, setup):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    opened = open_change(cli, setup, "run-unhooked")
    timer = threading.Timer(0.5, approve_and_notify, (sn, "", opened["id"]))
    timer.start()
    result = cli("gate", "--policies", setup["policies"], "--change-id", opened["number"],
                 *setup["adapter"], "--wait", "--timeout", "20s", "--poll-interval", "0.2s",
                 "--server", f"http://127.0.0.1:{port}")
    timer.join()
    assert result.code == 0, result.err
    assert "cannot be asked" in result.err and "polling the platform" in result.err


def test_server_options_are_checked(cli, setup, monkeypatch):
    base = ("gate", "--policies", setup["policies"], "--change-id", "CHG1", *setup["adapter"])
    assert cli(*base, "--server", "http://127.0.0.1:1").code == 2  # without --wait
    monkeypatch.setenv("REMOTE_TOKEN", "x")
    remote = cli(*base, "--wait", "--server", "http://serve.example", "--server-token-env",
                 "REMOTE_TOKEN")
    assert remote.code == 2 and "clear text" in remote.err
