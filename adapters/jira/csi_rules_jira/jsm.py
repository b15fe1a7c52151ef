"""Jira Service Management: request SLAs, approvals and request types (servicedeskapi).

SLAs are exposed to policies under `raw.sla.<slug of the SLA name>`, for example
`raw.sla.time_to_resolution.remaining_ms`; durations are milliseconds as JSM gives them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote

from csi_rules_jira.timestamps import date_dto
from csi_rules_jira.transport import Transport

BASE = "/rest/servicedeskapi"


def paged(transport: Transport, path: str, limit: int = 50) -> Iterator[dict[str, Any]]:
    """Every value of a servicedeskapi list (`start`/`limit`/`isLastPage`/`values`)."""
    start = 0
    while True:
        page: Any = transport.read(path, {"start": start, "limit": limit}) or {}
        values = page.get("values") or []
        yield from values
        if page.get("isLastPage", True) or not values:
            return
        start += len(values)


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def _millis(duration: Any) -> int | None:
    return int(duration["millis"]) if isinstance(duration, dict) and "millis" in duration else None


def normalize_sla(sla: Mapping[str, Any]) -> dict[str, Any]:
    """One SlaInformationDTO as flat values; the ongoing cycle wins over completed ones."""
    completed = list(sla.get("completedCycles") or ())
    ongoing = sla.get("ongoingCycle")
    current = ongoing or (completed[-1] if completed else {})
    return {
        "id": str(sla.get("id", "")), "name": sla.get("name"),
        "ongoing": ongoing is not None,
        "breached": bool(current.get("breached", False)),
        "paused": bool(ongoing.get("paused", False)) if ongoing else False,
        "within_calendar_hours": bool(ongoing.get("withinCalendarHours", False))
        if ongoing else False,
        "goal_ms": _millis(current.get("goalDuration")),
        "elapsed_ms": _millis(current.get("elapsedTime")),
        "remaining_ms": _millis(current.get("remainingTime")),
        "started_at": date_dto(current.get("startTime")),
        "breach_at": date_dto(current.get("breachTime")),
        "stopped_at": None if ongoing else date_dto(current.get("stopTime")),
        "completed_cycles": len(completed),
        "breached_cycles": sum(1 for c in completed if c.get("breached")),
    }


def request_slas(transport: Transport, key: str) -> dict[str, Any]:
    """`raw.sla` for one request: {slug: normalized SLA}."""
    path = f"{BASE}/request/{quote(key)}/sla"
    out: dict[str, Any] = {}
    for sla in paged(transport, path):
        normalized = normalize_sla(sla)
        out[slug(str(normalized["name"] or normalized["id"]))] = normalized
    return out


def normalize_approval(approval: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": str(approval.get("id", "")), "name": approval.get("name"),
        "final_decision": approval.get("finalDecision"),
        "can_answer": bool(approval.get("canAnswerApproval", False)),
        "approvers": [
            {"id": (a.get("approver") or {}).get("accountId")
                   or (a.get("approver") or {}).get("name"),
             "decision": a.get("approverDecision")}
            for a in approval.get("approvers") or ()
        ],
        "created_at": date_dto(approval.get("createdDate")),
        "completed_at": date_dto(approval.get("completedDate")),
    }


def request_approvals(transport: Transport, key: str) -> list[dict[str, Any]]:
    return [normalize_approval(a)
            for a in paged(transport, f"{BASE}/request/{quote(key)}/approval")]


def answer_approval(transport: Transport, key: str, approval_id: str, decision: str) -> Any:
    """POST the decision ('approve' | 'decline'); JSM answers 409 when it is already decided."""
    return transport.write("POST", f"{BASE}/request/{quote(key)}/approval/{quote(approval_id)}",
                           {"decision": decision})


class RequestTypes:
    """Request type id → {name, practice}, read once per service desk."""

    def __init__(self, transport: Transport):
        self._transport = transport
        self._by_desk: dict[str, dict[str, dict[str, Any]]] = {}

    def lookup(self, service_desk_id: str, request_type_id: str) -> dict[str, Any] | None:
        desk = self._by_desk.get(service_desk_id)
        if desk is None:
            desk = {str(rt.get("id")): {"id": str(rt.get("id")), "name": rt.get("name"),
                                        "practice": rt.get("practice")}
                    for rt in paged(self._transport,
                                    f"{BASE}/servicedesk/{quote(service_desk_id)}/requesttype")}
            self._by_desk[service_desk_id] = desk
        return desk.get(request_type_id)

    def for_issue(self, key: str, field_value: Any) -> dict[str, Any] | None:
        """From the request-type custom field when mapped, else from GET /request/{key}."""
        if isinstance(field_value, dict) and isinstance(field_value.get("requestType"), dict):
            rt = field_value["requestType"]
            desk, rt_id = str(rt.get("serviceDeskId", "")), str(rt.get("id", ""))
        else:
            req: Any = self._transport.read(f"{BASE}/request/{quote(key)}") or {}
            desk, rt_id = str(req.get("serviceDeskId", "")), str(req.get("requestTypeId", ""))
        if not desk or not rt_id:
            return None
        return self.lookup(desk, rt_id)
