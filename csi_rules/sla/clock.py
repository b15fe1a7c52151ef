"""Run one SLA metric's clock over a ticket's snapshots, in business time.

The clock starts when `start` first holds, runs while neither `pause`, `stop` nor `cancel`
holds, and stops on `stop`. When `stop` no longer holds (the ticket was reopened) the clock
resumes, or starts a new cycle with `onReopen: restart`. The goal in effect at each moment is
the first target whose condition the ticket meets then; a breach, once reached under the goal
then in effect, stays a breach however the ticket changes later, and a stopped clock is judged
by the goal in effect when it stopped.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from operator import attrgetter
from typing import Any

from csi_rules.calendars.instants import US_PER_SECOND, to_us
from csi_rules.sla.clock_view import ClockView, holds, target_for
from csi_rules.sla.model import Metric, Target
from csi_rules.sla.status import SlaStatus, make_crossing, make_status
from csi_rules.sla.timeline import Snapshot

CalendarLookup = Callable[[str], Any]
__all__ = ["holds", "run_clock", "target_for"]


class _Cycle:
    """One cycle of the clock: when it started, its running stretches and what they used."""

    __slots__ = ("breached_at", "segments", "started_at", "used")

    def __init__(self, started_at: datetime):
        self.started_at = started_at
        # (start, end, business seconds per calendar name) of each running stretch
        self.segments: list[tuple[datetime, datetime, dict[str, float]]] = []
        self.used: dict[str, float] = {}  # business seconds per calendar name
        self.breached_at: datetime | None = None


_INSTANTS_KEPT = 1 << 16
_instants_us: dict[datetime, int] = {}


def _us(at: datetime) -> int:
    """`to_us(at)`, kept per instant (a ticket's snapshot instants are counted by each of its
    metrics, and `now` by every ticket). Only for fixed offsets: two such datetimes are equal
    exactly when they are one instant (in a zone with DST, two times a fold apart compare
    equal and are not)."""
    if type(at.tzinfo) is not timezone:
        return to_us(at)
    found = _instants_us.get(at)
    if found is None:
        if len(_instants_us) >= _INSTANTS_KEPT:
            _instants_us.clear()
        found = _instants_us[at] = to_us(at)
    return found


def _add_segment(cycle: _Cycle, start: datetime, end: datetime, start_us: int, end_us: int,
                 target: Target | None, calendars: dict[str, Any]) -> None:
    """One running stretch, counted in every calendar a target names (`start_us`/`end_us`:
    the same instants as epoch µs, so each is converted once however many calendars count it)."""
    parts = {}
    used = cycle.used
    for name, calendar in calendars.items():
        before = used.get(name, 0.0)
        parts[name] = part = calendar.business_us(start_us, end_us) / US_PER_SECOND
        used[name] = before + part
        if target is not None and name == target.calendar and cycle.breached_at is None:
            if before >= target.seconds:
                cycle.breached_at = start  # a stricter goal applied from `start` on
            elif used[name] >= target.seconds:
                cycle.breached_at = calendar.add_business_seconds(start, target.seconds - before)
    cycle.segments.append((start, end, parts))


def _crossing(cycle: _Cycle, amount: float, name: str, calendar: Any) -> datetime | None:
    """When the cycle's business time in calendar `name` reached `amount` (None: not yet)."""
    used = 0.0
    for start, _, parts in cycle.segments:
        part = parts[name]
        if used + part >= amount:
            return calendar.add_business_seconds(start, amount - used)
        used += part
    return None


