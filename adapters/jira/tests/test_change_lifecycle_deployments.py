"""The emulator's Jira Cloud deployments API against Atlassian's document
(`jira-software-agile-deployments.json`): what it accepts, rejects and answers, each answer
checked against the operation's declared schema, and the adapter's own submissions checked
against the request schema."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource

from csi_rules_jira.emulator import JiraEmulator
from csi_rules_jira.emulator.change_project import with_change_project
from csi_rules_jira.emulator.seed import load_seed

AUTH = ("mia@example.com", "emulator-api-token")  # emulator seed user
BULK = "/rest/deployments/0.1/bulk"
ONE = "/rest/deployments/0.1/pipelines/{pipelineId}/environments/{environmentId}/deployments/" \
      "{deploymentSequenceNumber}"


class Spec:
    """Schemas of the deployments operations, $refs resolved inside the document."""

    def __init__(self, path: Path):
        self.raw = json.loads(path.read_text(encoding="utf-8"))
        self.registry = Registry().with_resource("urn:spec", Resource.opaque(self.raw))

    def _validator(self, *pointer: str) -> OAS30Validator:
        escaped = "/".join(p.replace("~", "~0").replace("/", "~1") for p in pointer)
        return OAS30Validator({"$ref": f"urn:spec#/{escaped}"}, registry=self.registry)

    def response(self, path: str, method: str, status: str, body: Any) -> list[str]:
        v = self._validator("paths", path, method, "responses", status, "content",
                            "application/json", "schema")
        return [e.message for e in v.iter_errors(body)]

    def request(self, body: Any) -> list[str]:
        v = self._validator("paths", BULK, "post", "requestBody", "content",
                            "application/json", "schema")
        return [e.message for e in v.iter_errors(body)]


@pytest.fixture(scope="module")
def spec(shared: Path) -> Spec:
    return Spec(shared / "reference" / "specs" / "jira-software-agile-deployments.json")


@pytest.fixture
def jira() -> Iterator[JiraEmulator]:
    with JiraEmulator(seed=with_change_project(load_seed(None)), record=True) as emulator:
        emulator.site.create_issue("CHG", "Change", "Deploy pay-api", reporter="")
        yield emulator


def deployment(seq: int = 7, *, issues: list[str] | None = None, usn: int = 1,
               **changes: Any) -> dict[str, Any]:
    item = {"deploymentSequenceNumber": seq, "updateSequenceNumber": usn,
            "displayName": f"pay-api #{seq}", "url": "https://ci.example/run/7",
            "description": "Deploy pay-api", "lastUpdated": "2026-03-02T10:00:00.000Z",
            "state": "in_progress",
            "pipeline": {"id": "pay-api", "displayName": "pay-api",
                         "url": "https://ci.example/pay-api"},
            "environment": {"id": "prod", "displayName": "Production", "type": "production"},
            "associations": [{"associationType": "issueIdOrKeys",
                              "values": issues or ["CHG-1"]}]}
    item.update(changes)
    return item


def post(jira: JiraEmulator, body: Any) -> requests.Response:
    return requests.post(jira.url + BULK, json=body, auth=AUTH, timeout=5)


def one(jira: JiraEmulator, seq: int, tail: str = "") -> requests.Response:
    path = ONE.format(pipelineId="pay-api", environmentId="prod", deploymentSequenceNumber=seq)
    return requests.get(jira.url + path + tail, auth=AUTH, timeout=5)


def test_bulk_accepts_the_good_and_rejects_the_broken_in_one_answer(jira, spec):
    body = {"deployments": [deployment(7), deployment(8, state="done", url="not a url")]}
    assert spec.request({"deployments": [deployment(7)]}) == []
    reply = post(jira, body)
    assert reply.status_code == 202
    answer = reply.json()
    assert spec.response(BULK, "post", "202", answer) == []
    assert answer["acceptedDeployments"] == [
        {"pipelineId": "pay-api", "environmentId": "prod", "deploymentSequenceNumber": 7}]
    rejected = answer["rejectedDeployments"]
    assert [r["key"]["deploymentSequenceNumber"] for r in rejected] == [8]
    messages = " ".join(e["message"] for e in rejected[0]["errors"])
    assert "'state' must be one of" in messages and "'url' must be a URI" in messages
    assert answer["unknownIssueKeys"] == []
    stored = one(jira, 7)
    assert stored.status_code == 200
    assert spec.response(ONE, "get", "200", stored.json()) == []
    assert one(jira, 8).status_code == 404


def test_unknown_issue_keys_are_listed_and_a_deployment_naming_only_them_is_not_kept(jira,
                                                                                     spec):
    answer = post(jira, {"deployments": [deployment(9, issues=["NOPE-1"]),
                                         deployment(10, issues=["CHG-1", "NOPE-2"])]}).json()
    assert spec.response(BULK, "post", "202", answer) == []
    assert answer["unknownIssueKeys"] == ["NOPE-1", "NOPE-2"]
    assert [a["deploymentSequenceNumber"] for a in answer["acceptedDeployments"]] == [10]
    missing = one(jira, 9)
    assert missing.status_code == 404
    assert missing.json() == [{"message": "No data found for the given deployment ID."}]


def test_a_malformed_submission_is_a_400_with_error_messages(jira, spec):
    for body in ({}, {"deployments": []}, {"deployments": [{"state": "pending"}]}):
        reply = post(jira, body)
        assert reply.status_code == 400, body
        assert spec.response(BULK, "post", "400", reply.json()) == []


def test_an_older_update_does_not_replace_a_newer_one(jira):
    post(jira, {"deployments": [deployment(7, usn=5, state="successful")]})
    post(jira, {"deployments": [deployment(7, usn=3, state="in_progress")]})
    assert one(jira, 7).json()["state"] == "successful"


def test_gating_status_follows_the_change_request(jira, spec):
    post(jira, {"deployments": [deployment(7)]})
    issue = jira.site.issue("CHG-1")
    reply = one(jira, 7, "/gating-status")
    assert reply.status_code == 200
    assert spec.response(ONE + "/gating-status", "get", "200", reply.json()) == []
    assert reply.json()["gatingStatus"] == "awaiting"  # still Open: not yet approved
    jira.site.set_status(issue, "Awaiting approval", "")
    assert [a.final for a in issue.approvals] == ["pending"]
    assert one(jira, 7, "/gating-status").json()["gatingStatus"] == "awaiting"
    approver = issue.approvals[0]
    jira.site.answer_approval(issue, approver, next(iter(approver.approvers)), "approved")
    assert issue.status == "Awaiting implementation"
    assert one(jira, 7, "/gating-status").json()["gatingStatus"] == "allowed"
    assert one(jira, 99, "/gating-status").status_code == 404


def test_a_deployment_with_no_change_request_is_invalid(jira):
    task = jira.site.create_issue("OPS", "Task", "not a change", reporter="")
    post(jira, {"deployments": [deployment(11, issues=[task.key])]})
    assert one(jira, 11, "/gating-status").json()["gatingStatus"] == "invalid"


def test_the_schema_check_finds_a_broken_answer(spec):
    assert spec.response(BULK, "post", "202", {"acceptedDeployments": [{"pipelineId": 1}]})
    assert spec.request({"deployments": [{"state": "pending"}]})


def test_what_the_adapter_submits_conforms_to_the_request_schema(jira, spec, make_adapter):
    from datetime import UTC, datetime

    from csi_rules.change.lifecycle import ChangeRequest, Deployment

    adapter = make_adapter(jira, projects=["CHG"], service_desk_projects=["CHG"],
                           changes={"project": "CHG"})
    adapter.target_deployment("acme/pay-api", "production", 12)
    opened = adapter.open_change(ChangeRequest("run-12", "standard", "Deploy pay-api",
                                               {"model": "Restart"}))
    at = datetime(2026, 3, 2, 10, 5, tzinfo=UTC)
    adapter.record_deployment(opened.number, Deployment("started", at, "https://ci.example/12"))
    bodies = [json.loads(e.request_body) for e in jira.exchanges or ()
              if e.path == BULK and e.method == "POST"]
    assert [b["deployments"][0]["state"] for b in bodies] == ["pending", "in_progress"]
    for body in bodies:
        assert spec.request(body) == []
    assert adapter.deployment_changes("acme/pay-api", "production", 12) == [opened.number]
    assert adapter.deployment_changes("acme/pay-api", "production", 13) is None
