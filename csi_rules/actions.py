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


def _str(description: str) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "description": description}


CORE_ACTIONS: tuple[ActionType, ...] = (
    ActionType(
        "assign",
        "Assign the record to a group and/or a person.",
        {**_obj({"group": _str("assignment group name"),
                 "assignee": _str("user name, e-mail or account id of the person")}, []),
         "minProperties": 1},
    ),
    ActionType(
        "set_priority",
        "Set the record's priority (1 critical .. 5 planning).",
        _obj({"priority": {"type": "integer", "minimum": 1, "maximum": 5,
                           "description": "new priority, 1 (critical) to 5 (planning)"}},
             ["priority"]),
    ),
    ActionType(
        "set_field",
        "Set a platform field to a value (ServiceNow column, Jira field id).",
        _obj({"field": _str("platform field name"),
              "value": {"type": ["string", "number", "boolean", "null"],
                        "description": "value to write; null clears the field"}},
             ["field", "value"]),
    ),
    ActionType(
        "comment",
        "Add a comment: internal work note (default) or public comment.",
        _obj({"text": _str("comment text"),
              "visibility": {"enum": ["internal", "public"], "default": "internal",
                             "description": "internal: work note seen by agents; public: "
                             "visible to the caller"}}, ["text"]),
    ),
    ActionType(
        "notify",
        "Notify people through a channel of the runner config (e-mail, chat, pager, webhook).",
        _obj({
            "channel": {"type": "string", "pattern": "^[a-z][a-z0-9_.-]*$", "default": "email",
                        "description": "a channel the runner config defines (channels: NAME)"},
            "to": {"oneOf": [_str("one recipient"),
                             {"type": "array", "items": {"type": "string", "minLength": 1},
                              "minItems": 1}],
                   "description": "recipients: addresses, user or team names, or rota:NAME "
                   "(who is on call at the decision's time; rota:NAME:backup for its backup); "
                   "default: the channel's own"},
            "message": _str("message template: record fields in braces ({number}, "
                            "{short_description}, {sla.percent}); default: number, short "
                            "description, priority and state"),
            "subject": _str("subject / title template (default: record number and the "
                            "message's first line)"),
            "event": {"enum": ["trigger", "acknowledge", "resolve"], "default": "trigger",
                      "description": "paging channels: open, acknowledge or resolve the page"},
            "severity": {"enum": ["critical", "error", "warning", "info"],
                         "description": "default from the record's priority (1 critical, "
                         "2 error, 3 warning, else info)"},
            "dedup": {"type": "string", "pattern": "^[A-Za-z0-9_.:-]+$",
                      "description": "page identity shared by trigger/acknowledge/resolve "
                      "(default: the deciding policy)"},
        }, []),
    ),
    ActionType(
        "escalate",
        "Escalate to a higher support level or group.",
        _obj({"level": {"type": "integer", "minimum": 1,
                        "description": "support level to escalate to (1, 2, 3, ...)"},
              "group": _str("group that takes the escalation"),
              "assignee": _str("person who takes the escalation"),
              "rota": _str("on-call rota whose current member takes it"),
              "reason": _str("why, shown on the ticket")}, []),
    ),
    ActionType(
        "request_approval",
        "Ask an approver group to approve the record.",
        _obj({"group": _str("approver group"),
              "quorum": {"type": "integer", "minimum": 1,
                         "description": "approvals needed (default: 1)"}}, ["group"]),
    ),
    ActionType(
        "block",
        "Block the record from proceeding (change gate, on hold) with a reason.",
        _obj({"reason": _str("why it is blocked, shown on the ticket")}, ["reason"]),
    ),
)
