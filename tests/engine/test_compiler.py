"""The compiler is pure and hands durable only generated names and small integer constants."""

from __future__ import annotations

import copy
import json
import random
import re

import pytest

from csi_rules.engine.compiler import CATCH_ALL, compile_groups
from csi_rules.engine.matcher import DurableMatcher
from csi_rules.engine.naming import MARKER, fnv1_32, message_ids
from csi_rules.engine.testing import NOW, random_groups, threshold_group
from csi_rules.errors import EngineError

from .conftest import group, record

NAME = re.compile(r"^[a-z0-9_]+$")


def _names(cond: object) -> list[str]:
    """Every property name a durable condition reads."""
    if isinstance(cond, dict):
        out = []
        for key, value in cond.items():
            if key.startswith("$"):
                out.extend(_names(value))
            else:
                out.append(key)
        return out
    if isinstance(cond, list):
        return [n for c in cond for n in _names(c)]
    return []


def _values(cond: object) -> list[object]:
    if isinstance(cond, dict):
        return [v for value in cond.values() for v in _values(value)]
    if isinstance(cond, list):
        return [v for c in cond for v in _values(c)]
    return [cond]


def test_compiling_is_pure_and_deterministic() -> None:
    groups = random_groups(random.Random(3))
    before = copy.deepcopy(groups)
    first, second = compile_groups(groups), compile_groups(groups)
    assert first == second
    assert groups == before


def test_rulesets_hold_generated_names_and_no_policy_text() -> None:
    hostile = "r$state.x$flow $not"
    g = group("policy$state", "first", {hostile: {"field": "raw.$weird", "eq": "secret text"}})
    program = compile_groups([g])
    text = json.dumps([s.definition for s in program.shards()])
    assert "$state" not in text and "$flow" not in text and "secret" not in text
    for shard in program.shards():
        assert NAME.match(shard.ruleset)
        for rule_name, rule in shard.definition.items():
            assert NAME.match(rule_name)
            assert set(rule) <= {"all", "pri"}  # durable rejects unknown keys (error 105)
            for name in _names(rule["all"]):
                assert NAME.match(name) and name not in ("id", "sid")
            assert all(isinstance(v, int) for v in _values(rule["all"]))


def test_every_rule_tests_the_marker_and_a_lowest_priority_catch_all_exists() -> None:
    program = compile_groups(random_groups(random.Random(4)))
    for plan in program.groups:
        for shard in plan.shards:
            rules = shard.definition
            assert rules[CATCH_ALL] == {"all": [{"m": {MARKER: 1}}], "pri": len(plan.keys)}
            for name, rule in rules.items():
                pattern = rule["all"][0]["m"]
                first = pattern["$and"][0] if "$and" in pattern else pattern
                assert first == {MARKER: 1}, name
                assert rule["pri"] <= len(plan.keys)


def test_property_names_never_share_a_durable_hash() -> None:
    program = compile_groups(random_groups(random.Random(5), count=8, max_rules=40))
    for shard in program.shards():
        names = [s.name for s in shard.slots] + [MARKER, "id", "sid"]
        assert len({fnv1_32(n) for n in names}) == len(names)


def test_message_ids_have_distinct_hashes() -> None:
    ids = message_ids(5000)
    assert len({fnv1_32(str(i)) for i in ids}) == 5000
    assert fnv1_32("sid-s") not in {fnv1_32(str(i)) for i in ids}


def test_groups_too_wide_for_one_ruleset_are_split_in_rule_order() -> None:
    g = threshold_group(random.Random(6), rules=150)
    (plan,) = compile_groups([g]).groups
    assert len(plan.shards) > 1
    order = [i for shard in plan.shards for i in sorted(shard.rule_specs.values())]
    assert order == sorted(order) == list(range(150))


def test_statically_false_rules_are_left_out() -> None:
    g = group("g", "first", {"never": {"field": "priority", "lt": True}, "ok": {"all": []}})
    (shard,) = compile_groups([g]).shards()
    assert set(shard.rule_specs.values()) == {1}


@pytest.mark.parametrize("cond, message", [
    ({"field": "raw.x", "matches": "("}, "invalid regular expression"),
    ({"field": "raw.x", "between": [1]}, "needs \\[low, high\\]"),
    ({"field": "raw.x", "in": 3}, "needs a list"),
])
def test_malformed_conditions_are_refused_with_the_matcher_named(cond: dict, message: str) -> None:
    with pytest.raises(EngineError, match=message):
        compile_groups([group("g", "first", {"r": cond})])


def test_duplicate_group_ids_are_refused() -> None:
    g = group("g", "first", {})
    with pytest.raises(EngineError, match="duplicate group id"):
        compile_groups([g, g])


def test_a_wide_top_level_any_is_split_into_one_rule_per_branch() -> None:
    wide = {"any": [{"field": "age_seconds", "gt": n} for n in range(100)]}
    (plan,) = compile_groups([group("g", "first", {"wide": wide})]).groups
    names = [name for shard in plan.shards for name in shard.rule_specs]
    assert len(names) == 100 and len(plan.shards) > 1
    assert {i for shard in plan.shards for i in shard.rule_specs.values()} == {0}
    g = group("g", "first", {"wide": wide, "other": {"all": []}})
    records = [record(opened_at=t) for t in ("2024-06-01T12:00:00Z", "2024-06-01T11:59:00Z")]
    with DurableMatcher([g], isolation="inline") as m:
        assert m.match_many(records, NOW) == [{"g": ["other"]}, {"g": ["wide"]}]


def test_a_rule_too_wide_for_durable_is_refused_by_name() -> None:
    wide = {"all": [{"field": "priority", "eq": 1},
                    {"any": [{"field": "age_seconds", "gt": n} for n in range(100)]}]}
    with pytest.raises(EngineError, match=r"rule too_wide: condition too wide .*limit 60"):
        compile_groups([group("g", "first", {"too_wide": wide})])
