"""GET /change/{sys_id}/nextstates: the state model's transitions out of a change's state.

The answer's shape is the doc's example (available_states, state_transitions grouped by target
state, each with its conditions and whether they pass, state_label). The transitions are the
emulator's model (change_model.py), platform knowledge marked as such: New -> Assess (normal),
Authorize (emergency) or Scheduled (standard); Assess/Authorize -> Scheduled automatically once
approved, -> New automatically once rejected; Scheduled -> Implement -> Review -> Closed; any
open state -> Canceled. "Not On hold" guards the manual moves, as in the doc's example.
The model is not enforced on writes: a PATCH may set any state, as a Table API client can.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from csi_rules_servicenow.emulator.store import Row

Check = tuple[str, Callable[[Row], bool]]
NOT_ON_HOLD: Check = ("Not On hold", lambda r: r.get("on_hold") != "true")
APPROVED: Check = ("Approval is approved", lambda r: r.get("approval") == "approved")
REJECTED: Check = ("Approval is rejected", lambda r: r.get("approval") == "rejected")
CLOSE_CODE: Check = ("Close code is set", lambda r: bool(r.get("close_code")))
FIRST = {"normal": "-4", "emergency": "-3", "standard": "-2"}
OPEN_STATES = ("-5", "-4", "-3", "-2", "-1", "0")


def transitions(row: Row) -> list[tuple[str, str, bool, list[Check]]]:
    """(from, to, automatic, conditions) out of the row's state."""
    state = row.get("state", "")
    found: list[tuple[str, str, bool, list[Check]]] = []
    if state == "-5":
        found.append((state, FIRST.get(row.get("type", ""), "-4"), False, [NOT_ON_HOLD]))
    elif state in ("-4", "-3"):
        found += [(state, "-2", True, [APPROVED]), (state, "-5", True, [REJECTED])]
    elif state in ("-2", "-1"):
        found.append((state, str(int(state) + 1), False, [NOT_ON_HOLD]))
    elif state == "0":
        found.append((state, "3", False, [NOT_ON_HOLD, CLOSE_CODE]))
    if state in OPEN_STATES:
        found.append((state, "4", False, []))
    return found


def _sys_id(*parts: str) -> str:
    return hashlib.md5("/".join(parts).encode(), usedforsecurity=False).hexdigest()


def next_states(row: Row, labels: dict[str, str]) -> dict[str, Any]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for source, target, automatic, checks in transitions(row):
        results = [(name, test(row)) for name, test in checks]
        grouped.setdefault(target, []).append({
            "sys_id": _sys_id("transition", source, target),
            "display_value": f"{labels.get(source, source)} to {labels.get(target, target)}",
            "from_state": source, "to_state": target,
            "transition_available": all(passed for _, passed in results),
            "automatic_transition": automatic,
            "conditions": [{"passed": passed, "condition": {
                "name": name, "description": None, "sys_id": _sys_id("condition", name)}}
                for name, passed in results]})
    state = row.get("state", "")
    available = [target for target, group in grouped.items()
                 if any(t["transition_available"] for t in group)]
    shown = [*available, state]
    return {"available_states": shown, "state_transitions": list(grouped.values()),
            "state_label": {s: labels.get(s, s) for s in shown}}
