"""What one metric's clock conditions say about one snapshot, remembered by the values they read.

A clock asks the same five questions of every snapshot (start, stop, pause, cancel, which
target), and the answers depend only on the few fields those conditions name (state,
assignee, priority, ...). Across the snapshots of thousands of tickets the same combinations
come back again and again, so each combination is evaluated once, by the reference
`conditions.evaluate`, and looked up after that. Values are keyed with their exact type (the
conditions never coerce: 1, 1.0 and True differ); a value of any other type than text,
number, boolean or missing (a list, a date-time) is evaluated afresh every time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csi_rules.conditions.ast import Condition, matchers
from csi_rules.conditions.evaluate import evaluate
from csi_rules.records.model import MISSING, Record, path_value
from csi_rules.sla.model import Metric, Target

MEMO_LIMIT = 1 << 16
"""Combinations kept per metric; the memo starts over when full."""

_KEYED_TYPES = frozenset({str, int, float, bool, type(MISSING)})


@dataclass(frozen=True)
class ClockView:
    """The clock conditions' verdicts on one snapshot and the target in effect then."""

    start: bool
    stop: bool
    pause: bool
    cancel: bool
    target: Target | None


def holds(cond: Condition | None, record: Record) -> bool:
    return cond is not None and evaluate(cond, record.get)


def target_for(metric: Metric, record: Record) -> Target | None:
    return next((t for t in metric.targets if evaluate(t.when, record.get)), None)


def view_of(metric: Metric, record: Record) -> ClockView:
    """The verdicts computed from scratch (the reference for the memo)."""
    rules = metric.clock
    return ClockView(holds(rules.start, record), holds(rules.stop, record),
                     holds(rules.pause, record), holds(rules.cancel, record),
                     target_for(metric, record))


class MetricConditions:
    """The memo of one metric's verdicts, keyed by the (type, value) of every path read."""

    def __init__(self, metric: Metric):
        self.metric = metric
        rules = metric.clock
        conditions = [c for c in (rules.start, rules.stop, rules.pause, rules.cancel)
                      if c is not None] + [t.when for t in metric.targets]
        paths = sorted({m.path for c in conditions for m in matchers(c)})
        self._parts = tuple(tuple(p.split(".")) for p in paths)
        self._memo: dict[tuple[Any, ...], ClockView] = {}

    def view(self, record: Record) -> ClockView:
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
                return view_of(self.metric, record)
            key.append(kind)
            key.append(value)
        found = self._memo.get(tuple(key))
        if found is None:
            found = view_of(self.metric, record)
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[tuple(key)] = found
        return found
