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

    def details(self) -> dict[str, Any]:
        """`{**self.to_json(), "explain": self.explain()}` (an SLA decision's details), made
        in one pass: each instant written once, the target's words once per target."""
        target, elapsed, crossed = self.target, self.elapsed, self.crossed
        seconds = target.seconds
        remaining = max(0.0, seconds - elapsed)
        percent = 100.0 * elapsed / seconds if seconds else 100.0
        started, stopped = self.started_at, self.stopped_at
        breached, predicted, next_change = self.breached_at, self.predicted_breach, self.next_change
        breached_text = breached.isoformat() if breached else None
        predicted_text = predicted.isoformat() if predicted else None
        next_text = next_change.isoformat() if next_change else None
        crossed_at = [c.at.isoformat() for c in crossed]
        estimate = self.estimate
        out = {
            "policy": self.policy, "metric": self.metric, "stage": self.stage,
            "clock": self.clock, "cycle": self.cycle,
            "target_seconds": seconds, "calendar": target.calendar,
            "elapsed_seconds": round(elapsed, 3),
            "remaining_seconds": round(remaining, 3),
            "percent_used": round(percent, 2),
            "started_at": started.isoformat() if started else None,
            "stopped_at": stopped.isoformat() if stopped else None,
            "breached_at": breached_text, "predicted_breach": predicted_text,
            "thresholds_crossed": [{"id": c.threshold.id, "percent": c.threshold.percent,
                                    "at": at} for c, at in zip(crossed, crossed_at, strict=True)],
            "next_change": next_text,
            "now": _now_text(self.now),
        }
        if estimate:
            out["estimate"] = estimate
        # explain(), from the texts above
        words = _target_words(seconds, target.calendar)
        tail = f" (estimate: {estimate})" if estimate else ""
        if self.stage == "not_started":
            out["explain"] = f"{self.metric}: not started; {words}{tail}"
            return out
        text = (f"{self.metric}: {self.stage.replace('_', ' ')}; {words}; "
                f"{format_duration(elapsed)} used, {format_duration(remaining)} left "
                f"({_share(percent)})")
        if breached_text:
            text += f"; breached at {breached_text}"
        elif predicted_text:
            text += f"; breaches at {predicted_text} if nothing changes"
        if self.clock == "paused":
            text += "; clock paused"
        if crossed:
            text += "; crossed " + ", ".join(
                f"{c.threshold.id} ({c.threshold.percent:g}%) at {at}"
                for c, at in zip(crossed, crossed_at, strict=True))
        if next_text:
            text += f"; next change at {next_text}"
        out["explain"] = text + tail
        return out

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


def make_crossing(threshold: Threshold, at: datetime) -> Crossing:
    """`Crossing(threshold, at)` without the frozen dataclass's per-field setattr (as
    make_status): the same object."""
    crossing = _new(Crossing)
    crossing.__dict__.update({"threshold": threshold, "at": at})
    return crossing


def _share(percent: float) -> str:
    """Share of the target used: `75%`, and past 1000% a multiple (`4,211× the target`) that a
    reader can take in, for tickets left open for months."""
    return f"{percent:.0f}%" if percent < 1000 else f"{percent / 100:,.0f}× the target"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


_target_texts: dict[tuple[type, float, str], str] = {}
_last_now: list[tuple[datetime, str] | None] = [None]  # the instant written last, its text


def _target_words(seconds: float, calendar: str) -> str:
    """`target 4h (eu-office-hours)`, kept per target (a policy has a handful)."""
    key = (type(seconds), seconds, calendar)
    words = _target_texts.get(key)
    if words is None:
        if len(_target_texts) >= 1024:
            _target_texts.clear()
        words = _target_texts[key] = f"target {format_duration(seconds)} ({calendar})"
    return words


def _now_text(now: datetime) -> str:
    """`now.isoformat()`, kept for the instant asked last (an evaluation asks one instant
    for every ticket); the pair replaced at once, so threads never see a mismatched one."""
    pair = _last_now[0]
    if pair is not None and pair[0] is now:
        return pair[1]
    text = now.isoformat()
    _last_now[0] = (now, text)
    return text
