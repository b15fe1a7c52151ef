"""What the Jira adapter carries out, from its settings alone: every parameter here is written.

A group needs `field_map.assignment_group` (Jira has no built-in group field) and a priority
needs a name in `priority_map`; without them those parameters are not declared, so
`csi-rules validate --adapter jira`, `run` and the executor refuse them instead of the action
answering `skipped` or, worse, `applied` with a part left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csi_rules.capabilities import ActionSupport, Capabilities
from csi_rules_jira.config import DEFAULT_PRIORITY_MAP, JiraConfig

ANY: dict[str, Any] = {}
NEEDS_GROUP_FIELD = "set field_map.assignment_group in the jira adapter's settings"
SKIPPED = {"notify": "notifications are delivered by csi-rules through the runner config's "
                     "channels, not written to the platform; with no channels configured"}


def capabilities(settings: Mapping[str, Any] | None = None) -> Capabilities:
    settings = settings or {}
    group = {"group": ANY} if (settings.get("field_map") or {}).get("assignment_group") else {}
    priorities = sorted(set((settings.get("priority_map") or DEFAULT_PRIORITY_MAP).values()))
    targets = ("assignee", *group)
    actions = {
        "assign": ActionSupport({"assignee": ANY, **group}, targets,
                                "assignee (accountId on Cloud, name on DC); group: the "
                                "field_map.assignment_group field"),
        "set_priority": ActionSupport({"priority": {"enum": priorities}}, (),
                                      "priority, by the name priority_map gives the number"),
        "set_field": ActionSupport({"field": ANY, "value": ANY}, (),
                                   "the field (record name from field_map, field id or name)"),
        "comment": ActionSupport({"text": ANY, "visibility": ANY}, (),
                                 "a comment, exactly the text; internal on JSM projects (or "
                                 "internal_comment_visibility); idempotency key in a comment "
                                 "property"),
        "escalate": ActionSupport({"level": ANY, "assignee": ANY, "reason": ANY, **group}, targets,
                                  "assignee and/or group first; once they landed, an internal "
                                  "comment 'Escalated to level N: <reason>' (the level is "
                                  "recorded there: Jira has no escalation field)"),
        "block": ActionSupport({"reason": ANY}, (),
                               "the blocked_label label, then an internal comment "
                               "'Blocked: <reason>'"),
        "jira.transition": ActionSupport({"name": ANY, "to": ANY, "resolution": ANY}, (),
                                         "the workflow transition (looked up by name)"),
        "jira.link": ActionSupport({"type": ANY, "issue": ANY, "direction": ANY}, (),
                                   "an issue link, once"),
        "jira.answer_approval": ActionSupport({"decision": ANY, "approval": ANY}, (),
                                              "the JSM approval decision"),
    }
    hints = {"escalate.rota": "csi-rules does not resolve on-call rotas; name an assignee or a "
                              "group",
             "request_approval": "JSM approvals are opened by the workflow: use "
                                 "jira.transition to the approval status"}
    if not group:
        hints.update({"assign.group": NEEDS_GROUP_FIELD, "escalate.group": NEEDS_GROUP_FIELD})
    return Capabilities("jira", actions, SKIPPED, hints)


def for_config(config: JiraConfig) -> Capabilities:
    """Capabilities of an adapter built from `config` (the parsed settings)."""
    return capabilities({"field_map": dict(config.field_map),
                         "priority_map": dict(config.priority_map)})
