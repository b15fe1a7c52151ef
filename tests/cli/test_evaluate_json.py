"""evaluate's JSON text for decisions (cli/evaluate_json.py) is byte for byte what encoding
`to_json()` gives, however often a rule, a reason or an instant repeats."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from csi_rules.cli.evaluate_json import DecisionText
from csi_rules.conditions.evaluate import Reason
from csi_rules.decisions import Decision, RuleFacts, Subject, add_decisions
from csi_rules.evaluation import Evaluator
from csi_rules.policy.model import Action
from csi_rules.policy.validate import load_policy_set
from csi_rules.records.model import MISSING
from tests.conftest import POLICIES
from tests.engine.test_rule_decisions import _variants

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ENCODE = json.JSONEncoder(check_circular=False).encode


def test_example_policies_decisions_read_as_their_json() -> None:
    from csi_rules.plugins import load_plugins

    policy_set = load_policy_set([str(POLICIES)], load_plugins(entry_points=False))
    text = DecisionText(ENCODE)
    with Evaluator(policy_set) as evaluator:
        records = _variants(60)
        for decisions in [*evaluator.evaluate_many(records, NOW),
                          *evaluator.evaluate_many(records, NOW)]:
            for d in decisions:
                assert text(d) == ENCODE(d.to_json())


def test_reasons_differing_only_in_the_type_of_a_value_are_written_as_they_are() -> None:
    actuals = [1, True, 1.0, 0.0, -0.0, "1", MISSING, None, ["a", 1], NOW]
    expected = [1, True, 1.0, ("a", "b"), ("a", 1), ("a", True)]

    def explain(values: object) -> list[Reason]:
        return [Reason("f", "eq", e, values, e == values) for e in expected]

    facts = RuleFacts("p", "RoutingPolicy", "sha256:x", "r\u00e9", "p.yaml:1", "matched",
                      (Action("set_priority", {"priority": 2}),), explain)
    default = RuleFacts("p", "RoutingPolicy", "sha256:x", None, "p.yaml:1", "default", (),
                        lambda values: ())
    text = DecisionText(ENCODE)
    for n, actual in enumerate(actuals * 2):
        out: list[Decision] = []
        add_decisions(out, {"r": facts, "d": default}, ("r", "d"),
                      Subject(f"id{n}", f"L\u00fc{n}", NOW, actual))
        for d in out:
            assert text(d) == ENCODE(d.to_json())


def test_decisions_built_field_by_field_read_as_their_json() -> None:
    from types import MappingProxyType

    reasons = tuple(Reason("f", "eq", e, a, e == a)
                    for e in (1, True, 1.0, ("a",)) for a in (1, True, -0.0, MISSING, NOW))
    text = DecisionText(ENCODE)
    for details in (None, {}, {"explain": "why \u00e9", "n": [1, 2.5]},
                    MappingProxyType({"explain": "x"})):
        for key in ("", "k/1"):
            for rule in (None, "r1"):
                d = Decision("i\u00e9", "L", "p", "RoutingPolicy", "sha256:x", rule, "p.yaml:3",
                             "not_triggered", (Action("notify", {"to": ["a", "b"]}),),
                             reasons, NOW, details, key)
                assert text(d) == ENCODE(d.to_json())


def test_a_long_run_of_cab_decisions_keeps_a_bounded_cache() -> None:
    # a CAB route makes a new actions tuple per decision: the writer's memory must not grow
    # with the output (it kept one entry per decision)
    from csi_rules.cli.evaluate_json import ACTIONS_KEPT
    from csi_rules.plugins import load_plugins
    from csi_rules.records import parse_record

    policy_set = load_policy_set([str(POLICIES / "change" / "cab-routing.yaml")],
                                 load_plugins(entry_points=False))
    record = parse_record({"id": "c1", "number": "CHG1", "kind": "change",
                           "change_type": "normal", "risk": "high"})
    text = DecisionText(ENCODE)
    with Evaluator(policy_set) as evaluator:
        for _ in range(ACTIONS_KEPT + 500):
            for d in evaluator.evaluate(record, NOW):
                assert text(d) == ENCODE(d.to_json())
    assert len(text._actions) <= ACTIONS_KEPT
