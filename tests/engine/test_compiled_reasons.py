"""The compiled matcher's reasons are built when read, and read exactly as the reference's
`explain`: same values, same JSON, same text, whatever happens to the record afterwards."""

from __future__ import annotations

import copy
import json
import pickle
import random

from csi_rules.conditions.evaluate import explain
from csi_rules.engine.compiled import CompiledMatcher
from csi_rules.engine.lookup import record_lookup
from csi_rules.engine.testing import NOW, random_groups, record_stream
from tests.engine.conftest import group, record


def _json(reasons: object) -> str:
    return json.dumps([r.to_json() for r in reasons], default=repr)  # type: ignore[attr-defined]


def test_match_explained_gives_match_keys_with_the_reference_reasons_as_json_and_text() -> None:
    rng = random.Random(5)
    groups = random_groups(rng, count=4, max_rules=15)
    m = CompiledMatcher(groups)
    seen = 0
    for r in list(record_stream(rng, 300)):
        lookup = record_lookup(r, NOW)
        rules = {(g.group_id, s.key): s.condition for g in groups for s in g.rules}
        explained = m.match_explained(r, NOW)
        assert {g: [k for k, _ in pairs] for g, pairs in explained.items()} == m.match(r, NOW)
        for group_id, pairs in explained.items():
            for key, reasons in pairs:
                want = tuple(explain(rules[(group_id, key)], lookup))
                assert reasons == want and len(reasons) == len(want)
                assert _json(reasons) == _json(want)
                assert [x.format() for x in reasons] == [x.format() for x in want]
                assert all(type(x.result) is bool for x in reasons)
                seen += 1
    assert seen > 100


def test_reasons_keep_the_values_seen_at_decision_time() -> None:
    g = group("g", "collect", {"hot": {"all": [{"field": "priority", "lte": 2},
                                               {"field": "category", "eq": "network"}]}})
    m = CompiledMatcher([g])
    r = record(priority=1, category="network")
    (_, lazy), = m.match_explained(r, NOW)["g"]
    single = m.explain(r, NOW, "g", "hot")
    r.data["priority"] = 5
    for reasons in (lazy, single):
        assert [(x.path, x.actual, x.result) for x in reasons] == [
            ("priority", 1, True), ("category", "network", True)]


def test_lazy_reasons_compare_hash_print_and_pickle_as_the_plain_tuple() -> None:
    g = group("g", "first", {"a": {"field": "priority", "in": [1, 2]}})
    m = CompiledMatcher([g])
    r = record(priority=2)
    lazy = m.explain(r, NOW, "g", "a")
    plain = tuple(explain(g.rules[0].condition, record_lookup(r, NOW)))
    assert lazy == plain and plain == lazy and hash(lazy) == hash(plain)
    assert repr(lazy) == repr(plain) and lazy[0] == plain[0] and lazy[:1] == plain[:1]
    assert pickle.loads(pickle.dumps(lazy)) == plain and copy.deepcopy(lazy) == plain
    assert () + lazy == plain and lazy + () == plain  # noqa: RUF005 - concatenation is tested
    assert plain[0] in lazy


def test_kept_reasons_never_show_another_records_equal_but_different_value() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    at = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    seen = [1, True, 1.0, 0.0, -0.0, "1", at, at.astimezone(timezone(timedelta(hours=5))), 1]
    g = group("g", "collect", {"x": {"any": [{"field": "raw.x", "eq": 1},
                                             {"field": "raw.x", "eq": 0},
                                             {"field": "raw.x", "eq": at.isoformat()},
                                             {"field": "raw.x", "exists": True}]}})
    m = CompiledMatcher([g])
    for value in seen * 2:
        r = record(raw={"x": value})
        got = m.explain(r, NOW, "g", "x")
        want = tuple(explain(g.rules[0].condition, record_lookup(r, NOW)))
        assert _json(got) == _json(want) and [x.format() for x in got] == \
            [x.format() for x in want]
        assert all(type(a.actual) is type(value) and repr(a.actual) == repr(value) for a in got)


