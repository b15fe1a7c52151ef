"""What a clock may assume about a ticket whose history it cannot see.

A platform does not always give the field history (ServiceNow without audit access, a record
loaded from a file): the record has no `history`, or its adapter set `raw.history_unavailable`
(a Jira changelog cut short). The record still says what it is now and
when it was resolved or closed, so a finished ticket is judged as worked on from `opened_at`
until `resolved_at`/`closed_at` (not as finished since it opened, which would show 0 s used),
and an open one as in its current state since it opened. Either way the assumption is spelled
out (`note`) so an SLA explanation says it is an estimate instead of passing it off as fact.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

Change = tuple[datetime, str, Any, Any]

DONE_STATES = frozenset({"resolved", "closed", "canceled", "closed_complete",
                         "closed_incomplete"})
"""Canonical states (docs/dev record contract) a ticket only reaches when work on it ends."""

WORKING_STATE = {"incident": "in_progress", "request": "in_progress",
                 "problem": "fix_in_progress", "change": "implement"}
"""The state assumed while a finished ticket without history was being worked on."""

HAS_RESOLVED = frozenset({"incident", "problem"})


def history_available(data: dict[str, Any]) -> bool:
    """False when the record carries no `history` or its adapter marked it unavailable."""
    raw = data.get("raw") or {}
    return data.get("history") is not None and not raw.get("history_unavailable")


def _at(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _iso(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def estimated_changes(data: dict[str, Any], changes: list[Change]) -> tuple[list[Change],
                                                                             str | None]:
    """`changes` plus, when the history is not available, the state transitions the record's
    timestamps imply, and a note naming the assumption (None when the history is there:
    a history without state changes means the state never changed)."""
    if history_available(data):
        return changes, None
    state, kind = data.get("state"), data.get("kind")
    opened = _at(data.get("opened_at"))
    resolved, closed = _at(data.get("resolved_at")), _at(data.get("closed_at"))
    missing = "no history available"
    since = f" since {_iso(opened)}" if opened else ""
    done = state in DONE_STATES or data.get("status_category") == "done"
    if not done or (resolved is None and closed is None):
        return changes, f"{missing}: assumed {state or 'its current state'}{since}"
    working = WORKING_STATE.get(str(kind), "in_progress")
    added: list[Change] = []
    if state != "resolved" and kind in HAS_RESOLVED and resolved is not None \
            and closed is not None and resolved <= closed:
        added += [(resolved, "state", working, "resolved"), (closed, "state", "resolved", state)]
    else:
        end = (resolved or closed) if state == "resolved" else (closed or resolved)
        assert end is not None
        added.append((end, "state", working, state))
    steps = ", ".join(f"{to} at {_iso(at)}" for at, _, _, to in added)
    note = f"{missing}: assumed {working}{since}, then {steps}"
    return sorted([*changes, *added], key=lambda c: c[0]), note
