"""What one metric's clock conditions say about one snapshot, remembered by the values they read.

A clock asks the same five questions of every snapshot (start, stop, pause, cancel, which
target); each combination of the values those conditions read is evaluated once, by the
reference `conditions.evaluate`, and looked up after that (conditions/memo.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from csi_rules.conditions.ast import Condition
from csi_rules.conditions.evaluate import evaluate
from csi_rules.conditions.memo import ValueMemo
from csi_rules.records.model import Record
from csi_rules.sla.model import Metric, Target


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


def _conditions(metric: Metric) -> list[Condition]:
    rules = metric.clock
    return [c for c in (rules.start, rules.stop, rules.pause, rules.cancel)
            if c is not None] + [t.when for t in metric.targets]


class MetricConditions:
    """The memo of one metric's verdicts, keyed by the (type, value) of every path read;
    `calendars`: the names of the calendars its targets count in."""

    def __init__(self, metric: Metric):
        self.metric = metric
        self.view = ValueMemo(_conditions(metric), lambda record: view_of(metric, record))
        self.calendars = tuple(dict.fromkeys(t.calendar for t in metric.targets))


def metrics_views(metrics: Sequence[Metric]) -> ValueMemo[tuple[ClockView, ...]]:
    """Every metric's view of a snapshot at once (a policy's metrics ask the same snapshots),
    remembered by the values all their conditions read; each view as `view_of` gives it."""
    conditions = [c for m in metrics for c in _conditions(m)]
    return ValueMemo(conditions, lambda record: tuple(view_of(m, record) for m in metrics))
