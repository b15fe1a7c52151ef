"""Action types: what a rule may ask to be done. Each type owns the JSON Schema of its parameters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ActionType:
    """A named action with its parameter schema and a one-line description for the docs."""

    name: str
    description: str
    params_schema: dict[str, Any]

    def schema(self) -> dict[str, Any]:
        """Schema of `{name: params}` as it appears in a policy's action list."""
        return {
            "type": "object",
            "description": self.description,
            "properties": {self.name: self.params_schema},
            "required": [self.name],
            "additionalProperties": False,
        }


def _obj(props: dict[str, Any], required: list[str], description: str = "") -> dict[str, Any]:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = required
    if description:
        schema["description"] = description
    return schema


_STR = {"type": "string", "minLength": 1}

CORE_ACTIONS: tuple[ActionType, ...] = (
    ActionType(
        "assign",
        "Assign the record to a group and/or a person.",
        {**_obj({"group": _STR, "assignee": _STR}, []), "minProperties": 1},
    ),
    ActionType(
        "set_priority",
        "Set the record's priority (1 critical .. 5 planning).",
        _obj({"priority": {"type": "integer", "minimum": 1, "maximum": 5}}, ["priority"]),
    ),
    ActionType(
        "set_field",
        "Set a platform field to a value (ServiceNow column, Jira field id).",
        _obj({"field": _STR, "value": {"type": ["string", "number", "boolean", "null"]}},
             ["field", "value"]),
    ),
    ActionType(
        "comment",
        "Add a comment: internal work note (default) or public comment.",
        _obj({"text": _STR, "visibility": {"enum": ["internal", "public"]}}, ["text"]),
    ),
    ActionType(
        "notify",
        "Notify people or a channel (email, chat, pager) with a message.",
        _obj({
            "channel": {"enum": ["email", "chat", "pager", "webhook"]},
            "to": {"type": "array", "items": _STR, "minItems": 1},
            "message": _STR,
        }, ["to", "message"]),
    ),
    ActionType(
        "escalate",
        "Escalate to a higher support level or group.",
        _obj({"level": {"type": "integer", "minimum": 1}, "group": _STR, "reason": _STR}, []),
    ),
    ActionType(
        "request_approval",
        "Ask an approver group to approve the record.",
        _obj({"group": _STR, "quorum": {"type": "integer", "minimum": 1}}, ["group"]),
    ),
    ActionType(
        "block",
        "Block the record from proceeding (change gate, on hold) with a reason.",
        _obj({"reason": _STR}, ["reason"]),
    ),
)
