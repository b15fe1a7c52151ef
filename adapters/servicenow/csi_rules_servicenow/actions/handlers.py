"""What each action type means on ServiceNow, as a list of steps (see steps.py).

Core types: assign, set_priority, set_field, comment, escalate, request_approval, block
(changes only), notify (not a ServiceNow write). ServiceNow types: servicenow.set_state,
servicenow.hold, servicenow.cancel, servicenow.set_conflict_status.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules_servicenow.action_codes import HOLD_REASONS, MAX_ESCALATION
from csi_rules_servicenow.actions.snapshot import Snapshot
from csi_rules_servicenow.actions.steps import (
    ActionRefused,
    ApprovalRequest,
    FieldWrite,
    JournalWrite,
    NotForServiceNow,
    Step,
)
from csi_rules_servicenow.mapping import NormalizationTables

SYS_ID = re.compile(r"^[0-9a-f]{32}$")
JOURNAL = {"work_notes", "comments"}
CANCELED = {"incident": "8", "change_request": "4", "problem": "107", "sc_req_item": "4"}


@dataclass
class Target:
    """The record an action acts on, and how to look groups and users up."""

    table: str
    sys_id: str
    key: str
    tables: NormalizationTables
    find: Callable[[str, str], str]  # find(kind "group"|"user", name) -> sys_id
    journal_check: str = "journal_table"
    author: str = ""  # the integration user (matches public comments on a read-back)
    since: datetime | None = None  # when the decision was made
    fresh: bool = False  # the ledger shows no earlier attempt
    snapshot: Snapshot | None = None  # the batch's reads (snapshot.py), when there is one

    def note(self, text: str, element: str = "work_notes") -> JournalWrite:
        return JournalWrite(self.table, self.sys_id, element, text, self.key, self.journal_check,
                            self.author, self.since, self.fresh, self.snapshot)

    def fields(self, **values: str) -> FieldWrite:
        return FieldWrite(self.table, self.sys_id, dict(values), self.snapshot)

    def ref(self, kind: str, name: str) -> str:
        return name if SYS_ID.match(name) else self.find(kind, name)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def assign(t: Target, p: Mapping[str, Any]) -> list[Step]:
    values = {}
    if "group" in p:
        values["assignment_group"] = t.ref("group", p["group"])
    if "assignee" in p:
        values["assigned_to"] = t.ref("user", p["assignee"])
    return [t.fields(**values)]


def set_priority(t: Target, p: Mapping[str, Any]) -> list[Step]:
    priority = int(p["priority"])
    if t.table != "incident":
        return [t.fields(priority=str(priority))]
    pair = t.tables.impact_urgency(priority)
    if pair is None:
        raise ActionRefused(f"priority {priority} does not exist on this instance "
                            f"(profile {t.tables.profile!r}); incident priority comes from "
                            "impact x urgency")
    return [t.fields(impact=str(pair[0]), urgency=str(pair[1]))]


def set_field(t: Target, p: Mapping[str, Any]) -> list[Step]:
    name = str(p["field"])
    if name in JOURNAL:
        return [t.note(_text(p["value"]), name)]
    return [t.fields(**{name: _text(p["value"])})]


def comment(t: Target, p: Mapping[str, Any]) -> list[Step]:
    element = "comments" if p.get("visibility") == "public" else "work_notes"
    return [t.note(str(p["text"]), element)]


def escalate(t: Target, p: Mapping[str, Any]) -> list[Step]:
    """One write for level, group and person; the note saying so comes after it landed."""
    values = {}
    if "level" in p:
        level = int(p["level"])
        if level > MAX_ESCALATION:
            raise ActionRefused(f"ServiceNow's escalation field goes up to {MAX_ESCALATION}, "
                                f"not {level}")
        values["escalation"] = str(level)
    if "group" in p:
        values["assignment_group"] = t.ref("group", p["group"])
    if "assignee" in p:
        values["assigned_to"] = t.ref("user", p["assignee"])
    if not values:
        raise ActionRefused("escalate needs a level, a group or an assignee: a reason alone "
                            "escalates nothing")
    steps: list[Step] = [t.fields(**values)]
    if "reason" in p:
        steps.append(t.note(f"Escalated: {p['reason']}"))
    return steps


def request_approval(t: Target, p: Mapping[str, Any]) -> list[Step]:
    group = str(p["group"])
    return [ApprovalRequest(t.table, t.sys_id, t.ref("group", group), group, t.snapshot)]


def hold(t: Target, p: Mapping[str, Any]) -> list[Step]:
    reason = str(p["reason"])
    if t.table == "change_request":
        return [t.fields(on_hold="true", on_hold_reason=reason)]
    if t.table == "incident":
        code = HOLD_REASONS[p.get("hold_reason", "awaiting_caller")]
        return [t.fields(state="3", hold_reason=code), t.note(f"On hold: {reason}")]
    raise ActionRefused(f"hold applies to incidents and changes, not {t.table}")


def block(t: Target, p: Mapping[str, Any]) -> list[Step]:
    if t.table != "change_request":
        raise ActionRefused("block holds a change; use servicenow.hold for an incident")
    return hold(t, p)


def cancel(t: Target, p: Mapping[str, Any]) -> list[Step]:
    if t.table not in CANCELED:
        raise ActionRefused(f"cancel does not apply to {t.table}")
    return [t.fields(state=CANCELED[t.table]), t.note(f"Canceled: {p['reason']}")]


def set_state(t: Target, p: Mapping[str, Any]) -> list[Step]:
    wanted = str(p["state"])
    codes = [code for code, name in t.tables.states.get(t.table, {}).items()
             if name == wanted and code.lstrip("-").isdigit()]
    if not codes:
        raise ActionRefused(f"no {t.table} state maps to {wanted!r} in profile "
                            f"{t.tables.profile!r}")
    return [t.fields(state=codes[0])]


def set_conflict_status(t: Target, p: Mapping[str, Any]) -> list[Step]:
    if t.table != "change_request":
        raise ActionRefused("conflict status exists on changes only")
    return [t.fields(conflict_status=str(p["status"]))]


def notify(t: Target, p: Mapping[str, Any]) -> list[Step]:
    raise NotForServiceNow("notifications are sent by csi-rules, not written to ServiceNow")


HANDLERS: dict[str, Callable[[Target, Mapping[str, Any]], list[Step]]] = {
    "assign": assign, "set_priority": set_priority, "set_field": set_field,
    "comment": comment, "escalate": escalate, "request_approval": request_approval,
    "block": block, "notify": notify,
    "servicenow.set_state": set_state, "servicenow.hold": hold, "servicenow.cancel": cancel,
    "servicenow.set_conflict_status": set_conflict_status,
}
