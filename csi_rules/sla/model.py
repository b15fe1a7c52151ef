"""SLA definitions built from a validated SlaPolicy document."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal

from csi_rules.conditions.ast import Condition
from csi_rules.policy.model import Action

OnReopen = Literal["resume", "restart"]


@dataclass(frozen=True)
class ClockRules:
    """When the clock starts, pauses, stops and is cancelled (conditions on the ticket)."""

    start: Condition
    stop: Condition
    pause: Condition | None = None
    cancel: Condition | None = None
    on_reopen: OnReopen = "resume"


@dataclass(frozen=True)
class Target:
    """A goal for records matching `when`, counted in `calendar`."""

    when: Condition
    seconds: float
    calendar: str
    line: int


@dataclass(frozen=True)
class Threshold:
    """A percentage of the target at which actions are due (100 = breach)."""

    id: str
    percent: float
    actions: tuple[Action, ...]
    line: int


@dataclass(frozen=True)
class Metric:
    """One measured SLA (response, resolution, ...): clock rules, targets, thresholds."""

    name: str
    clock: ClockRules
    targets: tuple[Target, ...]
    thresholds: tuple[Threshold, ...]
    line: int

    @cached_property
    def conditions(self) -> Any:
        """The memo of this metric's clock verdicts (sla/clock_view.MetricConditions), made on
        first use and kept with the metric, which is immutable."""
        from csi_rules.sla.clock_view import MetricConditions

        return MetricConditions(self)


@dataclass(frozen=True)
class SlaDefinition:
    """All metrics of one SlaPolicy."""

    policy: str
    applies_to: tuple[str, ...]
    metrics: tuple[Metric, ...]

    @cached_property
    def views(self) -> Any:
        """Every metric's clock verdicts on a snapshot at once, remembered by value
        (sla/clock_view.metrics_views), made on first use and kept with the definition."""
        from csi_rules.sla.clock_view import metrics_views

        return metrics_views(self.metrics)
