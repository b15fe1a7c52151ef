"""What one SLA metric looks like for one ticket at one instant, and how that is explained."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.sla.durations import format_duration
from csi_rules.sla.model import Target, Threshold

STAGES = ("not_started", "in_progress", "paused", "achieved", "breached", "cancelled")


@dataclass(frozen=True)
class Crossing:
    threshold: Threshold
    at: datetime


@dataclass(frozen=True)
class SlaStatus:
    """Stage, elapsed and remaining business time, thresholds crossed and when to look again."""

    policy: str
    metric: str
    stage: str
    clock: str  # not_started | running | paused | stopped | cancelled
    target: Target
    cycle: int
    elapsed: float
    started_at: datetime | None
    stopped_at: datetime | None
    breached_at: datetime | None
    predicted_breach: datetime | None
    crossed: tuple[Crossing, ...]
    next_change: datetime | None
    now: datetime
    estimate: str | None = None  # what was assumed for lack of history (sla.estimate)

    @property
    def remaining(self) -> float:
        return max(0.0, self.target.seconds - self.elapsed)

    @property
    def percent(self) -> float:
        return 100.0 * self.elapsed / self.target.seconds if self.target.seconds else 100.0

    def to_json(self) -> dict[str, Any]:
        iso = _iso
        return {
            "policy": self.policy, "metric": self.metric, "stage": self.stage,
            "clock": self.clock, "cycle": self.cycle,
            "target_seconds": self.target.seconds, "calendar": self.target.calendar,
            "elapsed_seconds": round(self.elapsed, 3),
            "remaining_seconds": round(self.remaining, 3),
            "percent_used": round(self.percent, 2),
            "started_at": iso(self.started_at), "stopped_at": iso(self.stopped_at),
            "breached_at": iso(self.breached_at),
            "predicted_breach": iso(self.predicted_breach),
            "thresholds_crossed": [{"id": c.threshold.id, "percent": c.threshold.percent,
                                    "at": iso(c.at)} for c in self.crossed],
            "next_change": iso(self.next_change),
            "now": iso(self.now),
            **({"estimate": self.estimate} if self.estimate else {}),
        }

    def explain(self) -> str:
        """One paragraph a service desk agent can read."""
        target = f"target {format_duration(self.target.seconds)} ({self.target.calendar})"
        estimate = f" (estimate: {self.estimate})" if self.estimate else ""
        if self.stage == "not_started":
            return f"{self.metric}: not started; {target}{estimate}"
        used = (f"{format_duration(self.elapsed)} used, {format_duration(self.remaining)} left "
                f"({_share(self.percent)})")
        text = f"{self.metric}: {self.stage.replace('_', ' ')}; {target}; {used}"
        if self.breached_at:
            text += f"; breached at {self.breached_at.isoformat()}"
        elif self.predicted_breach:
            text += f"; breaches at {self.predicted_breach.isoformat()} if nothing changes"
        if self.clock == "paused":
            text += "; clock paused"
        if self.crossed:
            text += "; crossed " + ", ".join(
                f"{c.threshold.id} ({c.threshold.percent:g}%) at {c.at.isoformat()}"
                for c in self.crossed)
        if self.next_change:
            text += f"; next change at {self.next_change.isoformat()}"
        return text + estimate


def make_status(policy: str, metric: str, stage: str, clock: str, target: Target, cycle: int,
                elapsed: float, started_at: datetime | None, stopped_at: datetime | None,
                breached_at: datetime | None, predicted_breach: datetime | None,
                crossed: tuple[Crossing, ...], next_change: datetime | None, now: datetime,
                estimate: str | None = None) -> SlaStatus:
    """`SlaStatus(...)` with every field set at once: the frozen dataclass's `__init__` sets
    each of its 15 fields through object.__setattr__, ~4x the cost, and evaluate and replay
    make one status per metric per ticket (50,000 on the UCI log). The same object: equal,
    hashed, printed and replaced as one made by `__init__` (there is no __post_init__)."""
    status = _new(SlaStatus)
    status.__dict__.update({
        "policy": policy, "metric": metric, "stage": stage, "clock": clock, "target": target,
        "cycle": cycle, "elapsed": elapsed, "started_at": started_at, "stopped_at": stopped_at,
        "breached_at": breached_at, "predicted_breach": predicted_breach, "crossed": crossed,
        "next_change": next_change, "now": now, "estimate": estimate})
    return status


_new = object.__new__


def _share(percent: float) -> str:
    """Share of the target used: `75%`, and past 1000% a multiple (`4,211× the target`) that a
    reader can take in, for tickets left open for months."""
    return f"{percent:.0f}%" if percent < 1000 else f"{percent / 100:,.0f}× the target"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
