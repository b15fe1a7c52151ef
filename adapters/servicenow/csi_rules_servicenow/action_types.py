"""ServiceNow-only action types (`servicenow.<x>`), each owning its params schema."""

from __future__ import annotations

from typing import Any

from csi_rules.actions import ActionType
from csi_rules_servicenow.action_codes import HOLD_REASONS

_TEXT: dict[str, Any] = {"type": "string", "minLength": 1}


def _params(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required,
            "additionalProperties": False}


SERVICENOW_ACTIONS: tuple[ActionType, ...] = (
    ActionType(
        "servicenow.set_state",
        "Move a ServiceNow record to a state, named as csi-rules normalizes it "
        "(new, in_progress, on_hold, resolved, closed, canceled, assess, authorize, ...).",
        _params({"state": {"type": "string", "pattern": "^[a-z_]+$"}}, ["state"]),
    ),
    ActionType(
        "servicenow.hold",
        "Put an incident on hold (state On Hold with a hold reason) or a change on hold "
        "(on_hold with on_hold_reason).",
        _params({"reason": _TEXT, "hold_reason": {"enum": sorted(HOLD_REASONS)}}, ["reason"]),
    ),
    ActionType(
        "servicenow.cancel",
        "Cancel a change or incident (state Canceled) and record why in a work note.",
        _params({"reason": _TEXT}, ["reason"]),
    ),
    ActionType(
        "servicenow.set_conflict_status",
        "Set a change's conflict_status, e.g. after csi-rules' own conflict check.",
        _params({"status": {"enum": ["Conflict", "No Conflict", "Not Run"]}}, ["status"]),
    ),
)
