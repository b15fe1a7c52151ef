"""The compiled matcher's results: records that match alike share one result, which nobody
can change, and which reads, encodes, copies and pickles as the plain dict and lists."""

from __future__ import annotations

import copy
import json
import pickle
import random

import pytest

from csi_rules.engine.compiled import CompiledMatcher, results
from csi_rules.engine.reference import ReferenceMatcher
from csi_rules.engine.testing import NOW, random_groups, record_stream
from tests.engine.conftest import group, record

RULES = {"a": {"field": "priority", "eq": 1}, "b": {"field": "priority", "lte": 2}}


def test_records_that_match_alike_share_one_result_equal_to_the_reference() -> None:
    groups = [group("g", "collect", RULES), group("h", "first", RULES)]
    recs = [record(priority=p) for p in (1, 2, 3, 1, 2, 3)]
    got = CompiledMatcher(groups).match_many(recs, NOW)
    assert got == ReferenceMatcher(groups).match_many(recs, NOW)
    assert got[0] == {"g": ["a", "b"], "h": ["a"]} and got[2] == {"g": [], "h": []}
    assert got[0] is got[3] and got[1] is got[4] and got[0] is not got[1]
    values = CompiledMatcher(groups)
    assert values.match_values(recs[0], NOW)[0] is values.match(recs[3], NOW)


def test_results_that_differ_in_one_group_share_the_other_groups_keys() -> None:
    groups = [group("g", "collect", RULES),
              group("h", "first", {"x": {"field": "category", "eq": "x"},
                                   "y": {"field": "category", "eq": "y"}})]
    a, b = CompiledMatcher(groups).match_many(
        [record(priority=1, category="x"), record(priority=1, category="y")], NOW)
    assert a == {"g": ["a", "b"], "h": ["x"]} and b == {"g": ["a", "b"], "h": ["y"]}
    assert a["g"] is b["g"] and a is not b


def test_a_shared_result_cannot_be_changed_and_says_how_to_copy_it() -> None:
    result = CompiledMatcher([group("g", "collect", RULES)]).match(record(priority=1), NOW)
    keys = result["g"]
    for change in (lambda: keys.append("x"), lambda: keys.extend(["x"]), lambda: keys.pop(),
                   lambda: keys.sort(), lambda: keys.__setitem__(0, "x"),
                   lambda: keys.__delitem__(0), lambda: keys.__iadd__(["x"])):
        with pytest.raises(TypeError, match=r"shared .* copy it first \(list"):
            change()
    for change in (lambda: result.__setitem__("g", []), lambda: result.pop("g"),
                   lambda: result.update(g=[]), lambda: result.clear(),
                   lambda: result.setdefault("z", [])):
        with pytest.raises(TypeError, match=r"copy it first \(dict"):
            change()
    assert result == {"g": ["a", "b"]}
    mine = {gid: list(k) for gid, k in result.items()}
    mine["g"].append("x")
    assert mine == {"g": ["a", "b", "x"]} and result == {"g": ["a", "b"]}


def test_a_shared_result_reads_as_the_plain_dict() -> None:
    result = CompiledMatcher([group("g", "collect", RULES)]).match(record(priority=1), NOW)
    assert repr(result) == "{'g': ['a', 'b']}" and json.dumps(result) == '{"g": ["a", "b"]}'
    for other in (pickle.loads(pickle.dumps(result)), copy.copy(result), copy.deepcopy(result)):
        assert other == result and type(other) is dict
    unpickled = pickle.loads(pickle.dumps(result))
    assert type(unpickled["g"]) is list
    unpickled["g"].append("x")  # a copy is the caller's own


def test_results_stay_right_when_the_table_of_kept_ones_starts_over(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "KEPT", 3)  # a few distinct results fill it many times
    rng = random.Random(11)
    groups = random_groups(rng, count=3, max_rules=25)
    recs = list(record_stream(rng, 2000))
    m = CompiledMatcher(groups)
    first = m.match_many(recs, NOW)
    assert len({id(r) for r in first}) > 3 * results.KEPT
    assert first == ReferenceMatcher(groups).match_many(recs, NOW)
    assert m.match_many(recs, NOW) == first


def test_results_with_many_keys_are_kept_by_size_not_only_by_count(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(results, "KEPT_KEYS", 50)  # a few big collect results fill it
    table = results.Results(["g"])
    for n in range(1, 200):
        made = table.make(tuple(f"r{i}" for i in range(n)))
        assert made == {"g": [f"r{i}" for i in range(n)]}
        assert sum(len(keys) for keys in table.known.values() for keys in keys.values()) <= 50 + n
    rules = {f"r{i}": {"field": "reassignment_count", "gte": i} for i in range(40)}
    recs = [record(reassignment_count=n) for n in range(40)] * 2
    got = CompiledMatcher([group("g", "collect", rules)]).match_many(recs, NOW)
    assert got == ReferenceMatcher([group("g", "collect", rules)]).match_many(recs, NOW)
