"""The README's GitHub Actions and Jenkins steps, played as written against the ServiceNow
emulator: every `csi-rules` command of the success path runs, in order, with the CI system's
variables filled in, and the change ends closed. A retried open step finds the same change."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
import requests
import yaml

from tests.change.test_pipeline_servicenow import AUTH, GATE, TEMPLATE, row, set_approval, sn
from tests.conftest import ROOT

__all__ = ["sn"]  # the emulator fixture
SECTION = ROOT.joinpath("README.md").read_text(encoding="utf-8").split(
    "## The change gate in a pipeline")[1].split("\n## ")[0]


def block(language: str) -> str:
    found = re.search(rf"```{language}\n(.*?)```", SECTION, re.S)
    assert found, f"the README's gate section has a {language} block"
    return found.group(1)


def github_commands() -> tuple[dict[str, str], list[str]]:
    workflow = yaml.safe_load(block("yaml"))
    lines = []
    for step in workflow["steps"]:
        if "failure()" in step.get("if", ""):
            continue
        lines += step["run"].splitlines()
    return {k: v for k, v in workflow["env"].items() if "${{" not in v}, lines


def jenkins_commands() -> tuple[dict[str, str], list[str]]:
    text = block("groovy").split("failure {")[0]
    env = dict(re.findall(r"^\s*(\w+) = '([^']*)'$", text, re.M))
    lines = []
    for assign, script in re.findall(r"(?:env\.(\w+) = sh\(returnStdout: true, script: |sh )"
                                     r"'([^']*)'", text):
        lines.append(f"{assign}=$({script})" if assign else script)
    return env, lines


def play(cli, lines: list[str], env: dict[str, str], before_gate) -> list[str]:
    """Run each csi-rules command line; `VAR=$(csi-rules ...)` keeps its output in VAR."""
    ran = []
    for line in lines:
        line = line.strip()
        assigned = re.match(r"^(\w+)=\$\((csi-rules .*)\)$", line)
        command = assigned.group(2) if assigned else line
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
def workspace(sn, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SERVICENOW_PASSWORD", "admin")
    config = json.dumps({"url": sn.url, "allow_insecure_loopback": True, "auth": {
        "type": "basic", "username": "admin", "password_env": "SERVICENOW_PASSWORD"}})
    for folder in (".ci", "ci"):
        Path(folder).mkdir()
        Path(folder, "servicenow.yaml").write_text(config)
        Path(folder, "change.yaml").write_text(TEMPLATE)
    Path("policies").mkdir()
    Path("policies", "gate.yaml").write_text(GATE)
    return sn


def approve(sn):
    return lambda env: set_approval(sn, env["CHANGE_ID"], "approved").join()


def assert_closed(sn, number, build_url):
    final = row(sn, number)
    assert (final["state"], final["close_code"]) == ("3", "successful")
    notes = requests.get(f"{sn.url}/api/now/table/sys_journal_field", auth=AUTH, timeout=5,
                         params={"sysparm_query": f"element_id={final['sys_id']}"}).json()
    assert build_url in " ".join(n["value"] for n in notes["result"])


def test_the_github_actions_steps_run_the_whole_flow(cli, workspace):
    env, lines = github_commands()
    env.update(GITHUB_RUN_ID="4711", GITHUB_SERVER_URL="https://github.com",
               GITHUB_REPOSITORY="acme/pay", GITHUB_SHA="0a1b2c3", GITHUB_ENV="/dev/null",
               GITHUB_STEP_SUMMARY="/dev/null")
    ran = play(cli, lines, env, approve(workspace))
    assert ran == ["change open", "gate --policies", "change record", "change record",
                   "change close"]
    first = env["CHANGE_ID"]
    play(cli, lines[:1], env, approve(workspace))  # the open step, retried
    assert env["CHANGE_ID"] == first
    assert_closed(workspace, first, "https://github.com/acme/pay/actions/runs/4711")


def test_the_jenkins_pipeline_runs_the_whole_flow(cli, workspace):
    env, lines = jenkins_commands()
    env.update(BUILD_TAG="jenkins-pay-12", BUILD_URL="https://jenkins.example/job/pay/12/",
               GIT_COMMIT="0a1b2c3")
    ran = play(cli, lines, env, approve(workspace))
    assert ran == ["change open", "gate --policies", "change record", "change record",
                   "change close"]
    assert_closed(workspace, env["CHANGE_ID"], "https://jenkins.example/job/pay/12/")
