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


def test_values_only_reach_the_slot_of_their_own_type(now: datetime) -> None:
    rules = {"n": {"field": "raw.x", "gt": 5}, "s": {"field": "raw.x", "eq": "9"},
             "b": {"field": "raw.x", "eq": True}, "t": {"field": "raw.x", "ne": 1}}
    for value, present in [("9", "string"), (9, "number"), (True, "bool"), (None, None),
                           ([9], None), (float("nan"), None)]:
        fact, slot = _fact(rules, {"id": "1", "kind": "incident", "raw": {"x": value}}, now)
        typed = {k for k in ("number", "string", "bool") if slot[("raw.x", k)] in fact}
        assert typed == ({present} if present else set()), value


def test_records_with_hundreds_of_fields_give_a_small_fact(now: datetime) -> None:
    raw: dict[str, Any] = {f"f{i}": i for i in range(400)}
    raw.update({"id": "x", "sid": "y", "$s": 1, "$forward": 1})
    data = {"id": "INC1", "kind": "incident", "raw": raw}
    fact, _ = _fact({"r": {"field": "raw.f7", "eq": 7}}, data, now)
    assert len(fact) <= 3
    assert all(isinstance(v, int) for v in fact.values())
    assert not {"id", "sid", "$s", "$forward"} & set(fact)


def test_datetimes_become_exact_epoch_microseconds(now: datetime) -> None:
    instant = datetime(2024, 1, 1, 12, 0, 0, 1, tzinfo=UTC)
    same = instant.astimezone(timezone(timedelta(hours=-8)))
    rules = {"r": {"field": "opened_at", "eq": "2024-01-01T12:00:00.000001Z"}}
    a, slot = _fact(rules, {"id": "1", "kind": "incident", "opened_at": instant}, now)
    b, _ = _fact(rules, {"id": "1", "kind": "incident", "opened_at": same}, now)
    name = slot[("opened_at", "datetime")]
    assert a[name] == b[name] == 1704110400000001


def test_naive_datetimes_never_reach_the_engine(now: datetime) -> None:
    rules = {"r": {"field": "opened_at", "lt": "2024-01-01T00:00:00Z"}}
    with pytest.raises(RecordError, match="no UTC offset"):
        _fact(rules, {"id": "1", "kind": "incident", "opened_at": datetime(2024, 1, 1)}, now)