def run_clock(policy: str, metric: Metric, snapshots: list[Snapshot], now: datetime,
              calendars: CalendarLookup, estimate: str | None = None,
              views: Sequence[ClockView] | None = None) -> SlaStatus | None:
    """The metric's status at `now`; None when no target applies to the ticket. `estimate`
    names what the snapshots assume for lack of history; the status carries it. `views`:
    the metric's verdicts on each snapshot when the caller has them (else asked here)."""
    if not snapshots:
        return None
    conditions = metric.conditions
    if views is None:
        verdicts = conditions.view
        last_view = verdicts(snapshots[-1].record)  # first: no target, nothing more to ask
        if last_view.target is None:
            return None
        views = [*[verdicts(s.record) for s in snapshots[:-1]], last_view]
    final_target = views[-1].target
    if final_target is None:
        return None
    names = conditions.calendars
    counting: dict[str, Any] | None = None  # the calendars of `names`, once the clock runs
    rules = metric.clock
    stop_target: Target | None = None  # the goal in effect when the clock last stopped
    clock = "not_started"
    cycle: _Cycle | None = None
    cycles = 0
    stopped_at: datetime | None = None
    last = len(snapshots) - 1
    for i, snap in enumerate(snapshots):
        view = views[i]
        end = snapshots[i + 1].at if i < last else now
        if clock == "not_started" and view.start:
            cycle, cycles, clock = _Cycle(snap.at), 1, "running"
        elif clock == "stopped" and not view.stop:
            if rules.on_reopen == "restart":
                cycle, cycles = _Cycle(snap.at), cycles + 1
            clock, stopped_at = "running", None
        if clock in ("running", "paused"):
            if view.cancel:
                clock, stopped_at = "cancelled", snap.at
            elif view.stop:
                clock, stopped_at = "stopped", snap.at
                stop_target = view.target
            else:
                clock = "paused" if view.pause else "running"
        if clock == "running" and cycle is not None and end > snap.at:
            if counting is None:
                counting = {name: calendars(name) for name in names}
            _add_segment(cycle, snap.at, end, _us(snap.at), _us(end), view.target, counting)
    if clock == "stopped" and stop_target is not None:
        final_target = stop_target  # a finished SLA is judged by the goal it finished under
    return _status(policy, metric, final_target, clock, cycle, cycles, stopped_at, now,
                   calendars, estimate)


def _status(policy: str, metric: Metric, target: Target, clock: str, cycle: _Cycle | None,
            cycles: int, stopped_at: datetime | None, now: datetime,
            calendars: CalendarLookup, estimate: str | None) -> SlaStatus:
    calendar = calendars(target.calendar)
    elapsed = cycle.used.get(target.calendar, 0.0) if cycle else 0.0
    breached_at = cycle.breached_at if cycle else None
    crossed = []
    upcoming = []
    for threshold in metric.thresholds:
        amount = target.seconds * threshold.percent / 100.0
        at = _crossing(cycle, amount, target.calendar, calendar) if cycle else None
        if at is None and threshold.percent >= 100 and breached_at is not None:
            at = breached_at
        if at is not None:
            crossed.append(make_crossing(threshold, at))
        elif clock == "running":
            upcoming.append(calendar.add_business_seconds(now, amount - elapsed))
    running = clock == "running"
    predicted = None
    if running and breached_at is None:
        predicted = calendar.add_business_seconds(now, max(0.0, target.seconds - elapsed))
        upcoming.append(predicted)
    stage = _FIXED_STAGES.get(clock)
    if stage is None:
        stage = "breached" if breached_at is not None else _STAGES[clock]
    return make_status(
        policy=policy, metric=metric.name, stage=stage, clock=clock, target=target,
        cycle=cycles, elapsed=elapsed, started_at=cycle.started_at if cycle else None,
        stopped_at=stopped_at, breached_at=breached_at, predicted_breach=predicted,
        crossed=tuple(sorted(crossed, key=_AT)) if len(crossed) > 1 else tuple(crossed),
        next_change=min(upcoming) if upcoming else None, now=now, estimate=estimate or None,
    )


_FIXED_STAGES = {"not_started": "not_started", "cancelled": "cancelled"}
_STAGES = {"running": "in_progress", "paused": "paused", "stopped": "achieved"}
_AT = attrgetter("at")
