"""Actions do what they say: validate and run refuse what an adapter cannot carry out, and at
run time a failed action leaves no comment claiming it happened."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.runtime.conftest import new_incident, work_notes, write_config


def routing_policy(folder: Path, actions: list[dict], name: str = "escalations") -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({
        "apiVersion": "csi-rules/v1", "kind": "RoutingPolicy", "metadata": {"name": name},
        "spec": {"appliesTo": ["incident"], "rules": [
            {"id": "network", "when": {"field": "category", "eq": "network"},
             "actions": actions}]}}, sort_keys=False))
    return path


ROTA = [{"escalate": {"level": 2, "rota": "infra-on-call", "reason": "P1"}},
        {"comment": {"text": "Escalated to L2 on-call.", "visibility": "internal"}}]


def test_validate_against_an_adapter_names_the_parameter_it_cannot_carry_out(tmp_path, cli):
    path = routing_policy(tmp_path / "policies", ROTA)
    assert cli("validate", str(path)).code == 0, "without --adapter nothing is known to refuse"
    done = cli("validate", str(path), "--adapter", "servicenow")
    assert done.code == 2
    line, col = next((i, text.index("rota:") + 1)
                     for i, text in enumerate(path.read_text().splitlines(), 1) if "rota:" in text)
    assert done.out.splitlines() == [
        f"{path}:{line}:{col}: policy escalations: spec.rules.0.actions.0.escalate.rota: the "
        "servicenow adapter cannot carry out 'rota' (it supports: assignee, group, level, "
        "reason); csi-rules does not resolve ServiceNow on-call rotas; name a group or an "
        "assignee"]


def test_the_approvals_a_cab_route_implies_are_checked_too(tmp_path, cli):
    path = tmp_path / "cab.yaml"
    path.write_text(yaml.safe_dump({
        "apiVersion": "csi-rules/v1", "kind": "CabRoutingPolicy", "metadata": {"name": "cab"},
        "spec": {"appliesTo": ["change"], "rules": [
            {"id": "all", "route": {"type": "cab", "approvers": ["cab-members"], "quorum": 2}}]}},
        sort_keys=False))
    done = cli("validate", str(path), "--adapter", "servicenow")
    assert done.code == 2
    assert "spec.rules.0.route.quorum: the servicenow adapter cannot carry out " \
           "request_approval.quorum 2" in done.out


def test_validate_with_a_runner_config_uses_each_adapters_settings_and_kinds(tmp_path, sn, cli):
    policies = tmp_path / "policies"
    routing_policy(policies, [{"assign": {"group": "Network"}}])
    jira = {"name": "jira", "kinds": ["incident"],
            "settings": {"base_url": "https://example.atlassian.net",
                         "auth": {"email": "bot@example.com", "token_env": "NOT_SET_HERE"},
                         "projects": ["ITSM"]}}
    config = write_config(tmp_path, sn, policies=policies, more_adapters=(jira,))
    done = cli("validate", "--config", str(config))
    assert done.code == 2
    assert "spec.rules.0.actions.0.assign.group: the jira adapter cannot carry out 'group'" \
        in done.out and "set field_map.assignment_group" in done.out
    jira["kinds"] = ["request"]  # the policy is for incidents: the jira adapter never sees it
    write_config(tmp_path, sn, policies=policies, more_adapters=(jira,))
    assert cli("validate", "--config", str(config)).code == 0
    jira["kinds"] = ["incident"]
    jira["settings"]["field_map"] = {"assignment_group": "customfield_10060"}
    write_config(tmp_path, sn, policies=policies, more_adapters=(jira,))
    assert cli("validate", "--config", str(config)).code == 0


def test_run_refuses_to_start_with_an_action_an_adapter_would_drop(tmp_path, sn, cli):
    policies = tmp_path / "policies"
    routing_policy(policies, ROTA)
    config = write_config(tmp_path, sn, policies=policies)
    done = cli("run", "--config", str(config), "--once")
    assert done.code == 2 and "Traceback" not in done.err
    assert "escalate.rota: the servicenow adapter cannot carry out 'rota'" in done.err
    assert not (tmp_path / "state.db").exists()


@pytest.mark.parametrize("first", [
    {"escalate": {"level": 2, "rota": "infra-on-call", "reason": "P1"}},  # refused before writing
    {"assign": {"group": "No Such Team"}},  # refused by the platform lookup
], ids=["unsupported", "platform-refused"])
def test_a_comment_after_a_failed_action_is_held_back_not_posted(tmp_path, sn, make_runner,
                                                                first):
    inc = new_incident(sn, category="network")
    policies = tmp_path / "policies"
    routing_policy(policies, [first, ROTA[1]])
    runner = make_runner(write_config(tmp_path, sn, policies=policies), sn)
    runner.run_once()
    assert work_notes(sn, inc) == [], "no note claims what did not happen"
    assert sn.count("PATCH", "/api/now/table/incident/") == 0
    (entry,) = [r.entry for r in runner.store.audit() if r.entry["record"]["id"] == inc]
    statuses = [(a["status"], a["detail"]) for a in entry["actions"]]
    assert statuses[0][0] == "failed"
    assert statuses[1] == ("failed", f"not attempted: action #0 ({next(iter(first))}) failed; "
                                     "it runs once that one has been applied")


def test_a_reload_asking_for_an_action_an_adapter_would_drop_is_rejected(tmp_path, sn, clock,
                                                                        make_runner,
                                                                        sn_plugins):
    """`run` checks actions at start and on every hot reload: an edit that asks ServiceNow for a
    rota escalation is rejected like an invalid one, and the last good set keeps routing."""
    from csi_rules.cli.run_cmd import action_check
    from csi_rules.runtime import load_config

    policies = tmp_path / "policies"
    path = routing_policy(policies, [{"assign": {"group": "Network"}}])
    config = write_config(tmp_path, sn, policies=policies)
    runner = make_runner(config, sn, policy_check=action_check(load_config(config), sn_plugins))
    runner.run_once()
    good = runner.policy_set

    routing_policy(policies, ROTA)
    clock.advance(60)
    assert runner.run_once().reload == "rejected"
    assert runner.policy_set is good
    (rejected,) = runner.reporter.named("policy_reload_rejected")
    assert f"{path}:" in rejected["findings"][0]
    assert "escalate.rota: the servicenow adapter cannot carry out 'rota'" in \
        rejected["findings"][0]
    inc = new_incident(sn, category="network")
    assert not sn.store.get("incident", inc)["assignment_group"]
    clock.advance(60)
    runner.run_once()
    assert sn.store.get("incident", inc)["assignment_group"], "the last good set still routes"
