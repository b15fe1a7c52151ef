"""Not-triggered decisions are made once per combination of the values a trigger reads
(evaluation_trigger.py), yet each reads, prints, pickles and is written exactly as the
reference engine's field-by-field `Decision`: across types of a value (1 and True), floats
(0.0 and -0.0), time-derived fields and repeated combinations."""

from __future__ import annotations

import dataclasses
import json
import pickle
from datetime import UTC, datetime, timedelta

from csi_rules.cli.evaluate_json import DecisionText
from csi_rules.evaluation import OUTCOME_NOT_TRIGGERED, Evaluator
from csi_rules.evaluation_trigger import TriggerDecision
from csi_rules.policy.loader import load_text
from csi_rules.policy.model import PolicySet
from csi_rules.records import parse_record
from csi_rules.records.model import MISSING

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ENCODE = json.JSONEncoder(check_circular=False).encode
TRIGGERS = {
    "unassigned": "",
    "fresh": "  trigger: {field: age_seconds, lt: 3600}",
    "vip": "  trigger: {field: raw.u_vip, eq: \"yes\"}",
    "hours": "  trigger: {field: raw.hours, gt: 0}",
}


def _policy_set(plugins) -> PolicySet:
    kind = plugins.kinds.get("RoutingPolicy")
    policies = []
    for name, trigger in TRIGGERS.items():
        (doc,), findings = load_text(f"""
apiVersion: csi-rules/v1
kind: RoutingPolicy
metadata: {{name: {name}}}
spec:
  appliesTo: [incident]
{trigger}
  rules:
    - id: network
      when: {{field: category, eq: network}}
      actions: [{{assign: {{group: Network}}}}]
""", f"{name}.yaml")
        assert not findings and not kind.check(doc, None)
        policies.append(kind.build(doc))
    return PolicySet(policies)


def _records() -> list:
    out = []
    owners = [{}, {"assignment_group": "Desk"}, {"assignee": "ann"},
              {"assignment_group": "Desk", "assignee": "bob"}, {"assignment_group": "Ops"}]
    raws = [{"u_vip": True}, {"u_vip": 1}, {"u_vip": "true"}, {}, {"hours": 0.0},
            {"hours": -0.0}, {"hours": 0}, {"hours": False}]
    for n in range(80):
        opened = NOW - timedelta(minutes=25 * (n % 5))
        out.append(parse_record({
            "id": f"r{n}", "number": f"INC{n:04d}", "kind": "incident", "category": "email",
            "opened_at": opened.isoformat(), **owners[n % len(owners)],
            "raw": raws[n % len(raws)]}))
    return out


def test_not_triggered_decisions_equal_the_reference_ones_and_read_as_their_json(plugins):
    policy_set = _policy_set(plugins)
    text = DecisionText(ENCODE)
    records = _records()
    with Evaluator(policy_set) as compiled, \
            Evaluator(policy_set, engine="reference") as reference:
        shared = 0
        for record in records * 2:  # the second round from the memo
            got, want = compiled.evaluate(record, NOW), reference.evaluate(record, NOW)
            assert got == want
            assert [repr(d) for d in got] == [repr(d) for d in want]
            assert [d.format_text() for d in got] == [d.format_text() for d in want]
            assert [text(d) for d in got] == [ENCODE(d.to_json()) for d in want]
            assert [pickle.loads(pickle.dumps(d)) for d in got] == want
            assert [dataclasses.replace(d) for d in got] == want
            assert [dataclasses.asdict(d) for d in got] == [dataclasses.asdict(d) for d in want]
            shared += sum(type(d) is TriggerDecision for d in got)
    assert shared > 100


def test_each_not_triggered_decision_has_its_own_details(plugins):
    policy_set = _policy_set(plugins)
    owned = [r for r in _records()
             if r.get("assignment_group") == "Desk" and r.get("assignee") is MISSING][:2]
    with Evaluator(policy_set) as compiled:
        first, second = (next(d for d in compiled.evaluate(r, NOW) if d.policy == "unassigned")
                         for r in owned)
    assert first.outcome == second.outcome == OUTCOME_NOT_TRIGGERED
    assert first.details == second.details
    first.details["explain"] = "changed by a caller"
    assert second.details["explain"].startswith("trigger unassigned: the ticket already has")
    assert first.record_id != second.record_id


def test_long_trigger_texts_are_not_kept_by_the_memo(plugins) -> None:
    """A trigger reading free text (a description) must not keep each ticket's text for the
    life of a runner's evaluator: long texts are worked out afresh, with the same decision."""
    from csi_rules.evaluation_trigger import TriggerMemo

    policy = _policy_set(plugins).get("vip")
    assert policy is not None
    memo = TriggerMemo(policy, lambda p, r, lookup, now: None)
    for n in range(50):
        memo(parse_record({"id": f"INC{n}", "kind": "incident",
                           "raw": {"u_vip": "x" * 4_000 + str(n)}}), NOW)
    memo(parse_record({"id": "INC-short", "kind": "incident", "raw": {"u_vip": "no"}}), NOW)
    assert len(memo._memo) == 1
