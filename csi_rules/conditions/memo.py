"""Answers about a record remembered by the values the conditions behind them read.

SLA clocks and escalation ladders ask the same questions of every snapshot of every ticket,
and the answers depend only on the few fields their conditions name (state, priority, ...).
Across thousands of tickets the same combinations come back, so each is computed once and
looked up after that. Values are keyed with their exact type (conditions never coerce: 1, 1.0
and True differ); a value of any other type than text, number, boolean or missing (a list, a
date-time) is computed afresh every time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from csi_rules.conditions.ast import Condition, matchers
from csi_rules.records.model import MISSING, Record, path_value

T = TypeVar("T")

MEMO_LIMIT = 1 << 16
"""Combinations kept per memo; it starts over when full."""

_KEYED_TYPES = frozenset({str, int, float, bool, type(MISSING)})
_NOT_KNOWN = object()


class ValueMemo(Generic[T]):
    """`compute(record)`, remembered by the (type, value) of every path `conditions` read."""

    def __init__(self, conditions: Iterable[Condition], compute: Callable[[Record], T]):
        paths = sorted({m.path for c in conditions for m in matchers(c)})
        self._parts = tuple(tuple(p.split(".")) for p in paths)
        self._compute = compute
        self._memo: dict[tuple[Any, ...], T] = {}

    def __call__(self, record: Record) -> T:
        data = record.data
        key = []
        for parts in self._parts:
            if len(parts) == 1:  # path_value's answer for a top-level field, inlined
                value = data.get(parts[0])
                if value is None:
                    value = MISSING
            else:
                value = path_value(data, parts)
            kind = type(value)
            if kind not in _KEYED_TYPES:
                return self._compute(record)
            key.append(kind)
            key.append(value)
        found = self._memo.get(tuple(key), _NOT_KNOWN)
        if found is _NOT_KNOWN:
            found = self._compute(record)
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[tuple(key)] = found
        return found  # type: ignore[return-value]
