"""The action ledger's rules: each action's idempotency key, and whether to attempt it now.

The key extends the decision's key (record, policy, rule, threshold, cycle) with the action's
place and type, so the same decision reached again (next poll, a wake-up, a webhook, a
restart) maps to the same ledger rows and the same marker on the platform.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csi_rules.runtime.notify_path import uncertain
from csi_rules.runtime.store import DONE_STATES, LedgerEntry, PlannedAction


def action_key(decision_key: str, index: int, action_type: str) -> str:
    return f"{decision_key}#{index}:{action_type}"


def planned_actions(decision_json: Mapping[str, Any]) -> list[PlannedAction]:
    """Every action of a decision (Decision.to_json() shape), with its key."""
    out = []
    for i, action in enumerate(decision_json.get("actions", ())):
        ((type_, params),) = action.items()
        out.append(PlannedAction(action_key(decision_json["key"], i, type_), i, type_,
                                 dict(params or {})))
    return out


def should_attempt(entry: LedgerEntry | None, *, dry_run: bool, max_attempts: int) -> bool:
    """Live: anything not settled (new, pending, shadow-only, failed with attempts left).
    Dry run: only what nothing has been recorded for yet. A notification that may have been
    delivered (runtime.notify_path) is never attempted again."""
    if entry is None:
        return True
    if dry_run or entry.state in DONE_STATES or uncertain(entry.detail):
        return False
    if entry.state == "failed":
        return entry.attempts < max_attempts
    return True
