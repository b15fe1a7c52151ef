"""Who may ask, through `csi-rules serve` itself: /v1/gate needs the configured bearer token,
/healthz and /metrics can live on their own address, and the server limits come from the
config's `server:` section."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import requests

from csi_rules_servicenow.emulator import ServiceNowEmulator
from tests.runtime.conftest import write_config

ENTRY = "import sys; from csi_rules.cli import main; sys.exit(main())"
TOKEN = "s3cret-gate-token"
GATE_BODY = {"change": {"id": "c1", "kind": "change", "number": "CHG1"}}


@pytest.fixture
def live_sn() -> Iterator[ServiceNowEmulator]:
    emulator = ServiceNowEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def serving(tmp_path, live_sn) -> Iterator[dict]:
    server = {"port": 0, "gate": {"secretEnv": "GATE_TOKEN"}, "ops": {"port": 0},
              "limits": {"headerTimeout": 0.5, "bodyTimeout": 0.5, "maxConnections": 3}}
    config = write_config(tmp_path, live_sn, server=server)
    env = {**os.environ, "SN_PASSWORD": "admin", "GATE_TOKEN": TOKEN}
    proc = subprocess.Popen([sys.executable, "-c", ENTRY, "serve", "--config", str(config),
                             "--no-runner"], env=env, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    try:
        assert proc.stderr is not None
        yield json.loads(proc.stderr.readline())
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            assert proc.stderr is not None
            proc.stderr.close()


def _gate(url: str, headers: dict[str, str] | None = None) -> requests.Response:
    return requests.post(url + "/v1/gate", json=GATE_BODY, headers=headers or {}, timeout=10)


def test_the_gate_needs_the_bearer_token(serving):
    url = serving["url"]
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN},
                    {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Bearer {TOKEN}x"}):
        answer = _gate(url, headers)
        assert answer.status_code == 401, headers
        assert "Bearer" in answer.json()["error"]
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    allowed = _gate(url, {"Authorization": f"Bearer {TOKEN}"})
    assert allowed.status_code != 401 and allowed.headers["Content-Type"].startswith(
        "application/json")


def test_health_and_metrics_are_served_on_the_ops_address_only(serving):
    url, ops = serving["url"], serving["ops_url"]
    assert ops != url
    # no server.host / ops.host in the config: both listen on loopback only
    assert url.startswith("http://127.0.0.1:") and ops.startswith("http://127.0.0.1:")
    assert requests.get(ops + "/healthz", timeout=10).status_code == 200
    assert "csi_rules_" in requests.get(ops + "/metrics", timeout=10).text
    assert requests.get(url + "/healthz", timeout=10).status_code == 404
    assert requests.get(url + "/metrics", timeout=10).status_code == 404
    assert _gate(ops, {"Authorization": f"Bearer {TOKEN}"}).status_code == 404


def test_server_limits_come_from_the_config(serving):
    host, port = serving["url"].removeprefix("http://").rsplit(":", 1)
    idle = [socket.create_connection((host, int(port))) for _ in range(3)]
    try:
        extra = socket.create_connection((host, int(port)), timeout=5)
        assert extra.recv(200).startswith(b"HTTP/1.1 503")  # maxConnections: 3
        extra.close()
        started = time.monotonic()
        idle[0].settimeout(5)
        assert idle[0].recv(10) == b""  # headerTimeout 0.5 s: closed, not kept
        assert time.monotonic() - started < 4
    finally:
        for conn in idle:
            conn.close()


def test_serving_beyond_loopback_without_a_gate_token_is_refused(tmp_path, live_sn):
    config = write_config(tmp_path, live_sn, server={"port": 0})
    done = subprocess.run([sys.executable, "-c", ENTRY, "serve", "--config", str(config),
                           "--host", "0.0.0.0", "--no-runner"],
                          env={**os.environ, "SN_PASSWORD": "admin"}, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "server.gate" in done.stderr and "Traceback" not in done.stderr
