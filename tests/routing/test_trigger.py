"""RoutingPolicy spec.trigger: by default only a ticket with neither a group nor an assignee is
routed (as ServiceNow assignment rules), so a live run never takes an owned ticket away from its
owner; `always` and a condition say otherwise."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from csi_rules.engine.reference import ReferenceMatcher
from csi_rules.evaluation import OUTCOME_NOT_TRIGGERED, Evaluator
from csi_rules.policy.loader import load_text
from csi_rules.policy.model import PolicySet
from csi_rules.records import parse_record

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def policy(trigger: str = "") -> str:
    return f"""
apiVersion: csi-rules/v1
kind: RoutingPolicy
metadata: {{name: route}}
spec:
  appliesTo: [incident]
{trigger}
  rules:
    - id: network
      when: {{field: category, eq: network}}
      actions: [{{assign: {{group: Network}}}}]
"""


def decide(plugins, text: str, **fields):
    docs, findings = load_text(text, "route.yaml")
    assert not findings
    kind = plugins.kinds.get("RoutingPolicy")
    assert not kind.check(docs[0], None)
    policy_set = PolicySet([kind.build(docs[0])])
    record = parse_record({"id": "r1", "kind": "incident", "category": "network", **fields})
    with Evaluator(policy_set, ReferenceMatcher) as evaluator:
        (decision,) = evaluator.evaluate(record, NOW)
    return decision


def test_by_default_an_unassigned_ticket_is_routed(plugins):
    decision = decide(plugins, policy())
    assert decision.rule_id == "network" and decision.actions


def test_by_default_an_owned_ticket_is_not_rerouted_and_the_decision_says_why(plugins):
    decision = decide(plugins, policy(), assignment_group="Database")
    assert decision.outcome == OUTCOME_NOT_TRIGGERED and decision.actions == ()
    assert "already has assignment_group 'Database', so" in decision.details["explain"]
    assert "not re-routed" in decision.format_text()
    assert ("assignment_group", "exists", False) in [
        (r.path, r.op, r.result) for r in decision.reasons]


def test_by_default_a_ticket_with_an_assignee_but_no_group_is_not_rerouted(plugins):
    # a Jira ticket has no group field: its assignee is who owns it
    decision = decide(plugins, policy(), assignee="bob")
    assert decision.outcome == OUTCOME_NOT_TRIGGERED and decision.actions == ()
    assert "already has assignee 'bob'" in decision.details["explain"]


def test_trigger_always_reroutes_an_owned_ticket(plugins):
    decision = decide(plugins, policy("  trigger: always"), assignment_group="Database")
    assert decision.rule_id == "network"


def test_a_condition_trigger(plugins):
    text = policy("  trigger: {field: priority, lte: 2}")
    assert decide(plugins, text, priority=1, assignment_group="Database").rule_id == "network"
    skipped = decide(plugins, text, priority=4)
    assert skipped.outcome == OUTCOME_NOT_TRIGGERED and "spec.trigger" in skipped.details["explain"]


@pytest.mark.parametrize("trigger, message", [
    ("  trigger: sometimes", "spec.trigger"),
    ("  trigger: {field: prio, lte: 2}", "unknown field 'prio'"),
])
def test_a_bad_trigger_is_a_validation_finding(cli, tmp_path, monkeypatch, trigger, message):
    (tmp_path / "route.yaml").write_text(policy(trigger))
    monkeypatch.chdir(tmp_path)
    result = cli("validate", "route.yaml")
    assert result.code == 2 and message in result.out and "route.yaml:" in result.out
