"""A pipeline's change on Jira Service Management, played with `csi-rules` commands against the
Jira emulator over real HTTP: open (idempotent per run id) -> gate --change-id (--wait ending
in approval, and in rejection) -> record started / succeeded / failed -> close; and on Cloud
the same events in the deployments API, whose gating status follows the change's approval."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from csi_rules_jira.emulator import JiraEmulator
from csi_rules_jira.emulator.change_project import with_change_project
from csi_rules_jira.emulator.seed import load_seed

FIELD_MAP = {"change_type": "customfield_10070", "risk": "customfield_10071",
             "planned_start": "customfield_10072", "planned_end": "customfield_10073",
             "backout_plan": "customfield_10074", "request_type": "customfield_10010"}
GATE = """apiVersion: csi-rules/v1
kind: GatePolicy
metadata: {name: release-gate}
spec:
  checks:
    - {id: plans-present, type: required_fields, fields: [backout_plan]}
    - {id: approved, type: approval}
    - {id: inside-window, type: in_window}
    - {id: no-conflicts, type: no_conflicts}
"""
TEMPLATE = """change_type: normal
short_description: Deploy pay-api
backout_plan: redeploy the previous image
configuration_items: [pay-api]
risk: moderate
"""
APPROVER = ("duty.manager@example.com", "duty-manager-api-token")  # emulator seed user
DEPLOY = ["--pipeline", "acme/pay-api/release", "--environment", "production",
          "--deployment-number", "4711"]
GATING = "/rest/deployments/0.1/pipelines/acme%2Fpay-api%2Frelease/environments/production/" \
         "deployments/4711/gating-status"


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    from csi_rules.cli import main

    def run(*args: str) -> Result:
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def start(deployment: str = "Cloud") -> JiraEmulator:
    seed = with_change_project(load_seed(None))
    seed["deployment"] = deployment
    emulator = JiraEmulator(seed=seed, record=True)
    emulator.start()
    return emulator


@pytest.fixture
def jira() -> Iterator[JiraEmulator]:
    emulator = start()
    yield emulator
    emulator.stop()


def write_setup(emulator: JiraEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                cloud: bool = True) -> dict[str, Any]:
    monkeypatch.setenv("JIRA_TOKEN", "emulator-api-token" if cloud else "emulator-pat")
    auth = {"email": "mia@example.com", "token_env": "JIRA_TOKEN"} if cloud else \
        {"token_env": "JIRA_TOKEN"}
    config = tmp_path / "jira.yaml"
    config.write_text(json.dumps({
        "base_url": emulator.url, "allow_insecure_loopback": True, "auth": auth,
        "projects": ["CHG"], "service_desk_projects": ["CHG"], "field_map": FIELD_MAP,
        "changes": {"project": "CHG"}}))
    policies = tmp_path / "policies"
    policies.mkdir(exist_ok=True)
    (policies / "gate.yaml").write_text(GATE)
    (tmp_path / "change.yaml").write_text(TEMPLATE)
    return {"adapter": ["--adapter", "jira", "--adapter-config", str(config)],
            "policies": str(policies), "template": str(tmp_path / "change.yaml")}


@pytest.fixture
def setup(jira, tmp_path, monkeypatch) -> dict[str, Any]:
    return write_setup(jira, tmp_path, monkeypatch)


def open_change(cli, setup, run_id: str, *extra: str) -> dict[str, Any]:
    result = cli("change", "open", *setup["adapter"], "--run-id", run_id, "--template",
                 setup["template"], "--window", "2h", "--format", "json", *extra)
    assert result.code == 0, result.err
    return dict(json.loads(result.out))


def issue(jira: JiraEmulator, key: str) -> Any:
    return jira.site.issue(key)


def answer(jira: JiraEmulator, key: str, decision: str, after: float = 0.0) -> threading.Timer:
    """The approver answers the change's pending approval through servicedeskapi."""
    def act() -> None:
        approval = next(a for a in issue(jira, key).approvals if a.final == "pending")
        auth = {"auth": APPROVER} if jira.site.is_cloud else {
            "headers": {"Authorization": "Bearer duty-manager-pat"}}  # DC: the seed's PAT
        reply = requests.post(f"{jira.url}/rest/servicedeskapi/request/{key}/approval/"
                              f"{approval.id}", json={"decision": decision}, timeout=5, **auth)
        assert reply.status_code == 200, reply.text
    timer = threading.Timer(after, act)
    timer.start()
    return timer


