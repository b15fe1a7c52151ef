"""Turn a matched CAB routing row into approval requests and an explanation of the route."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csi_rules.change.meetings import next_meeting
from csi_rules.policy.model import Action, Policy, Rule
from csi_rules.records.model import Record


def route_actions(rule: Rule) -> tuple[Action, ...]:
    """One approval request per approver group, then the row's own actions."""
    route = rule.extra["route"]
    quorum = route.get("quorum", 1)
    requests = tuple(Action("request_approval", {"group": g, "quorum": quorum})
                     for g in route.get("approvers", ()))
    return requests + rule.actions


def route_details(policy: Policy, rule: Rule, record: Record, now: datetime) -> dict[str, Any]:
    """The route, its model, and the CAB meeting that can still take the change (if any)."""
    route = dict(rule.extra["route"])
    details: dict[str, Any] = {"route": route}
    if "model" in route:
        details["model"] = dict(policy.compiled["models"][route["model"]])
    meeting_id = route.get("meeting")
    if meeting_id:
        meeting = policy.compiled["meetings"][meeting_id]
        start = record.get("planned_start")
        when = next_meeting(meeting, now, start if isinstance(start, datetime) else None)
        details["meeting"] = {"id": meeting_id, "at": when.isoformat() if when else None}
        details["explain"] = (
            f"{route['type']} via {meeting_id} on {when.isoformat()}" if when else
            f"{route['type']}: no {meeting_id} meeting can take it before its planned start "
            "with the minimum lead time: reschedule it or use the emergency CAB")
    else:
        details["explain"] = f"{route['type']} route"
    return details
