"""`csi-rules serve` as a process: says where it listens (JSON log line), answers, stops on
SIGTERM with exit 0; `csi-rules run --once` logs JSON lines when stderr is not a terminal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
import requests

from csi_rules_servicenow.emulator import ServiceNowEmulator
from tests.runtime.conftest import new_incident, work_notes, write_config

ENTRY = "import sys; from csi_rules.cli import main; sys.exit(main())"


@pytest.fixture
def live_sn():
    emulator = ServiceNowEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


def test_serve_process_listens_answers_and_stops_on_sigterm(tmp_path, live_sn):
    config = write_config(tmp_path, live_sn, server={"port": 0})
    env = {**os.environ, "SN_PASSWORD": "admin"}
    proc = subprocess.Popen([sys.executable, "-c", ENTRY, "serve", "--config", str(config)],
                            env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                            text=True)
    try:
        assert proc.stderr is not None
        first = json.loads(proc.stderr.readline())
        assert first["event"] == "listening" and first["runner"] is True
        health = requests.get(first["url"] + "/healthz", timeout=10).json()
        assert health["status"] == "ok"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def test_run_once_prints_the_cycle_and_logs_json_lines(tmp_path, live_sn):
    config = write_config(tmp_path, live_sn)
    done = subprocess.run([sys.executable, "-c", ENTRY, "run", "--config", str(config), "--once"],
                          env={**os.environ, "SN_PASSWORD": "admin"}, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert {"sync_done", "cycle"} <= {e["event"] for e in events}
    assert all({"at", "level", "event"} <= set(e) for e in events)
    assert json.loads(done.stdout)["synced"]["servicenow"] > 0


def test_run_against_an_unreachable_platform_exits_3_and_records_the_error(tmp_path, live_sn,
                                                                           cli):
    config = write_config(tmp_path, live_sn)
    config.write_text(config.read_text().replace(live_sn.url, "http://127.0.0.1:9"))
    env_code = subprocess.run([sys.executable, "-c", ENTRY, "run", "--config", str(config),
                               "--once"], env={**os.environ, "SN_PASSWORD": "admin"},
                              capture_output=True, text=True, timeout=120)
    assert env_code.returncode == 3
    status = json.loads(cli("status", "--config", str(config), "--format", "json").out)
    assert status["errors"][0]["scope"] == "sync servicenow"


def test_run_once_after_run_once_dry_run_applies_what_the_dry_run_logged(tmp_path, live_sn):
    inc = new_incident(live_sn, category="network")
    config = write_config(tmp_path, live_sn)

    def run(*extra: str) -> dict:
        done = subprocess.run([sys.executable, "-c", ENTRY, "run", "--config", str(config),
                               "--once", *extra], env={**os.environ, "SN_PASSWORD": "admin"},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    assert run("--dry-run")["actions"] > 0
    assert work_notes(live_sn, inc) == []
    assert run()["synced"]["servicenow"] > 0, "the dry run did not move the watermark"
    assert [n.split("\n")[0] for n in work_notes(live_sn, inc)] == [
        "Routed to Network by csi-rules."]
    run()
    assert len(work_notes(live_sn, inc)) == 1, "applied exactly once"
