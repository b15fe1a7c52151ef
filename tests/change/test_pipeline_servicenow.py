"""The pipeline's whole change flow against the ServiceNow emulator over real HTTP:
open (idempotent per run id) -> gate --wait -> record started/succeeded -> close, and the
wait's other endings: rejection (no-go at once), timeout (exit 3 with the reason), and a
conflict the gate finds in the platform's own schedule."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import requests

from csi_rules_servicenow.emulator import ServiceNowEmulator

AUTH = ("admin", "admin")  # the emulator seed's admin (emulator-only credential)
GATE = """apiVersion: csi-rules/v1
kind: GatePolicy
metadata: {name: release-gate}
spec:
  checks:
    - {id: plans-present, type: required_fields, fields: [backout_plan, test_plan]}
    - {id: approved, type: approval}
    - {id: inside-window, type: in_window}
    - {id: no-conflicts, type: no_conflicts}
"""
TEMPLATE = """change_type: normal
short_description: Deploy pay-api
backout_plan: redeploy the previous image
test_plan: smoke tests
configuration_items: [AS400]
assignment_group: Software
risk: moderate
"""


@pytest.fixture
def sn() -> Iterator[ServiceNowEmulator]:
    emulator = ServiceNowEmulator()
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def setup(sn, tmp_path, monkeypatch):
    monkeypatch.setenv("SN_PASSWORD", "admin")
    config = tmp_path / "sn.yaml"
    config.write_text(json.dumps({"url": sn.url, "allow_insecure_loopback": True,
                                  "auth": {"type": "basic", "username": "admin",
                                           "password_env": "SN_PASSWORD"}}))
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "gate.yaml").write_text(GATE)
    (tmp_path / "change.yaml").write_text(TEMPLATE)
    return {"adapter": ["--adapter", "servicenow", "--adapter-config", str(config)],
            "policies": str(policies), "template": str(tmp_path / "change.yaml")}


def open_change(cli, setup, run_id, *extra):
    result = cli("change", "open", *setup["adapter"], "--run-id", run_id, "--template",
                 setup["template"], "--window", "2h", "--format", "json", *extra)
    assert result.code == 0, result.err
    return json.loads(result.out)


def row(sn, number):
    answer = requests.get(f"{sn.url}/api/now/table/change_request", auth=AUTH, timeout=5,
                          params={"sysparm_query": f"number={number}"})
    return answer.json()["result"][0]


def set_approval(sn, number, value, after=0.0):
    def act():
        requests.patch(f"{sn.url}/api/now/table/change_request/{row(sn, number)['sys_id']}",
                       json={"approval": value}, auth=AUTH, timeout=5)
    timer = threading.Timer(after, act)
    timer.start()
    return timer


def gate(cli, setup, number, *extra):
    return cli("gate", "--policies", setup["policies"], "--change-id", number,
               *setup["adapter"], "--format", "json", *extra)


def test_open_wait_deploy_record_close(cli, sn, setup):
    first = open_change(cli, setup, "gh-run-4711-1")
    assert first["created"] is True and first["number"].startswith("CHG")
    again = open_change(cli, setup, "gh-run-4711-1")  # the job is retried
    assert again == {**first, "created": False}
    opened = row(sn, first["number"])
    assert (opened["state"], opened["approval"], opened["correlation_id"]) == (
        "-4", "requested", "gh-run-4711-1")

    timer = set_approval(sn, first["number"], "approved", after=0.4)
    waited = gate(cli, setup, first["number"], "--wait", "--timeout", "20s",
                  "--poll-interval", "0.1s")
    timer.join()
    assert waited.code == 0, waited.err
    assert json.loads(waited.out)["verdict"] == "go"
    assert "waiting (" in waited.err and "approval is 'requested'" in waited.err

    started = cli("change", "record", *setup["adapter"], "--change-id", first["number"],
                  "--started", "--build-url", "https://ci.example/run/4711", "--commit", "abc123")
    assert started.code == 0, started.err
    assert row(sn, first["number"])["state"] == "-1"  # implement
    done = cli("change", "record", *setup["adapter"], "--change-id", first["number"],
               "--succeeded", "--build-url", "https://ci.example/run/4711")
    assert done.code == 0 and row(sn, first["number"])["state"] == "0"  # review
    closed = cli("change", "close", *setup["adapter"], "--change-id", first["number"])
    assert closed.code == 0, closed.err
    final = row(sn, first["number"])
    assert (final["state"], final["close_code"], final["active"]) == ("3", "successful", "false")
    notes = requests.get(f"{sn.url}/api/now/table/sys_journal_field", auth=AUTH, timeout=5,
                         params={"sysparm_query": f"element_id={final['sys_id']}"
                                                  "^element=work_notes"}).json()["result"]
    texts = " ".join(n["value"] for n in notes)
    assert "Deployment started" in texts and "https://ci.example/run/4711" in texts
    assert "commit: abc123" in texts and "Deployment succeeded" in texts


def test_a_rejection_ends_the_wait_at_once_with_no_go(cli, sn, setup):
    number = open_change(cli, setup, "run-rejected")["number"]
    set_approval(sn, number, "rejected").join()
    result = gate(cli, setup, number, "--wait", "--timeout", "20s", "--poll-interval", "5s")
    assert result.code == 1
    assert json.loads(result.out)["failed"][0]["reason"] == "approval is 'rejected', needs approved"
    assert "waiting (" not in result.err  # no pause: waiting cannot cure a rejection


def test_a_wait_that_times_out_exits_3_with_the_reason(cli, sn, setup):
    number = open_change(cli, setup, "run-slow")["number"]
    result = gate(cli, setup, number, "--wait", "--timeout", "0.5s", "--poll-interval", "0.1s")
    assert result.code == 3
    assert f"timed out after 0.5s waiting for {number}: approved: approval is 'requested'" \
        in result.err


def test_the_gate_reads_the_platforms_schedule_for_conflicts(cli, sn, setup):
    mine = open_change(cli, setup, "run-a")["number"]
    theirs = open_change(cli, setup, "run-b", "--short-description", "DB patch")["number"]
    for number in (mine, theirs):
        set_approval(sn, number, "approved").join()
    result = gate(cli, setup, mine)
    assert result.code == 1, result.err
    failed = json.loads(result.out)["failed"]
    assert [c["check"] for c in failed] == ["no-conflicts"]
    assert theirs in failed[0]["reason"] and "AS400" in failed[0]["reason"]
    requests.patch(f"{sn.url}/api/now/table/change_request/{row(sn, theirs)['sys_id']}",
                   json={"state": "4"}, auth=AUTH, timeout=5)  # canceled: the CI is free
    assert gate(cli, setup, mine).code == 0
