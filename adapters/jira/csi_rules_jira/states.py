"""Jira statuses in the record contract's vocabulary: configured names, then known names, then
the status category.

Order of precedence, first match wins:
1. `project_status_map[PROJECT][status name]` (per project; workflows differ between projects),
2. `status_map[status name]` (the whole site),
3. the names of Jira's and JSM's default workflows (below), per record kind,
4. the status category (To Do / In Progress / Done) the status belongs to.
A status none of these places (no category known) stays visible as `code:<name>`.
Names compare case-insensitively. Each mapped value must be in the kind's vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from csi_rules.records.vocabulary import STATES, UNMAPPED_PREFIX

# Default workflow names (Jira Software, JSM's IT service management templates), per kind.
_ANY = {"open": "new", "to do": "new", "backlog": "new", "selected for development": "new",
        "in progress": "in_progress", "work in progress": "in_progress",
        "in review": "in_progress", "escalated": "in_progress",
        "waiting for customer": "on_hold", "pending": "on_hold", "on hold": "on_hold",
        "waiting for support": "new", "awaiting approval": "on_hold",
        "resolved": "resolved", "done": "resolved", "closed": "closed",
        "canceled": "canceled", "cancelled": "canceled", "declined": "canceled",
        "won't do": "canceled"}
_BY_KIND: dict[str, dict[str, str]] = {
    "incident": {},
    "change": {"open": "new", "to do": "new", "planning": "assess", "peer review": "assess",
               "awaiting approval": "authorize", "authorize": "authorize",
               "awaiting implementation": "scheduled", "scheduled": "scheduled",
               "in progress": "implement", "implementing": "implement",
               "work in progress": "implement", "review": "review", "in review": "review",
               "completed": "closed", "done": "closed", "resolved": "closed", "failed": "closed",
               "pending": "authorize", "waiting for support": "new"},
    "problem": {"under review": "assess", "under investigation": "root_cause_analysis",
                "in progress": "root_cause_analysis", "work in progress": "root_cause_analysis",
                "known error": "fix_in_progress", "pending": "fix_in_progress",
                "on hold": "fix_in_progress", "waiting for customer": "root_cause_analysis",
                "completed": "resolved", "declined": "closed", "canceled": "closed",
                "cancelled": "closed", "won't do": "closed"},
    "request": {"waiting for support": "open", "open": "open", "to do": "open",
                "awaiting approval": "pending", "waiting for approval": "pending",
                "resolved": "closed_complete", "done": "closed_complete",
                "closed": "closed_complete", "completed": "closed_complete",
                "declined": "canceled", "won't do": "canceled"},
}
_BY_CATEGORY: dict[str, dict[str, str]] = {
    "incident": {"new": "new", "indeterminate": "in_progress", "done": "resolved"},
    "change": {"new": "new", "indeterminate": "implement", "done": "closed"},
    "problem": {"new": "new", "indeterminate": "root_cause_analysis", "done": "resolved"},
    "request": {"new": "open", "indeterminate": "in_progress", "done": "closed_complete"},
}
CATEGORY_NAMES = {"new": "new", "indeterminate": "in_progress", "done": "done"}
_WAITING_ON = {"waiting for customer": "awaiting_caller", "awaiting approval": "awaiting_approval",
               "waiting for approval": "awaiting_approval", "waiting for vendor": "awaiting_vendor",
               "awaiting vendor": "awaiting_vendor", "pending": "other", "on hold": "other"}


def _fold(name: str) -> str:
    return " ".join(name.casefold().split())


@dataclass
class StatusMapper:
    """Maps status names for one site; remembers each status's category as issues show it."""

    status_map: Mapping[str, str] = field(default_factory=dict)
    project_status_map: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    categories: dict[str, str] = field(default_factory=dict)

    def learn(self, status: Mapping[str, Any]) -> None:
        """Note a status object's category ({name, statusCategory: {key}}) for later lookups."""
        name, category = status.get("name"), (status.get("statusCategory") or {}).get("key")
        if name and category:
            self.categories[_fold(str(name))] = str(category)

    def state(self, kind: str, project: str, name: str | None) -> str | None:
        """The contract state for status `name`, or `code:<name>` when nothing places it."""
        if not name:
            return None
        folded = _fold(name)
        configured = {_fold(k): v for k, v in self.project_status_map.get(project, {}).items()}
        configured_site = {_fold(k): v for k, v in self.status_map.items()}
        vocabulary = STATES.get(kind, ())
        for table in (configured, configured_site, _BY_KIND.get(kind, {}), _ANY):
            found = table.get(folded)
            if found in vocabulary:
                return found
        category = self.categories.get(folded)
        found = _BY_CATEGORY.get(kind, {}).get(category or "")
        return found if found else f"{UNMAPPED_PREFIX}{name}"

    def hold_reason(self, state: str | None, name: str | None) -> str | None:
        """Why an on_hold issue waits, from its status name."""
        if state != "on_hold" or not name:
            return None
        return _WAITING_ON.get(_fold(name), "other")
