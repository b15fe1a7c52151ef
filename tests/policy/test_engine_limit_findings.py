"""Validation names every rule too wide for durable-rules, whether the rest of its list fits or not.

It compiles the whole list first and each rule alone only when the list does not compile; the
oracle here compiles each rule alone every time, as validation did before.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from csi_rules.conditions.parse import parse_condition
from csi_rules.engine.compiler import compile_groups
from csi_rules.engine.groups import RuleGroup, RuleSpec
from csi_rules.errors import EngineError
from csi_rules.policy.kinds.rules import _engine_findings
from csi_rules.policy.loader import Document


def _each_alone(usable: list[tuple[int, Any]]) -> list[int]:
    refused = []
    for i, cond in usable:
        try:
            compile_groups([RuleGroup("g", "first", frozenset({"incident"}), (RuleSpec("r", cond),))])
        except EngineError:
            refused.append(i)
    return refused


def _wide(width: int, negated: bool, offset: int) -> dict[str, Any]:
    branches = [{"all": [{"field": "priority", "eq": 1 + (k + offset) % 5},
                         {"field": "category", "eq": f"c{k + offset}"}]} for k in range(width)]
    return {"not": {"any": branches}} if negated else {"any": branches}


RULES = st.lists(st.one_of(
    st.builds(_wide, st.integers(1, 20), st.booleans(), st.integers(0, 30)),
    st.builds(lambda v: {"field": "priority", "in": v}, st.lists(st.integers(1, 9), min_size=1)),
    st.builds(lambda s: {"field": "category", "matches": s}, st.sampled_from(["^net", "db$"])),
), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(RULES)
def test_the_rules_named_too_wide_are_the_ones_that_do_not_compile_alone(whens):
    rules = [{"id": f"rule-{i}", "when": w} for i, w in enumerate(whens)]
    doc = Document("p.yaml", 0, {"metadata": {"name": "p"}, "spec": {"rules": rules}})
    usable = [(i, parse_condition(w, ("spec", "rules", i, "when"))) for i, w in enumerate(whens)]
    found = _engine_findings(doc, ("spec", "rules"), rules, usable)
    named = [int(f.path.split(".")[2]) for f in found]
    assert named == _each_alone(usable)
    assert all("too complex for the rules engine" in f.message for f in found)