def gate(cli, setup, key: str, *extra: str) -> Result:
    return cli("gate", "--policies", setup["policies"], "--change-id", key, *setup["adapter"],
               "--format", "json", *extra)


def comments(jira: JiraEmulator, key: str) -> str:
    return "\n".join(c.body for c in issue(jira, key).comments)


def test_open_is_idempotent_per_run_and_waits_for_approval(cli, jira, setup):
    first = open_change(cli, setup, "gh-run-4711-1")
    assert first["created"] is True and first["number"].startswith("CHG-")
    again = open_change(cli, setup, "gh-run-4711-1")  # the job is retried
    assert again == {**first, "created": False}
    assert len([i for i in jira.site.issues.values() if i.project.key == "CHG"]) == 1
    opened = issue(jira, first["number"])
    assert (opened.issue_type, opened.status) == ("Change", "Awaiting approval")
    assert opened.custom["customfield_10070"] == "Normal"
    assert opened.custom["customfield_10071"] == "Medium"
    assert opened.components == ["pay-api"] and opened.labels == ["csi-rules-run-gh-run-4711-1"]
    assert [a.final for a in opened.approvals] == ["pending"]

    timer = answer(jira, first["number"], "approve", after=0.4)
    waited = gate(cli, setup, first["number"], "--wait", "--timeout", "20s",
                  "--poll-interval", "0.1s")
    timer.join()
    assert waited.code == 0, waited.err
    assert json.loads(waited.out)["verdict"] == "go"
    assert "waiting (" in waited.err and "approval is 'requested'" in waited.err
    assert issue(jira, first["number"]).status == "Awaiting implementation"


def test_record_and_close_move_the_change_and_comment_each_step(cli, jira, setup):
    key = open_change(cli, setup, "run-ok")["number"]
    answer(jira, key, "approve").join()
    started = cli("change", "record", *setup["adapter"], "--change-id", key, "--started",
                  "--build-url", "https://ci.example/run/4711", "--commit", "abc123")
    assert started.code == 0, started.err
    assert issue(jira, key).status == "Implementing"
    retried = cli("change", "record", *setup["adapter"], "--change-id", key, "--started",
                  "--build-url", "https://ci.example/run/4711", "--commit", "abc123")
    assert retried.code == 0, retried.err
    assert comments(jira, key).count("Deployment started") == 1  # not posted twice
    done = cli("change", "record", *setup["adapter"], "--change-id", key, "--succeeded",
               "--build-url", "https://ci.example/run/4711")
    assert done.code == 0 and issue(jira, key).status == "Review"
    closed = cli("change", "close", *setup["adapter"], "--change-id", key)
    assert closed.code == 0, closed.err
    final = issue(jira, key)
    assert (final.status, final.resolution) == ("Completed", "Done")
    text = comments(jira, key)
    assert "Deployment started" in text and "https://ci.example/run/4711" in text
    assert "commit: abc123" in text and "Deployment succeeded" in text
    assert "Change closed (successful)" in text
    comment = issue(jira, key).comments[0]
    assert comment.adf is not None  # Cloud: written as ADF on REST v3
    assert comment.properties["sd.public.comment"] == {"internal": True}


def test_a_failed_deployment_closes_unsuccessful(cli, jira, setup):
    key = open_change(cli, setup, "run-bad")["number"]
    answer(jira, key, "approve").join()
    assert cli("change", "record", *setup["adapter"], "--change-id", key, "--started").code == 0
    failed = cli("change", "record", *setup["adapter"], "--change-id", key, "--failed",
                 "--message", "smoke tests red")
    assert failed.code == 0, failed.err
    assert issue(jira, key).status == "Review"
    closed = cli("change", "close", *setup["adapter"], "--change-id", key, "--code",
                 "unsuccessful", "--notes", "rolled back")
    assert closed.code == 0, closed.err
    final = issue(jira, key)
    assert (final.status, final.resolution) == ("Failed", "Won't Do")
    assert "Deployment FAILED" in comments(jira, key) and "rolled back" in comments(jira, key)


