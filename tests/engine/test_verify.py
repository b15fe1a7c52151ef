"""Verify mode: a sample of live answers is re-evaluated on a second engine; differences are
counted, described and reported, never silently dropped."""

from __future__ import annotations

import random

from csi_rules.engine.groups import RuleGroup
from csi_rules.engine.testing import NOW, random_groups, record_stream
from csi_rules.engine.verify import Disagreement, VerifyingMatcher
from tests.engine.conftest import group, record


def test_engines_that_agree_report_no_disagreement_on_the_sample() -> None:
    rng = random.Random(3)
    groups = random_groups(rng, count=3, max_rules=10)
    records = list(record_stream(rng, 400))
    with VerifyingMatcher(groups, verify_with="durable", every=4, isolation="inline") as m:
        m.match_many(records, NOW)
        assert m.summary()["checked"] == 100
        assert (m.disagreed, m.errors) == (0, 0)


def test_a_disagreement_is_counted_described_and_passed_on() -> None:
    # the same group id with different rules stands in for an engine that is wrong
    good = group("g", "first", {"low": {"field": "priority", "lte": 2}})
    seen: list[Disagreement] = []
    m = VerifyingMatcher([good], verify_with="reference", every=1,
                         on_disagreement=seen.append)
    broken = group("g", "first", {"low": {"field": "priority", "lt": 2}})
    m._secondary = VerifyingMatcher([broken], engine="reference", verify_with="compiled",
                                    every=10**9)
    m.match_many([record(priority=2), record(priority=1)], NOW)
    assert m.disagreed == 1 and m.checked == 2
    assert seen[0].describe() == "incident INC1: group g: compiled matched ['low'], " \
        "reference matched []"
    assert m.summary()["recent"] == [seen[0].describe()]


def test_same_engine_twice_is_refused() -> None:
    import pytest

    from csi_rules.errors import EngineError

    with pytest.raises(EngineError, match="must differ"):
        VerifyingMatcher([RuleGroup("g", "first", frozenset({"incident"}), ())],
                         engine="compiled", verify_with="compiled")


def test_the_evaluator_runs_in_verify_mode_on_request(tmp_path, plugins) -> None:  # type: ignore[no-untyped-def]
    from csi_rules.evaluation import Evaluator
    from csi_rules.policy.validate import load_policy_set

    (tmp_path / "route.yaml").write_text(
        "apiVersion: csi-rules/v1\nkind: RoutingPolicy\nmetadata:\n  name: route\n"
        "spec:\n  appliesTo: [incident]\n  rules:\n    - id: p1\n"
        "      when: {field: priority, eq: 1}\n"
        "      actions: [{assign: {group: Major}}]\n")
    with Evaluator(load_policy_set([str(tmp_path)], plugins), verify_with="reference", every=1) as ev:
        decisions = ev.evaluate(record(priority=1), NOW)
        assert [d.rule_id for d in decisions] == ["p1"]
        assert ev.verification() == {"engine": "compiled", "verify_with": "reference",
                                     "every": 1, "checked": 1, "disagreements": 0,
                                     "errors": 0, "recent": []}
