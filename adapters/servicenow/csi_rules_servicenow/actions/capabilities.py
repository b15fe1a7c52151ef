"""What the ServiceNow adapter carries out: every parameter here is written, nothing else is.

`csi-rules validate --adapter servicenow`, `run` and the executor refuse any other action or
parameter, so nothing a policy asks for is dropped while the result says `applied`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csi_rules.capabilities import ActionSupport, Capabilities
from csi_rules_servicenow.actions.handlers import HOLD_REASONS, MAX_ESCALATION

ANY: dict[str, Any] = {}

ACTIONS: dict[str, ActionSupport] = {
    "assign": ActionSupport({"group": ANY, "assignee": ANY}, ("group", "assignee"),
                            "assignment_group / assigned_to (by name, user_name or sys_id)"),
    "set_priority": ActionSupport({"priority": ANY}, (),
                                  "incident: impact and urgency of the profile's matrix; "
                                  "other tables: priority"),
    "set_field": ActionSupport({"field": ANY, "value": ANY}, (),
                               "the column; work_notes/comments become journal entries"),
    "comment": ActionSupport({"text": ANY, "visibility": ANY}, (),
                             "internal: work note (with its idempotency marker); public: "
                             "additional comment, exactly the text"),
    "escalate": ActionSupport({"level": {"maximum": MAX_ESCALATION}, "group": ANY,
                               "assignee": ANY, "reason": ANY}, ("level", "group", "assignee"),
                              "escalation (0-3), assignment_group, assigned_to in one write; "
                              "then a work note 'Escalated: <reason>'"),
    "request_approval": ActionSupport({"group": ANY, "quorum": {"maximum": 1}}, (),
                                      "a requested sysapproval_group row (once per group); "
                                      "one approval, as the group's approval rule decides"),
    "block": ActionSupport({"reason": ANY}, (),
                           "changes only: on_hold with on_hold_reason"),
    "servicenow.set_state": ActionSupport({"state": ANY}, (), "state (code of the profile)"),
    "servicenow.hold": ActionSupport({"reason": ANY, "hold_reason": {"enum": sorted(HOLD_REASONS)}},
                                     (), "incident: state On Hold, hold_reason, then a work "
                                     "note; change: on_hold, on_hold_reason"),
    "servicenow.cancel": ActionSupport({"reason": ANY}, (),
                                       "state Canceled, then a work note 'Canceled: <reason>'"),
    "servicenow.set_conflict_status": ActionSupport({"status": ANY}, (),
                                                    "change conflict_status"),
}
SKIPPED = {"notify": "notifications are delivered by csi-rules through the runner config's "
                     "channels, not written to the platform; with no channels configured"}
HINTS = {
    "escalate.rota": "csi-rules does not resolve ServiceNow on-call rotas; name a group or an "
                     "assignee",
}


def capabilities(settings: Mapping[str, Any] | None = None) -> Capabilities:
    """The same for every configuration: nothing here depends on settings."""
    return Capabilities("servicenow", ACTIONS, SKIPPED, HINTS)
