"""Escalation ladders built from a validated EscalationPolicy document."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from csi_rules.conditions.ast import Condition
from csi_rules.policy.model import Action


@dataclass(frozen=True)
class Level:
    """One rung: `after` business seconds from the start of the ladder, in `calendar`."""

    id: str
    number: int
    after: float
    calendar: str
    target: Mapping[str, Any]
    actions: tuple[Action, ...]
    line: int


@dataclass(frozen=True)
class Repeat:
    """After the last level, run levels from `from_index` again, `times` times, `every` apart."""

    times: int
    from_index: int
    every: float


@dataclass(frozen=True)
class MajorIncident:
    when: Condition
    actions: tuple[Action, ...]
    line: int

    @cached_property
    def holds(self) -> Any:
        """`when` on a record, remembered by the values it reads (evaluate asks it of every
        ticket)."""
        return _memo([self.when], lambda record: _holds(self.when, record))


@dataclass(frozen=True)
class Ladder:
    policy: str
    applies_to: tuple[str, ...]
    when: Condition
    start: Condition
    acknowledged: Condition | None
    stop: Condition | None
    levels: tuple[Level, ...]
    repeat: Repeat | None
    major_incident: MajorIncident | None

    @cached_property
    def applies(self) -> Any:
        """`when` on a record, remembered by the values it reads (conditions/memo.py): replay
        asks it of every snapshot of every ticket. Made on first use, kept with the ladder."""
        when = self.when
        return _memo([when], lambda record: _holds(when, record))

    @cached_property
    def verdicts(self) -> Any:
        """(start, acknowledged, stop) on a snapshot, remembered by the values they read: a
        walk asks them of every snapshot of every ticket. A missing condition never holds."""
        conditions = (self.start, self.acknowledged, self.stop)
        return _memo([c for c in conditions if c is not None],
                     lambda record: tuple(_holds(c, record) for c in conditions))


def _memo(conditions: list[Condition], compute: Any) -> Any:
    from csi_rules.conditions.memo import ValueMemo

    return ValueMemo(conditions, compute)


def _holds(condition: Condition | None, record: Any) -> bool:
    from csi_rules.conditions.evaluate import evaluate

    return condition is not None and evaluate(condition, record.get)
