"""The README's Jira Service Management workflow, played as written against the Jira emulator
(Cloud): every `csi-rules` command of the success path runs in order with GitHub's variables
filled in; the change ends Completed and the deployment successful; a retried open step finds
the same change."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml

from csi_rules_jira.emulator import JiraEmulator
from csi_rules_jira.emulator.change_project import with_change_project
from csi_rules_jira.emulator.seed import load_seed

README = Path(__file__).resolve().parents[3] / "README.md"
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
"""
FIELD_MAP = {"change_type": "customfield_10070", "risk": "customfield_10071",
             "planned_start": "customfield_10072", "planned_end": "customfield_10073",
             "backout_plan": "customfield_10074"}
GITHUB = {"${{ github.repository }}": "acme/pay-api", "${{ github.run_number }}": "17"}
SHELL = {"GITHUB_RUN_ID": "9001", "GITHUB_SERVER_URL": "https://github.com",
         "GITHUB_REPOSITORY": "acme/pay-api", "GITHUB_SHA": "abc123"}


def workflow() -> dict[str, Any]:
    section = README.read_text(encoding="utf-8").split("### On Jira Service Management")[1]
    section = re.split(r"\n##+ ", section)[0]
    found = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert found, "the README's Jira section has a GitHub Actions block"
    return dict(yaml.safe_load(found.group(1)))


def commands(flow: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    env = {}
    for name, value in flow["env"].items():
        for placeholder, filled in GITHUB.items():
            value = value.replace(placeholder, filled)
        if "${{" not in value:
            env[name] = value
    lines = [line for step in flow["steps"] if "failure()" not in step.get("if", "")
             for line in step["run"].splitlines()]
    return {**SHELL, **env}, lines


def play(cli: Callable[..., Any], lines: list[str], env: dict[str, str],
         before_gate: Callable[[dict[str, str]], None]) -> list[str]:
    ran = []
    for line in lines:
        assigned = re.match(r"^(\w+)=\$\((csi-rules .*)\)$", line.strip())
        command = assigned.group(2) if assigned else line.strip()
        if not command.startswith("csi-rules "):
            continue
        command = re.split(r"\s>>\s", command)[0]
        command = re.sub(r"\$(\w+)", lambda m: env[m.group(1)], command)
        argv = shlex.split(command)[1:]
        if argv[0] == "gate":
            before_gate(env)
        result = cli(*argv)
        assert result.code == 0, f"{command}: {result.err}"
        if assigned:
            env[assigned.group(1)] = result.out.strip()
        ran.append(" ".join(argv[:2]))
    return ran


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Any]:
    from types import SimpleNamespace

    from csi_rules.cli import main

    def run(*args: str) -> Any:
        code = main(list(args))
        captured = capsys.readouterr()
        return SimpleNamespace(code=code, out=captured.out, err=captured.err)

    return run


def test_the_readme_jira_workflow_runs_against_the_emulator(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JIRA_API_TOKEN", "emulator-api-token")
    with JiraEmulator(seed=with_change_project(load_seed(None))) as jira:
        Path(".ci").mkdir()
        Path(".ci/jira.yaml").write_text(json.dumps({
            "base_url": jira.url, "allow_insecure_loopback": True,
            "auth": {"email": "mia@example.com", "token_env": "JIRA_API_TOKEN"},
            "projects": ["CHG"], "service_desk_projects": ["CHG"], "field_map": FIELD_MAP,
            "changes": {"project": "CHG"}}))
        Path(".ci/change.yaml").write_text(TEMPLATE)
        Path("policies").mkdir()
        Path("policies/gate.yaml").write_text(GATE)

        def approve(env: dict[str, str]) -> None:
            key = env["CHANGE_ID"]
            approval = next(a for a in jira.site.issue(key).approvals if a.final == "pending")
            answer = requests.post(
                f"{jira.url}/rest/servicedeskapi/request/{key}/approval/{approval.id}",
                json={"decision": "approve"}, timeout=5,
                auth=("duty.manager@example.com", "duty-manager-api-token"))
            assert answer.status_code == 200, answer.text

        env, lines = commands(workflow())
        ran = play(cli, lines, env, approve)
        assert ran == ["change open", "gate --policies", "change record", "change record",
                       "change close"]
        key = env["CHANGE_ID"]
        final = jira.site.issue(key)
        assert (final.status, final.resolution) == ("Completed", "Done")
        stored = jira.deployments.get(("acme/pay-api", "production", 17))
        assert stored is not None and stored.data["state"] == "successful"
        assert stored.issues == [key]
        retried = play(cli, lines[:1], dict(env), approve)  # the open step again
        assert retried == ["change open"]
        assert len([i for i in jira.site.issues.values() if i.project.key == "CHG"]) == 1
