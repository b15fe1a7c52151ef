"""The compiled matcher: the reference's exact typing, hit policies, rule order, its index,
and engine selection through the Evaluator."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime

import pytest

from csi_rules.engine.compiled import CompiledMatcher
from csi_rules.engine.compiled.index import Split, build_index
from csi_rules.engine.reference import ReferenceMatcher
from csi_rules.engine.select import ENGINES, make_matcher
from csi_rules.engine.testing import NOW, random_groups, record_stream
from csi_rules.errors import EngineError
from tests.engine.conftest import group, record


def _both(groups: list, records: list) -> tuple[list, list]:
    return CompiledMatcher(groups).match_many(records, NOW), \
        ReferenceMatcher(groups).match_many(records, NOW)


def test_no_coercion_numeric_strings_bools_and_numbers_stay_apart() -> None:
    g = group("g", "collect", {"num": {"field": "raw.x", "eq": 1},
                               "str": {"field": "raw.x", "eq": "1"},
                               "bool": {"field": "raw.x", "eq": True},
                               "big": {"field": "raw.x", "gt": 5},
                               "set": {"field": "raw.x", "in": [1, "9"]}})
    m = CompiledMatcher([g])
    seen = {repr(x): m.match(record(raw={"x": x}), NOW)["g"]
            for x in (1, 1.0, "1", True, "9", 9, [1])}
    assert seen == {"1": ["num", "set"], "1.0": ["num", "set"], "'1'": ["str"],
                    "True": ["bool"], "'9'": ["set"], "9": ["big"], "[1]": []}


def test_first_takes_the_first_rule_in_order_and_collect_takes_all() -> None:
    rules = {"a": {"field": "priority", "eq": 1},
             "b": {"field": "priority", "in": [1, 2]},
             "c": {"field": "category", "exists": True}}
    recs = [record(priority=1, category="x"), record(priority=2), record(priority=3)]
    first = CompiledMatcher([group("g", "first", rules)]).match_many(recs, NOW)
    collect = CompiledMatcher([group("g", "collect", rules)]).match_many(recs, NOW)
    assert [r["g"] for r in first] == [["a"], ["b"], []]
    assert [r["g"] for r in collect] == [["a", "b", "c"], ["b"], []]


def test_groups_apply_only_to_their_kinds() -> None:
    g = group("g", "first", {"a": {"field": "priority", "eq": 1}},
              kinds=frozenset({"change"}))
    assert CompiledMatcher([g]).match(record(priority=1), NOW) == {"g": []}


def test_many_rules_are_split_by_an_index_and_agree_with_the_reference() -> None:
    cats = ["network", "database", "email", "access"]
    rules = {f"r{i}": {"all": [{"field": "category", "eq": cats[i % 4]},
                               {"field": "priority", "in": [1 + i % 5]},
                               {"field": "reassignment_count", "gte": i % 7}]}
             for i in range(200)}
    rules["any"] = {"field": "state", "eq": "new"}
    g = group("g", "collect", rules)
    root = build_index([(s.key, s.condition) for s in g.rules], False,
                       {"category": 0, "priority": 1, "reassignment_count": 2, "state": 3})
    assert isinstance(root, Split) and root.slot == 0
    rng = random.Random(5)
    recs = [record(category=rng.choice([*cats, "other"]), priority=rng.randint(1, 5),
                   reassignment_count=rng.randint(0, 8), state=rng.choice(["new", "closed"]))
            for _ in range(2000)]
    got, want = _both([g], recs)
    assert got == want and any(len(r["g"]) > 2 for r in got)


def test_derived_ages_use_the_evaluation_time() -> None:
    g = group("g", "first", {"old": {"field": "age_seconds", "gte": 3600}})
    r = record(opened_at="2024-06-01T10:00:00+00:00")
    m = CompiledMatcher([g])
    assert m.match(r, NOW)["g"] == ["old"]
    assert m.match(r, datetime(2024, 6, 1, 10, 30, tzinfo=UTC))["g"] == []


def test_naive_time_is_refused() -> None:
    with pytest.raises(EngineError, match="timezone-aware"):
        CompiledMatcher([]).match(record(), datetime(2024, 1, 1))


def test_random_groups_agree_with_the_reference() -> None:
    for seed in range(3):
        rng = random.Random(300 + seed)
        groups = random_groups(rng, count=6, max_rules=25)
        recs = list(record_stream(rng, 3000))
        got, want = _both(groups, recs)
        assert got == want


def test_one_matcher_serves_many_threads() -> None:
    rng = random.Random(9)
    groups = random_groups(rng, count=4, max_rules=20)
    recs = list(record_stream(rng, 2000))
    m = CompiledMatcher(groups)
    want = ReferenceMatcher(groups).match_many(recs, NOW)
    results: list[bool] = []

    def work(offset: int) -> None:
        results.append(all(m.match(recs[i], NOW) == want[i]
                           for i in range(offset, len(recs), 3)))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True, True, True]


def test_every_engine_is_selectable_by_name_and_unknown_names_are_refused() -> None:
    g = group("g", "first", {"a": {"field": "priority", "lte": 2}})
    for name in ENGINES:
        options = {"isolation": "inline"} if name == "durable" else {}
        with make_matcher([g], name, **options) as m:
            assert m.match(record(priority=2), NOW) == {"g": ["a"]}
    with pytest.raises(EngineError, match="choose one of compiled, durable, reference"):
        make_matcher([g], "fast")


def test_compiled_reasons_equal_the_reference_explanation() -> None:
    from csi_rules.conditions.evaluate import explain
    from csi_rules.engine.lookup import record_lookup

    rng = random.Random(21)
    groups = random_groups(rng, count=4, max_rules=15)
    m = CompiledMatcher(groups)
    for r in list(record_stream(rng, 300)):
        lookup = record_lookup(r, NOW)
        for g in groups:
            for spec in g.rules:
                assert m.explain(r, NOW, g.group_id, spec.key) == tuple(
                    explain(spec.condition, lookup))