def test_equal_constants_of_other_classes_and_unhashable_values_keep_their_own_reasons() -> None:
    constants = [1, True, 1.0, "1", [1], [True], -0.0, 0.0, None]
    matchers = [{"field": "raw.x", "eq": c} for c in constants] + [
        {"field": "raw.x", "in": [1, 2]}, {"field": "raw.x", "in": [True, 2]}]
    g = group("g", "collect", {"x": {"any": matchers}, "y": {"all": [matchers[1], matchers[0]]}})
    m = CompiledMatcher([g])
    for value in [1, True, 1.0, "1", [1], {"a": 1}, -0.0, 0.0, None, [True]] * 2:
        r = record(raw={"x": value})
        for spec in g.rules:
            got = m.explain(r, NOW, "g", spec.key)
            want = tuple(explain(spec.condition, record_lookup(r, NOW)))
            assert _json(got) == _json(want) and [x.format() for x in got] == \
                [x.format() for x in want]
            assert [(type(a.expected), repr(a.expected)) for a in got] == \
                [(type(a.expected), repr(a.expected)) for a in want]


def test_rules_sharing_matchers_each_get_the_reference_reasons_read_in_any_order() -> None:
    rules = {f"r{i}": {"all": [{"field": "priority", "eq": 1 + i % 2},
                               {"field": "category", "eq": "network"},
                               {"field": "raw.n", "gte": i % 4}]} for i in range(12)}
    g = group("g", "collect", rules)
    m = CompiledMatcher([g])
    recs = [record(priority=1 + n % 2, category="network", raw={"n": n % 5 + 0.5 * (n % 3)})
            for n in range(30)]
    made = [m.match_values(r, NOW) for r in recs]
    conditions = {s.key: s.condition for s in g.rules}
    read = 0
    for (result, values), r in [*zip(made, recs, strict=True),
                                *reversed(list(zip(made, recs, strict=True)))]:
        for key in result["g"]:
            got = m.reasons_of("g", key)(values)
            want = tuple(explain(conditions[key], record_lookup(r, NOW)))
            assert got == want and _json(got) == _json(want)
            read += 1
    assert read > 100


def test_equal_constants_that_do_not_equal_themselves_keep_their_own_reasons() -> None:
    a, b = float("nan"), float("nan")  # two NaN constants: equal reprs, never equal
    g = group("g", "collect", {
        "a": {"any": [{"field": "raw.x", "eq": a}, {"field": "raw.x", "exists": True}]},
        "b": {"any": [{"field": "raw.x", "eq": b}, {"field": "raw.x", "exists": True}]}})
    m = CompiledMatcher([g])
    r = record(raw={"x": 1.5})
    result, values = m.match_values(r, NOW)
    assert result == {"g": ["a", "b"]}
    for spec in g.rules:
        got = m.reasons_of("g", spec.key)(values)
        assert got == tuple(explain(spec.condition, record_lookup(r, NOW)))


def test_threads_reading_reasons_of_one_matcher_at_once_get_the_reference_reasons() -> None:
    import sys
    import threading

    rng = random.Random(21)
    groups = random_groups(rng, count=4, max_rules=20)
    recs = list(record_stream(rng, 600))
    m = CompiledMatcher(groups)
    rules = {(g.group_id, s.key): s.condition for g in groups for s in g.rules}
    want = [{(gid, key): _json(explain(rules[(gid, key)], record_lookup(r, NOW)))
             for gid, keys in m.match(r, NOW).items() for key in keys} for r in recs]
    made = [m.match_values(r, NOW) for r in recs]
    wrong: list[int] = []

    def work(offset: int) -> None:
        for i in [*range(offset, len(recs)), *range(offset)]:  # every record, other orders
            result, values = made[i]
            got = {(gid, key): _json(m.reasons_of(gid, key)(values))
                   for gid, keys in result.items() for key in keys}
            if got != want[i]:
                wrong.append(i)

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns inside one another's reads
    try:
        threads = [threading.Thread(target=work, args=(n * 150,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(switch)
    assert not wrong and sum(map(len, want)) > 300


def test_a_reason_made_at_once_is_the_reason_the_dataclass_makes() -> None:
    from csi_rules.conditions.evaluate import Reason
    from csi_rules.engine.compiled.explain import new_reason
    from csi_rules.records.model import MISSING

    for expected, actual in [(1, 1), ("a", MISSING), ([1, "x"], 2.5), (True, None), (0.0, -0.0),
                             (NOW, NOW)]:
        for result in (True, False):
            made = new_reason("raw.x", "eq", expected, actual, result)
            want = Reason("raw.x", "eq", expected, actual, result)
            assert type(made) is Reason and made == want and repr(made) == repr(want)
            assert list(vars(made).items()) == list(vars(want).items())
            assert pickle.dumps(made) == pickle.dumps(want) and _json([made]) == _json([want])
