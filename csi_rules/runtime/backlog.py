"""A ticket seen for the first time: what to do with the thresholds and rungs that already passed.

The first live cycle against an instance meets tickets that are months old. Acting on every
SLA threshold, escalation rung and repeat they crossed long ago would post dozens of stale
comments and pages per ticket. Instead, at first sight each SLA metric and each escalation
ladder collapses to its current position (the latest crossing, which carries the actions that
matter now) and lists the rest as `missed`:

- catch-up: the current position is acted on once (one decision per metric or ladder); the
  missed crossings are recorded and never act. Every ticket first seen after an adapter's
  first complete sync gets this (a new ticket, or one that entered the adapter's filter).
- the backlog, met during an adapter's first sync, follows the runner's `backlog` setting:
  `adopt` (the default) acts on none of what already passed, records the position, and only
  later crossings act (nothing is written to a platform for the backlog); `act` catches up.

A dry run records first sight too, so the live run that follows does what the dry run showed
(it applies the catch-up decisions the dry run logged, and sets aside what it set aside).

What is recorded is the set of decision keys set aside at first sight (`Position.adopted`), not
an instant: a crossing that appears later (a priority raised after first sight makes a
stricter goal apply) has a new key and acts. Decisions that are not crossings (routing,
a major-incident trigger) describe the present and are never held back here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from csi_rules.decisions import OUTCOME_ESCALATION, OUTCOME_THRESHOLD, Decision

BacklogMode = Literal["adopt", "act"]
BACKLOG_MODES: tuple[str, ...] = ("adopt", "act")
DEFAULT_BACKLOG: BacklogMode = "adopt"


@dataclass(frozen=True)
class Position:
    """What the runner knows about a record it has seen: when, and which keys it set aside."""

    first_seen: datetime
    adopted: frozenset[str] = frozenset()


def crossed_at(decision: Decision) -> datetime | None:
    """When an SLA threshold or escalation rung was crossed; None for other decisions."""
    if decision.outcome not in (OUTCOME_THRESHOLD, OUTCOME_ESCALATION) or not decision.details:
        return None
    at = decision.details.get("crossed_at")
    return datetime.fromisoformat(at) if isinstance(at, str) else None


def _track(decision: Decision) -> tuple[str, str]:
    """One SLA metric or one escalation ladder: the unit that has a single current position."""
    if decision.outcome == OUTCOME_THRESHOLD and decision.rule_id:
        return decision.policy, decision.rule_id.split("/", 1)[0]
    return decision.policy, ""


def _missed(decision: Decision, at: datetime) -> dict[str, Any]:
    return {"rule": decision.rule_id, "at": at.isoformat(), "key": decision.key}


def first_sight(decisions: list[Decision], now: datetime,
                mode: BacklogMode) -> tuple[list[Decision], Position]:
    """The decisions to act on for a record seen for the first time at `now`, and its position.

    Crossings at or before `now` are grouped per SLA metric / escalation ladder; `act` keeps
    the latest of each (with `missed` and `first_seen` in its details and explanation),
    `adopt` keeps none. Every crossing not kept is in the position's `adopted` keys."""
    tracks: dict[tuple[str, str], list[tuple[datetime, int, Decision]]] = {}
    kept: list[Decision | None] = []
    for i, decision in enumerate(decisions):
        at = crossed_at(decision)
        if at is None or at > now:
            kept.append(decision)
            continue
        tracks.setdefault(_track(decision), []).append((at, i, decision))
        kept.append(None)
    adopted: set[str] = set()
    for crossings in tracks.values():
        crossings.sort(key=lambda c: (c[0], c[1]))
        at, i, current = crossings[-1]
        missed = [_missed(d, t) for t, _, d in crossings[:-1]]
        if mode == "act":
            kept[i] = _catch_up(current, at, missed, now)
            adopted.update(m["key"] for m in missed)
        else:
            adopted.update(d.key for _, _, d in crossings)
    return [d for d in kept if d is not None], Position(now, frozenset(adopted))


def _catch_up(decision: Decision, at: datetime, missed: list[dict[str, Any]],
              now: datetime) -> Decision:
    details = dict(decision.details or {})
    told = ", ".join(f"{m['rule']} at {m['at']}" for m in missed) or "nothing"
    details.update({
        "first_seen": now.isoformat(), "missed": missed,
        "explain": f"first seen at {now.isoformat()}: acting once on where it stands now "
                   f"({decision.rule_id}, crossed at {at.isoformat()}); passed before first "
                   f"sight and not acted on: {told}. "
                   + str(details.get("explain", "")),
    })
    return replace(decision, details=details)


def held_back(decisions: list[Decision], position: Position) -> list[Decision]:
    """A known record's decisions minus those set aside at its first sight."""
    if not position.adopted:
        return decisions
    return [d for d in decisions if d.key not in position.adopted]
