"""ValueMemo: a remembered answer is the answer computing it would give, keyed by exact type."""

from __future__ import annotations

from datetime import UTC, datetime

from csi_rules.conditions.evaluate import evaluate
from csi_rules.conditions.memo import ValueMemo
from csi_rules.conditions.parse import parse_condition
from csi_rules.records.model import Record

CONDITION = parse_condition({"all": [{"field": "state", "in": ["new", "on_hold"]},
                                     {"field": "custom.tier", "eq": 1}]})


def _memo() -> tuple[ValueMemo[bool], list[Record]]:
    computed: list[Record] = []

    def compute(record: Record) -> bool:
        computed.append(record)
        return evaluate(CONDITION, record.get)

    return ValueMemo([CONDITION], compute), computed


def test_remembered_answers_equal_computed_ones_and_types_are_not_coerced() -> None:
    memo, computed = _memo()
    datas = [{"state": "new", "custom": {"tier": 1}}, {"state": "new", "custom": {"tier": True}},
             {"state": "new", "custom": {"tier": 1.0}}, {"state": None, "custom": {"tier": 1}},
             {"custom": {"tier": 1}}, {"state": "on_hold"}, {"state": "new", "custom": None}]
    for data in datas * 2:
        record = Record(dict(data))
        assert memo(record) == evaluate(CONDITION, record.get)
    # absent and null are one key (both read as missing); every other datum once
    assert len(computed) == len(datas) - 1


def test_values_of_other_types_are_computed_every_time() -> None:
    memo, computed = _memo()
    record = Record({"state": ["new"], "custom": {"tier": datetime(2026, 1, 1, tzinfo=UTC)}})
    assert memo(record) is False and memo(record) is False
    assert len(computed) == 2


def test_long_texts_are_computed_every_time_not_kept() -> None:
    """A condition on free text sees a new value per ticket: a long-running memo must not
    keep every ticket's text (a runner keeps its memos for the life of its policies)."""
    memo, computed = _memo()
    long_state = "x" * 5_000
    for _ in range(3):
        assert memo(Record({"state": long_state, "custom": {"tier": 1}})) is False
    assert len(computed) == 3
    assert all(len(str(key)) < 1_000 for key in memo._memo)
    short = Record({"state": "new", "custom": {"tier": 1}})
    assert memo(short) and memo(short) and len(computed) == 4