def test_deploying_an_unapproved_change_is_refused_by_the_workflow(cli, jira, setup):
    key = open_change(cli, setup, "run-early")["number"]
    result = cli("change", "record", *setup["adapter"], "--change-id", key, "--started")
    assert result.code != 0
    assert "no transition to 'Implementing'" in result.err
    assert "Awaiting approval" in result.err
    assert issue(jira, key).status == "Awaiting approval"
    assert issue(jira, key).comments == []  # no "Deployment started" for what did not start


def test_a_rejection_ends_the_wait_at_once_with_no_go(cli, jira, setup):
    key = open_change(cli, setup, "run-rejected")["number"]
    answer(jira, key, "decline").join()
    result = gate(cli, setup, key, "--wait", "--timeout", "20s", "--poll-interval", "5s")
    assert result.code == 1
    reasons = {c["check"]: c["reason"] for c in json.loads(result.out)["failed"]}
    assert reasons["approved"] == "approval is 'rejected', needs approved"
    assert "waiting (" not in result.err
    assert issue(jira, key).status == "Declined"


def test_a_standard_change_is_pre_approved(cli, jira, setup):
    result = open_change(cli, setup, "run-std", "--type", "standard", "--model", "Restart pod")
    opened = issue(jira, result["number"])
    assert (opened.status, opened.approvals) == ("Awaiting implementation", [])
    assert opened.custom["customfield_10070"] == "Standard"


def test_cloud_deployments_follow_the_change_and_gate_on_its_approval(cli, jira, setup):
    key = open_change(cli, setup, "run-deploy", *DEPLOY)["number"]
    stored = jira.deployments.get(("acme/pay-api/release", "production", 4711))
    assert stored is not None and stored.data["state"] == "pending"
    assert stored.issues == [key]
    gating = requests.get(jira.url + GATING, auth=("mia@example.com", "emulator-api-token"),
                          timeout=5).json()
    assert gating["gatingStatus"] == "awaiting"
    assert gating["details"] == [{"type": "issue", "issueKey": key,
                                  "issueLink": f"{jira.url}/browse/{key}"}]
    answer(jira, key, "approve").join()
    assert requests.get(jira.url + GATING, auth=("mia@example.com", "emulator-api-token"),
                        timeout=5).json()["gatingStatus"] == "allowed"
    for phase, state in (("--started", "in_progress"), ("--succeeded", "successful")):
        result = cli("change", "record", *setup["adapter"], "--change-id", key, phase,
                     "--build-url", "https://ci.example/run/4711", *DEPLOY)
        assert result.code == 0, result.err
        stored = jira.deployments.get(("acme/pay-api/release", "production", 4711))
        assert stored is not None and stored.data["state"] == state
        if phase == "--started":  # the open step retried mid-deployment sets nothing back
            assert open_change(cli, setup, "run-deploy", *DEPLOY)["created"] is False
            again = jira.deployments.get(("acme/pay-api/release", "production", 4711))
            assert again is not None and again.data["state"] == "in_progress"
    assert stored.data["url"] == "https://ci.example/run/4711"
    assert stored.data["associations"] == [{"associationType": "issueIdOrKeys",
                                            "values": [key]}]


def test_a_declined_change_prevents_its_deployment(cli, jira, setup):
    key = open_change(cli, setup, "run-declined", *DEPLOY)["number"]
    answer(jira, key, "decline").join()
    gating = requests.get(jira.url + GATING, auth=("mia@example.com", "emulator-api-token"),
                          timeout=5).json()
    assert gating["gatingStatus"] == "prevented"


