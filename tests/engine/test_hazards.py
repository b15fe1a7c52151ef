"""One regression test per durable-rules hazard in the findings: each must stay impossible."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

import pytest

from csi_rules.engine.compiler import compile_groups
from csi_rules.engine.durable_host import DurableRuntime, describe_durable_error
from csi_rules.engine.matcher import DurableMatcher
from csi_rules.engine.naming import SID, fnv1_32
from csi_rules.engine.program import CompiledProgram
from csi_rules.engine.reference import ReferenceMatcher
from csi_rules.engine.runner import Projection, run_batch
from csi_rules.engine.testing import COLLIDING_IDS
from csi_rules.errors import EngineError

from .conftest import group, record

ROUTING = group("route", "first", {
    "p1": {"all": [{"field": "priority", "eq": 1}, {"field": "category", "eq": "network"}]},
    "stale": {"field": "idle_seconds", "gt": 3600},
    "vip": {"field": "raw.vip", "eq": True},
})
TAGS = group("tags", "collect", {
    "nine": {"field": "raw.n", "gt": 5},
    "one": {"field": "raw.n", "eq": 1},
    "str9": {"field": "raw.n", "eq": "9"},
    "no_owner": {"field": "assignee", "exists": False},
})
GROUPS = [ROUTING, TAGS]


def test_more_than_5000_record_ids_use_one_session_per_ruleset(now: datetime) -> None:
    program = compile_groups(GROUPS)
    runtime = DurableRuntime(program)
    projection = Projection(program)
    records = [record(id=f"CHG{n:06d}", priority=1 + n % 5, category="network",
                      raw={"n": n % 12, "sid": f"sid{n}"}) for n in range(6000)]
    batch = projection.build(records, now)
    answers = run_batch(runtime, program, batch)
    assert projection.assemble(batch, answers) == ReferenceMatcher(GROUPS).match_many(records, now)
    for shard in program.shards():
        assert runtime.session_state(shard.ruleset, SID) is not None
        assert runtime.session_state(shard.ruleset, "CHG000001") is None  # never a sid
        assert runtime.session_state(shard.ruleset, "sid1") is None


def test_hash_colliding_record_ids_get_independent_results(inline: Any, now: datetime) -> None:
    a_id, b_id = COLLIDING_IDS
    assert fnv1_32(a_id) == fnv1_32(b_id)  # durable would take them for one session
    a = record(id=a_id, priority=1, category="network", raw={"n": 9})
    b = record(id=b_id, priority=3, raw={"n": "9", "vip": True}, assignee="kim")
    m = inline(GROUPS)
    assert m.match(a, now) == {"route": ["p1"], "tags": ["nine", "no_owner"]}
    assert m.match(b, now) == {"route": ["vip"], "tags": ["str9"]}
    assert m.match_many([a, b, a, b], now) == [m.match(a, now), m.match(b, now)] * 2


@pytest.mark.parametrize("isolation", ["inline", "process"])
def test_no_background_threads_are_started(isolation: str, now: datetime) -> None:
    before = threading.active_count()
    with DurableMatcher(GROUPS, isolation=isolation) as m:  # type: ignore[arg-type]
        m.match_many([record(priority=1)] * 50, now)
        assert threading.active_count() == before
    assert threading.active_count() == before


def test_reserved_names_in_record_data_are_harmless(inline: Any, now: datetime) -> None:
    g = group("g", "collect", {
        "rid": {"field": "raw.id", "eq": "x"},
        "rsid": {"field": "raw.sid", "eq": "other"},
        "dollar": {"field": "raw.$s", "eq": 1},
        "fwd": {"field": "raw.$forward", "exists": True},
    })
    records = [record(id="same", raw={"id": "x", "sid": "other", "$s": 1, "$forward": 0}),
               record(id="same", raw={"id": 1, "sid": None, "$s": "1"}),
               record(id="sid", raw={})]
    m = inline([g])
    assert m.match_many(records, now) == [{"g": ["rid", "rsid", "dollar", "fwd"]}, {"g": []},
                                          {"g": []}]


def test_records_with_more_than_255_fields_work(inline: Any, now: datetime) -> None:
    raw = {f"field_{i}": i for i in range(300)}
    r = record(raw=raw, priority=1, category="network")
    g = group("g", "collect", {"f299": {"field": "raw.field_299", "eq": 299},
                               "f0": {"field": "raw.field_0", "lt": 0}})
    assert inline([g, ROUTING]).match(r, now) == {"g": ["f299"], "route": ["p1"]}


def test_no_type_coercion(inline: Any, now: datetime) -> None:
    g = group("g", "collect", {
        "gt10": {"field": "raw.v", "gt": 10},
        "eq1": {"field": "raw.v", "eq": 1},
        "eqtrue": {"field": "raw.v", "eq": True},
        "eqstr1": {"field": "raw.v", "eq": "1"},
        "lt_b": {"field": "raw.v", "lt": "b"},
    })
    m = inline([g])
    got = [m.match(record(raw={"v": v}), now)["g"] for v in ("9", 9, 11, "11", 1, 1.0, True, "1")]
    assert got == [["lt_b"], [], ["gt10"], ["lt_b"], ["eq1"], ["eq1"], ["eqtrue"],
                   ["eqstr1", "lt_b"]]


def test_records_matching_nothing_get_empty_lists(inline: Any, now: datetime) -> None:
    m = inline(GROUPS)
    assert m.match(record(assignee="kim", priority=5), now) == {"route": [], "tags": []}


def test_an_unmatched_last_record_does_not_lose_the_batch(inline: Any, now: datetime) -> None:
    # durable's post_batch skips every action when the last event is unhandled
    hit, miss = record(priority=1, category="network"), record(assignee="kim", priority=5)
    m = inline(GROUPS)
    results = m.match_many([hit, hit, miss], now)
    assert results == [{"route": ["p1"], "tags": ["no_owner"]}] * 2 + [{"route": [], "tags": []}]


def test_action_exceptions_surface_as_engine_errors(now: datetime) -> None:
    program = compile_groups(GROUPS)

    def explode(ruleset: str, index: int) -> None:
        raise RuntimeError("boom in action")

    runtime = DurableRuntime(program, action_hook=explode)
    batch = Projection(program).build([record(priority=1)], now)
    with pytest.raises(EngineError, match=r"an action failed: .*boom in action"):
        run_batch(runtime, program, batch)
    with pytest.raises(EngineError, match="unusable after an earlier failure"):
        run_batch(runtime, program, batch)


def test_rules_true_on_an_empty_message_do_not_refire(now: datetime) -> None:
    # without the marker these would also match durable's state message and never return
    g = group("g", "collect", {"nex": {"field": "raw.nothing", "exists": False},
                               "ne": {"field": "raw.nothing", "ne": 1},
                               "always": {"all": []}})
    with DurableMatcher([g], timeout=30) as m:
        assert m.match_many([record()] * 3, now) == [{"g": ["nex", "ne", "always"]}] * 3


def test_identical_records_evaluated_again_and_again(inline: Any, now: datetime) -> None:
    r = record(priority=1, category="network", raw={"n": 9})
    m = inline(GROUPS)
    expected = {"route": ["p1"], "tags": ["nine", "no_owner"]}
    assert [m.match(r, now) for _ in range(5)] == [expected] * 5
    assert m.match_many([r] * 1000, now) == [expected] * 1000


def test_malformed_values_never_reach_durable(inline: Any, now: datetime) -> None:
    odd: list[Any] = ["x" * 100_000, "\u0000\"\\", {"nested": {"deep": [1, {"$s": 1}]}}, [[]],
                      float("nan"), float("inf"), 10**40, -0.0, 1e-300, "😀" * 1000]
    g = group("g", "collect", {
        "eq": {"field": "raw.v", "eq": "x" * 100_000},
        "lt": {"field": "raw.v", "lt": 10**30},
        "ne": {"field": "raw.v", "ne": 0},
        "m": {"field": "raw.v", "matches": "^x+$"},
        "c": {"field": "raw.v", "contains": "\""},
    })
    records = [record(raw={"v": v}) for v in odd]
    program = compile_groups([g])
    for fact in Projection(program).build(records, now).facts[0][0]:
        assert all(isinstance(v, int) for v in fact.values())
    assert inline([g]).match_many(records, now) == ReferenceMatcher([g]).match_many(records, now)


def test_durable_error_codes_are_spelled_out() -> None:
    text = describe_durable_error(RuntimeError("Could not assert event, error code: 302"))
    assert "255 properties" in text
    bad = CompiledProgram(compile_groups([ROUTING]).groups)
    shard = bad.groups[0].shards[0]
    shard.definition["r0"]["al"] = shard.definition["r0"].pop("all")  # unknown key: error 105
    with pytest.raises(EngineError, match="unexpected name"):
        DurableRuntime(bad)


def test_more_simultaneous_matches_than_durables_stack_are_split_off(
        inline: Any, now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    rules = {f"older_than_{n}": {"field": "age_seconds", "gt": n} for n in range(100)}
    g = group("g", "collect", rules)
    r = record(opened_at="2024-06-01T11:00:00Z")  # an hour old: all 100 tests hold at once
    assert inline([g]).match(r, now) == {"g": list(rules)}
    from csi_rules.engine import network

    monkeypatch.setattr(network, "STACK_LIMIT", 10_000)  # pretend durable had no such limit
    with pytest.raises(EngineError, match="error code: 303"):
        inline([g]).match(r, now)


def test_long_value_lists_fit_durables_15_group_limit(inline: Any, now: datetime) -> None:
    values = [f"cat{i}" for i in range(40)]
    g = group("g", "collect", {"not_in": {"field": "category", "not_in": values},
                               "in": {"field": "category", "in": values}})
    got = inline([g]).match_many([record(category="cat7"), record(category="x"), record()], now)
    assert got == [{"g": ["in"]}, {"g": ["not_in"]}, {"g": ["not_in"]}]


def test_rules_beyond_durables_15_group_limit_are_refused_by_name(
        inline: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # not(any(all(a, b), ...)) becomes all(any(not a, not b), ...): one `$or` per branch
    branches = [{"all": [{"field": "priority", "eq": i}, {"field": "category", "eq": f"c{i}"}]}
                for i in range(20)]
    g = group("g", "first", {"wide_not": {"not": {"any": branches}}})
    with pytest.raises(EngineError, match=r"rule wide_not: .*21 all/any groups in one rule"):
        inline([g])
    from csi_rules.engine import network

    monkeypatch.setattr(network, "MAX_LOGIC_NODES", 1_000)  # pretend durable had no such limit
    with pytest.raises(EngineError, match="error code: 113"):
        inline([g])
