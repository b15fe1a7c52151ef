"""The projection: a record becomes a small flat fact of typed, generated slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from csi_rules.engine.compiler import compile_groups
from csi_rules.engine.facts import rank
from csi_rules.engine.runner import Projection
from csi_rules.errors import RecordError
from csi_rules.records.model import Record

from .conftest import group


def _fact(rules: dict[str, Any], data: dict[str, Any], now: datetime) -> tuple[dict, dict]:
    program = compile_groups([group("g", "collect", rules)])
    (shard,) = program.shards()
    ((fact,),) = Projection(program).build([Record(data)], now).facts[0]
    by_kind = {(s.path, s.kind): s.name for s in shard.slots}
    return fact, by_kind


def test_rank_keeps_order_and_equality_against_the_constants() -> None:
    keys = (1, 2.5, 10)
    assert [rank(keys, v) for v in (0, 1, 1.0, 2, 2.5, 9, 10, 11, float("inf"))] == [
        0, 1, 1, 2, 3, 4, 5, 6, 6]
    assert [rank(("ab", "b"), v) for v in ("a", "ab", "ab!", "b", "bb")] == [0, 1, 2, 3, 4]


def test_values_of_different_types_never_share_a_key(now: datetime) -> None:
    rules = {"n": {"field": "raw.x", "eq": 9}, "s": {"field": "raw.x", "eq": "9"},
             "b": {"field": "raw.x", "eq": True}, "one": {"field": "raw.x", "ne": 1},
             "gt": {"field": "raw.x", "gt": 5}}
    keys, ranks = {}, {}
    for value in ("9", 9, 9.0, True, 1, "1", None, [9], float("nan")):
        fact, slot = _fact(rules, {"id": "1", "kind": "incident", "raw": {"x": value}}, now)
        keys[repr(value)] = fact[slot[("raw.x", "value")]]
        ranks[repr(value)] = fact.get(slot[("raw.x", "number")])
    assert keys["9"] == keys["9.0"] and keys["'9'"] != keys["9"]
    assert keys["True"] != keys["1"] and keys["'1'"] != keys["1"]
    assert keys["None"] == 0 and keys["[9]"] == keys["nan"] != 0
    assert len({keys[k] for k in ("'9'", "9", "True", "1", "'1'", "None", "[9]")}) == 7
    # the number class slot exists only for numbers (durable never matches an absent one)
    assert {k for k, v in ranks.items() if v is not None} == {"9", "9.0", "1"}


def test_records_with_hundreds_of_fields_give_a_small_fact(now: datetime) -> None:
    raw: dict[str, Any] = {f"f{i}": i for i in range(400)}
    raw.update({"id": "x", "sid": "y", "$s": 1, "$forward": 1})
    data = {"id": "INC1", "kind": "incident", "raw": raw}
    fact, _ = _fact({"r": {"field": "raw.f7", "eq": 7}}, data, now)
    assert len(fact) == 2  # the marker and raw.f7's key
    assert all(isinstance(v, int) for v in fact.values())
    assert not {"id", "sid", "$s", "$forward"} & set(fact)


def test_equal_instants_in_different_offsets_share_a_key(now: datetime) -> None:
    instant = datetime(2024, 1, 1, 12, 0, 0, 1, tzinfo=UTC)
    rules = {"r": {"field": "opened_at", "eq": "2024-01-01T12:00:00.000001Z"}}
    keys = []
    for value in (instant, instant.astimezone(timezone(timedelta(hours=-8))),
                  instant - timedelta(microseconds=1), instant + timedelta(microseconds=1)):
        fact, slot = _fact(rules, {"id": "1", "kind": "incident", "opened_at": value}, now)
        keys.append(fact[slot[("opened_at", "value")]])
    assert keys[0] == keys[1]
    assert keys[2] < keys[0] < keys[3]


def test_naive_datetimes_never_reach_the_engine(now: datetime) -> None:
    rules = {"r": {"field": "opened_at", "lt": "2024-01-01T00:00:00Z"}}
    with pytest.raises(RecordError, match="no UTC offset"):
        _fact(rules, {"id": "1", "kind": "incident", "opened_at": datetime(2024, 1, 1)}, now)
