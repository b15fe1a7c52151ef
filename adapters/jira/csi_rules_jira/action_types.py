"""Jira-specific action types, each with the JSON Schema of its parameters."""

from __future__ import annotations

from csi_rules.actions import ActionType

_STR = {"type": "string", "minLength": 1}

JIRA_ACTIONS: tuple[ActionType, ...] = (
    ActionType(
        "jira.transition",
        "Move a Jira issue through its workflow, by transition name and/or target status.",
        {
            "type": "object", "additionalProperties": False, "minProperties": 1,
            "properties": {"name": _STR, "to": _STR, "resolution": _STR},
            "anyOf": [{"required": ["name"]}, {"required": ["to"]}],
        },
    ),
    ActionType(
        "jira.link",
        "Link the issue to another (type as Jira names it: Blocks, Relates, Causes, ...).",
        {
            "type": "object", "additionalProperties": False, "required": ["type", "issue"],
            "properties": {"type": _STR, "issue": _STR,
                           "direction": {"enum": ["outward", "inward"]}},
        },
    ),
    ActionType(
        "jira.answer_approval",
        "Approve or decline a Jira Service Management approval (the pending one by default).",
        {
            "type": "object", "additionalProperties": False, "required": ["decision"],
            "properties": {"decision": {"enum": ["approve", "decline"]}, "approval": _STR},
        },
    ),
)
