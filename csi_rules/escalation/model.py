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
        from csi_rules.conditions.evaluate import evaluate
        from csi_rules.conditions.memo import ValueMemo

        when = self.when
        return ValueMemo([when], lambda record: evaluate(when, record.get))
