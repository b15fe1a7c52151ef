"""The record contract's vocabularies: which values `state` and its companion fields take.

Policies, example records, tests and adapters all speak this one vocabulary, so a rule written
against a test record means the same on a ticket read from ServiceNow or Jira. Each adapter maps
its platform's values here (ServiceNow state codes per table, Jira status by category plus a
per-project map). A platform value with no mapping is kept visibly as `code:<value>` and listed
in the record's `unmapped` object, never dropped.
"""

from __future__ import annotations

from collections.abc import Iterable

UNMAPPED_PREFIX = "code:"

STATES: dict[str, tuple[str, ...]] = {
    # ServiceNow's incident state model; Jira statuses map onto it by status category and name
    "incident": ("new", "in_progress", "on_hold", "resolved", "closed", "canceled"),
    # ServiceNow's change lifecycle (New .. Review, Closed, Canceled)
    "change": ("new", "assess", "authorize", "scheduled", "implement", "review", "closed",
               "canceled"),
    # ServiceNow's problem lifecycle (Madrid and later)
    "problem": ("new", "assess", "root_cause_analysis", "fix_in_progress", "resolved", "closed"),
    # requested items: waiting for approval, then fulfilment
    "request": ("pending", "open", "in_progress", "on_hold", "closed_complete",
                "closed_incomplete", "canceled"),
}

STATE_MEANINGS: dict[str, str] = {
    "new": "logged, nobody has started on it",
    "in_progress": "being worked on",
    "on_hold": "waiting on someone outside the resolver group (see hold_reason)",
    "resolved": "a fix is in place; the caller may still reopen it",
    "closed": "finished; no more work",
    "canceled": "withdrawn without being done",
    "assess": "being assessed (change: peer/technical review; problem: triage)",
    "authorize": "waiting for CAB or change-manager approval",
    "scheduled": "approved and scheduled in its window",
    "implement": "being carried out",
    "review": "carried out; post-implementation review",
    "root_cause_analysis": "root cause being investigated",
    "fix_in_progress": "root cause known, fix under way",
    "pending": "waiting for approval before fulfilment starts",
    "open": "approved, fulfilment not yet started",
    "closed_complete": "fulfilled",
    "closed_incomplete": "closed without being fulfilled",
}

HOLD_REASONS: tuple[str, ...] = ("awaiting_caller", "awaiting_change", "awaiting_problem",
                                 "awaiting_vendor", "awaiting_evidence", "awaiting_approval",
                                 "other")

STATUS_CATEGORIES: tuple[str, ...] = ("new", "in_progress", "done")

_DONE = frozenset({"resolved", "closed", "canceled", "closed_complete", "closed_incomplete"})
_NEW = frozenset({"new", "pending", "open"})


def state_values(kinds: Iterable[str]) -> tuple[str, ...]:
    """Every canonical state any of `kinds` can be in, in contract order, without repeats."""
    return tuple(dict.fromkeys(s for kind in kinds for s in STATES.get(kind, ())))


def is_unmapped(value: object) -> bool:
    """A platform value kept as `code:<value>` because no mapping names it."""
    return isinstance(value, str) and value.startswith(UNMAPPED_PREFIX)


def status_category(state: str | None) -> str | None:
    """new / in_progress / done for a canonical state, as Jira's status categories split them."""
    if state is None or is_unmapped(state):
        return None
    if state in _DONE:
        return "done"
    return "new" if state in _NEW else "in_progress"
