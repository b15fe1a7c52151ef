"""Decisions from the compiled matcher share their rule's facts and make their reasons when
read (`RuleDecision`), yet a user sees exactly the `Decision`s the reference engine gives:
equal, same JSON, same text, pickled and replaced as plain decisions, from any thread."""

from __future__ import annotations

import dataclasses
import json
import pickle
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from csi_rules.decisions import Decision, RuleDecision
from csi_rules.evaluation import Evaluator
from csi_rules.policy.validate import load_policy_set
from csi_rules.records import parse_record
from csi_rules.records.model import Record
from tests.conftest import POLICIES, ROOT

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
EXAMPLES = ROOT / "csi_rules" / "examples" / "records.jsonl"


def _variants(count: int, seed: int = 3) -> list[Record]:
    """The example records with the fields routing and CAB rules read shuffled about."""
    rng = random.Random(seed)
    base = [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines()]
    out = []
    for n in range(count):
        data = dict(rng.choice(base), id=f"r{n}", number=f"X{n:05d}")
        data["priority"] = rng.randint(1, 5)
        data["reassignment_count"] = rng.choice([0, 1, 3, 7])
        data["category"] = rng.choice(["network", "database", "software", "hardware"])
        if rng.random() < 0.3:
            data["assignment_group"] = "Database"
        else:
            data.pop("assignment_group", None)
        out.append(parse_record(data))
    return out


@pytest.fixture(scope="module")
def evaluators(plugins_module):
    policy_set = load_policy_set([str(POLICIES)], plugins_module)
    with Evaluator(policy_set) as compiled, \
            Evaluator(policy_set, engine="reference") as reference:
        yield compiled, reference


@pytest.fixture(scope="module")
def plugins_module():
    from csi_rules.plugins import load_plugins

    return load_plugins(entry_points=False)


def _fields(d: Decision) -> list[object]:
    return [getattr(d, f.name) for f in dataclasses.fields(d)]


def _shown(decisions: list[Decision]) -> list[tuple[str, str]]:
    return [(json.dumps(d.to_json(), sort_keys=True, default=repr), d.format_text())
            for d in decisions]


def test_compiled_decisions_equal_the_reference_ones_field_by_field_json_and_text(evaluators):
    compiled, reference = evaluators
    records, shared = _variants(300), 0
    for when in (NOW, NOW + timedelta(hours=5)):
        for record in records:
            got, want = compiled.evaluate(record, when), reference.evaluate(record, when)
            assert got == want and want == got
            assert [_fields(d) for d in got] == [_fields(d) for d in want]
            assert _shown(got) == _shown(want)
            shared += sum(isinstance(d, RuleDecision) for d in got)
        many = [d for ds in compiled.evaluate_many(records, when) for d in ds]
        assert many == [d for ds in reference.evaluate_many(records, when) for d in ds]
    assert shared > 300, "no decision took the shared path: the comparison proves little"


def test_a_rule_decision_is_frozen_and_pickles_copies_and_replaces_as_a_plain_decision(evaluators):
    compiled, reference = evaluators
    record = _variants(1)[0]
    (got, *_), (want, *_) = compiled.evaluate(record, NOW), reference.evaluate(record, NOW)
    assert isinstance(got, RuleDecision) and got == want and want == got
    assert repr(got) == repr(want) and repr(got).startswith("Decision(")
    for name in ("policy", "reasons", "details", "key", "anything"):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(got, name, "x")
    back = pickle.loads(pickle.dumps(got))
    assert type(back) is Decision and back == want and back.reasons == tuple(want.reasons)
    changed = dataclasses.replace(got, details={"explain": "x"})
    assert type(changed) is Decision and changed.details == {"explain": "x"}
    assert changed.rule_id == want.rule_id and changed.reasons == want.reasons


def test_reasons_read_later_are_those_of_the_record_as_it_was_evaluated(evaluators):
    compiled, reference = evaluators
    record = _variants(1, seed=8)[0]
    want = [tuple(d.reasons) for d in reference.evaluate(record, NOW)]
    got = compiled.evaluate(record, NOW)
    record.data["priority"], record.data["category"] = 9, "changed"
    assert [tuple(d.reasons) for d in got] == want
    assert got[0].reasons is got[0].reasons  # made once, then kept


def test_one_evaluator_serves_many_threads_with_the_same_decisions(evaluators):
    compiled, reference = evaluators
    records = _variants(200, seed=11)
    want = [_shown(reference.evaluate(r, NOW)) for r in records]

    def run(offset: int) -> list[list[tuple[str, str]]]:
        order = records[offset:] + records[:offset]
        shown = [_shown(compiled.evaluate(r, NOW)) for r in order]
        return shown[-offset:] + shown[:-offset] if offset else shown

    with ThreadPoolExecutor(4) as pool:
        for result in pool.map(run, (0, 50, 100, 150)):
            assert result == want


TRIGGERED = """
apiVersion: csi-rules/v1
kind: RoutingPolicy
metadata: {{name: {name}}}
spec:
  appliesTo: [incident, request]
{trigger}
  rules:
    - id: network
      when: {{field: category, eq: network}}
      actions: [{{assign: {{group: Network}}}}]
  default:
    actions: [{{assign: {{group: Desk}}}}]
"""


def test_triggers_decide_alike_on_the_compiled_path(plugins_module):
    from csi_rules.policy.loader import load_text
    from csi_rules.policy.model import PolicySet

    kind = plugins_module.kinds.get("RoutingPolicy")
    policies = []
    for name, trigger in (("unassigned", ""), ("always", "  trigger: always"),
                          ("urgent", "  trigger: {field: priority, lte: 2}")):
        (doc,), findings = load_text(TRIGGERED.format(name=name, trigger=trigger), f"{name}.yaml")
        assert not findings and not kind.check(doc, None)
        policies.append(kind.build(doc))
    policy_set = PolicySet(policies)
    rng = random.Random(4)
    with Evaluator(policy_set) as compiled, Evaluator(policy_set, engine="reference") as reference:
        outcomes = set()
        for n in range(200):
            data = {"id": f"r{n}", "kind": rng.choice(["incident", "request", "change"]),
                    "priority": rng.randint(1, 4), "category": rng.choice(["network", "email"])}
            for field in ("assignment_group", "assignee"):
                if rng.random() < 0.3:
                    data[field] = "someone"
            record = parse_record(data)
            got, want = compiled.evaluate(record, NOW), reference.evaluate(record, NOW)
            assert got == want and _shown(got) == _shown(want)
            outcomes |= {(d.policy, d.outcome) for d in got}
    assert {("unassigned", "not_triggered"), ("urgent", "not_triggered"),
            ("urgent", "matched"), ("always", "default")} <= outcomes