def test_data_center_comments_in_wiki_text_and_has_no_deployments_api(cli, tmp_path,
                                                                     monkeypatch):
    emulator = start("Server")
    try:
        setup = write_setup(emulator, tmp_path, monkeypatch, cloud=False)
        key = open_change(cli, setup, "run-dc")["number"]
        assert emulator.site.issue(key).status == "Awaiting approval"
        noted = cli("change", "close", *setup["adapter"], "--change-id", key, "--code",
                    "unsuccessful")
        assert noted.code != 0  # the workflow cannot fail a change not yet implemented
        assert emulator.site.issue(key).comments == []  # refused: nothing written
        answer(emulator, key, "approve").join()
        for phase in ("--started", "--failed"):
            assert cli("change", "record", *setup["adapter"], "--change-id", key,
                       phase).code == 0
        closed = cli("change", "close", *setup["adapter"], "--change-id", key, "--code",
                     "unsuccessful")
        assert closed.code == 0, closed.err
        final = emulator.site.issue(key)
        assert (final.status, final.resolution) == ("Failed", "Won't Do")
        assert "Change closed (unsuccessful)" in final.comments[-1].body
        assert final.comments[-1].adf is None  # Data Center: wiki text on REST v2
        refused = cli("change", "record", *setup["adapter"], "--change-id", key, "--started",
                      *DEPLOY)
        assert refused.code == 2 and "Data Center has no deployments API" in refused.err
    finally:
        emulator.stop()


def test_deployment_options_go_together(cli, setup):
    result = cli("change", "open", *setup["adapter"], "--run-id", "x", "--template",
                 setup["template"], "--pipeline", "p")
    assert result.code == 2 and "go together" in result.err



def test_the_gate_reads_open_changes_from_jira_for_conflicts(cli, jira, setup):
    mine = open_change(cli, setup, "run-a")["number"]
    theirs = open_change(cli, setup, "run-b", "--short-description", "DB patch")["number"]
    for key in (mine, theirs):
        answer(jira, key, "approve").join()
    calls = len(jira.exchanges or [])
    result = gate(cli, setup, mine)
    assert result.code == 1, result.err
    failed = json.loads(result.out)["failed"]
    assert [c["check"] for c in failed] == ["no-conflicts"]
    assert theirs in failed[0]["reason"] and "pay-api" in failed[0]["reason"]
    searches = [e for e in (jira.exchanges or [])[calls:] if "/search" in e.path]
    assert any(b'statusCategory != Done' in e.request_body for e in searches)
    jira.site.set_status(issue(jira, theirs), "Canceled", "")  # the CI is free again
    assert gate(cli, setup, mine).code == 0


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
def test_every_call_of_the_flow_conforms_to_the_official_documents(cli, tmp_path, monkeypatch,
                                                                   contract, deployment):
    emulator = start(deployment)
    try:
        setup = write_setup(emulator, tmp_path, monkeypatch, cloud=deployment == "Cloud")
        key = open_change(cli, setup, "run-contract")["number"]
        open_change(cli, setup, "run-contract")
        answer(emulator, key, "approve").join()
        assert gate(cli, setup, key).code == 0
        for phase in ("--started", "--succeeded"):
            assert cli("change", "record", *setup["adapter"], "--change-id", key, phase,
                       "--build-url", "https://ci.example/1").code == 0
        assert cli("change", "close", *setup["adapter"], "--change-id", key).code == 0
        exchanges = emulator.exchanges or []
        checked = [e for e in exchanges if contract.doc_for(e.path)]
        assert len(checked) > 20
        assert [p for e in checked for p in contract.problems(e)] == []
    finally:
        emulator.stop()


def test_a_step_may_walk_several_statuses_and_bad_steps_are_refused(cli, jira, tmp_path,
                                                                     monkeypatch):
    from csi_rules_jira.config import parse_config
    from csi_rules_jira.errors import JiraConfigError

    setup = write_setup(jira, tmp_path, monkeypatch)
    config = Path(setup["adapter"][-1])
    settings = json.loads(config.read_text())
    settings["changes"]["steps"] = {"normal": ["Planning", "Awaiting approval"]}
    config.write_text(json.dumps(settings))
    key = open_change(cli, setup, "run-two-hops")["number"]
    walked = [item["toString"] for entry in issue(jira, key).changelog
              for item in entry["items"] if item["field"] == "status"]
    assert walked == ["Planning", "Awaiting approval"]
    settings["changes"]["steps"] = {"deployed": "Done"}
    with pytest.raises(JiraConfigError, match=r"changes\.steps"):
        parse_config(settings, environ={"JIRA_TOKEN": "x"})
