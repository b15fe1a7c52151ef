"""The pipeline's change flow with `change_api: change_management`, over real HTTP against the
emulator: open through sn_chg_rest (idempotent per run id; normal, and standard from a template),
`gate --wait` ending in approval, rejection, freeze and timeout, then record and close. The
freeze is also played on the Table API path, with the instance refreshing conflicts on writes."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

import pytest
import requests

from csi_rules_servicenow.emulator import ServiceNowEmulator

ADMIN = ("admin", "admin")  # emulator-only credentials from the seed
GATE = """apiVersion: csi-rules/v1
kind: GatePolicy
metadata: {name: release-gate}
spec:
  checks:
    - {id: plans-present, type: required_fields, fields: [backout_plan, test_plan]}
    - {id: approved, type: approval}
    - {id: inside-window, type: in_window}
    - {id: no-conflicts, type: no_conflicts}
    - id: no-platform-conflict
      type: condition
      when: {not: {field: raw.conflict_status, eq: Conflict}}
      message: ServiceNow conflict detection found a conflict (blackout or CI already scheduled)
"""
TEMPLATE = """change_type: normal
short_description: Deploy pay-api
backout_plan: redeploy the previous image
test_plan: smoke tests
configuration_items: [AS400]
assignment_group: Software
"""


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
    emulator = ServiceNowEmulator()  # the wall clock: gate --wait really waits
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def setup(sn, tmp_path, monkeypatch):
    monkeypatch.setenv("SN_PASSWORD", "admin")
    config = tmp_path / "sn.yaml"
    config.write_text(json.dumps({"url": sn.url, "allow_insecure_loopback": True,
                                  "change_api": "change_management",
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
    answer = requests.get(f"{sn.url}/api/now/table/change_request", auth=ADMIN, timeout=5,
                          params={"sysparm_query": f"number={number}"})
    return answer.json()["result"][0]


def later(seconds, act):
    timer = threading.Timer(seconds, act)
    timer.start()
    return timer


def gate(cli, setup, number, *extra):
    return cli("gate", "--policies", setup["policies"], "--change-id", number,
               *setup["adapter"], "--format", "json", *extra)


def test_open_through_the_change_api_then_wait_for_the_approval(cli, sn, setup):
    first = open_change(cli, setup, "gh-run-77-1")
    again = open_change(cli, setup, "gh-run-77-1")  # the job is retried
    assert again == {**first, "created": False}
    assert sn.count("POST", "/api/sn_chg_rest/v1/change/normal") == 1
    opened = row(sn, first["number"])
    assert (opened["state"], opened["approval"], opened["conflict_status"]) == (
        "-4", "requested", "No Conflict")  # assess: approval asked; conflict detection ran

    def approve():  # the approver decides through the Change Management API
        requests.patch(f"{sn.url}/api/sn_chg_rest/v1/change/{first['id']}/approvals",
                       json={"state": "approved"}, auth=ADMIN, timeout=5)

    timer = later(0.4, approve)
    waited = gate(cli, setup, first["number"], "--wait", "--timeout", "20s",
                  "--poll-interval", "0.1s")
    timer.join()
    assert waited.code == 0, waited.err
    assert json.loads(waited.out)["verdict"] == "go"
    assert "approval is 'requested'" in waited.err
    assert row(sn, first["number"])["state"] == "-2"  # scheduled by the approval

    for phase, state in (("--started", "-1"), ("--succeeded", "0")):
        done = cli("change", "record", *setup["adapter"], "--change-id", first["number"], phase,
                   "--build-url", "https://ci.example/run/77")
        assert done.code == 0, done.err
        assert row(sn, first["number"])["state"] == state
    closed = cli("change", "close", *setup["adapter"], "--change-id", first["number"],
                 "--code", "successful_issues")
    assert closed.code == 0, closed.err
    final = row(sn, first["number"])
    assert (final["state"], final["close_code"], final["active"]) == (
        "3", "successful_issues", "false")
    assert sn.count("PATCH", f"/api/sn_chg_rest/v1/change/{first['id']}") >= 4
    notes = requests.get(f"{sn.url}/api/now/table/sys_journal_field", auth=ADMIN, timeout=5,
                         params={"sysparm_query": f"element_id={first['id']}"
                                                  "^element=work_notes"}).json()["result"]
    assert any("https://ci.example/run/77" in n["value"] for n in notes)


def test_a_rejection_while_waiting_ends_it_with_no_go(cli, sn, setup):
    opened = open_change(cli, setup, "run-rejected")
    approval = requests.get(f"{sn.url}/api/now/table/sysapproval_approver", auth=ADMIN,
                            timeout=5, params={"sysparm_query": f"sysapproval={opened['id']}"}
                            ).json()["result"][0]

    def reject():  # decided on the approval row, as an approver's UI does
        requests.patch(f"{sn.url}/api/now/table/sysapproval_approver/{approval['sys_id']}",
                       json={"state": "rejected"}, auth=ADMIN, timeout=5)

    timer = later(0.4, reject)
    result = gate(cli, setup, opened["number"], "--wait", "--timeout", "20s",
                  "--poll-interval", "0.1s")
    timer.join()
    assert result.code == 1, result.err
    failed = json.loads(result.out)["failed"]
    assert failed[0]["reason"] == "approval is 'rejected', needs approved"
    assert (row(sn, opened["number"])["state"]) == "-5"  # back to new


@pytest.mark.parametrize("change_api", ["change_management", "table"])
def test_a_blackout_over_the_window_is_a_no_go_waiting_cannot_cure(cli, sn, setup, change_api):
    if change_api == "table":  # the Table API path: the instance runs detection on the write
        config = setup["adapter"][3]
        with open(config) as handle:
            settings = json.load(handle)
        with open(config, "w") as handle:
            json.dump({**settings, "change_api": "table"}, handle)
        sn.store.properties["change.conflict.refresh.conflicts"] = "true"
    now = datetime.now(UTC)
    schedule = requests.post(f"{sn.url}/api/now/table/cmn_schedule", auth=ADMIN, timeout=5,
                             json={"name": "Release freeze", "type": "blackout",
                                   "time_zone": "Floating"}).json()["result"]
    requests.post(f"{sn.url}/api/now/table/cmn_schedule_span", auth=ADMIN, timeout=5, json={
        "schedule": schedule["sys_id"], "name": "Freeze", "type": "blackout",
        "start_date_time": (now - timedelta(hours=1)).strftime("%Y%m%dT%H%M%S"),
        "end_date_time": (now + timedelta(hours=5)).strftime("%Y%m%dT%H%M%S")})
    opened = open_change(cli, setup, "run-frozen")
    assert row(sn, opened["number"])["conflict_status"] == "Conflict"
    requests.patch(f"{sn.url}/api/sn_chg_rest/v1/change/{opened['id']}/approvals",
                   json={"state": "approved"}, auth=ADMIN, timeout=5)
    assert row(sn, opened["number"])["approval"] == "approved"
    result = gate(cli, setup, opened["number"], "--wait", "--timeout", "20s",
                  "--poll-interval", "5s")
    assert result.code == 1, result.err
    failed = json.loads(result.out)["failed"]
    assert [c["check"] for c in failed] == ["no-platform-conflict"]
    assert "conflict detection found a conflict" in failed[0]["reason"]
    assert "waiting (" not in result.err  # a freeze is final: no pause


def test_a_wait_that_times_out_exits_3_with_the_reason(cli, sn, setup):
    number = open_change(cli, setup, "run-slow")["number"]
    result = gate(cli, setup, number, "--wait", "--timeout", "0.5s", "--poll-interval", "0.1s")
    assert result.code == 3
    assert f"timed out after 0.5s waiting for {number}: approved: approval is 'requested'" \
        in result.err


def test_a_standard_change_from_its_template_goes_without_waiting(cli, sn, setup):
    opened = open_change(cli, setup, "run-standard", "--type", "standard", "--model",
                         "Deploy a service release")
    made = row(sn, opened["number"])
    assert (made["type"], made["state"], made["approval"]) == ("standard", "-2", "approved")
    assert made["std_change_producer_version"]  # recorded from the template
    # the create takes only the template's fields: the run id, window and CI follow in a PATCH
    assert made["correlation_id"] == "run-standard" and made["cmdb_ci"] and made["start_date"]
    assert made["backout_plan"] == "Roll back to the previous image"  # the template's plan
    again = open_change(cli, setup, "run-standard", "--type", "standard", "--model",
                        "Deploy a service release")
    assert again == {**opened, "created": False}
    assert sn.count("POST", "/api/sn_chg_rest/v1/change/standard/") == 1
    assert gate(cli, setup, opened["number"], "--wait", "--timeout", "5s").code == 0
    unknown = cli("change", "open", *setup["adapter"], "--run-id", "run-x", "--template",
                  setup["template"], "--type", "standard", "--model", "No such template")
    assert unknown.code == 2
    assert "no standard change template named 'No such template'" in unknown.err
