"""A pipeline's change on ServiceNow over the Table API: open, record the deployment, close.

States are written as the platform's codes for the record contract's change states (Normal,
Standard and Emergency change models: New -5, Assess -4, Authorize -3, Scheduled -2,
Implement -1, Review 0, Closed 3, Canceled 4). Opening is idempotent through the task's own
`correlation_id` column, set to the pipeline's run id: a retried job finds the change it opened.
Writes are never blindly retried (STYLE: made idempotent instead): `open` looks before it writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csi_rules.change.lifecycle import ChangeRequest, CloseCode, Deployment, OpenedChange
from csi_rules.errors import RecordNotFound, UsageError
from csi_rules_servicenow.client import TableClient
from csi_rules_servicenow.errors import SYSTEM
from csi_rules_servicenow.mapping import RISKS
from csi_rules_servicenow.timefmt import format_time

TABLE = "change_request"
STATE_CODES = {"new": "-5", "assess": "-4", "authorize": "-3", "scheduled": "-2",
               "implement": "-1", "review": "0", "closed": "3", "canceled": "4"}
RISK_CODES = {name: code for code, name in RISKS.items()}
CORRELATION_DISPLAY = "csi-rules"


def query_safe(value: str, what: str) -> str:
    if "^" in value or "," in value or "\n" in value:
        raise UsageError(f"{what} {value!r} holds a character ServiceNow queries cannot carry")
    return value


def find_change(client: TableClient, change_id: str) -> dict[str, Any]:
    """The change_request row for a sys_id or number (CHG...)."""
    column = "number" if change_id.upper().startswith("CHG") else "sys_id"
    rows, _ = client.list(TABLE, {"sysparm_query": f"{column}={query_safe(change_id, 'change id')}",
                                  "sysparm_fields": "sys_id,number,state,approval",
                                  "sysparm_limit": "1"})
    if not rows:
        raise RecordNotFound(f"ServiceNow has no change request {change_id}", system=SYSTEM,
                             status=404)
    return rows[0]


def _lookup(client: TableClient, table: str, name: str) -> str:
    """sys_id of the one row of `table` named `name` (a group or a CI)."""
    rows, _ = client.list(table, {"sysparm_query": f"name={query_safe(name, 'name')}",
                                  "sysparm_fields": "sys_id", "sysparm_limit": "2"})
    if len(rows) != 1:
        found = "no" if not rows else "more than one"
        raise UsageError(f"ServiceNow has {found} {table} row named {name!r}")
    return str(rows[0]["sys_id"])


def open_change(client: TableClient, request: ChangeRequest) -> OpenedChange:
    """The run's change: the one already opened for `request.run_id`, or a new one."""
    run_id = query_safe(request.run_id, "run id")
    rows, _ = client.list(TABLE, {"sysparm_query": f"correlation_id={run_id}^ORDERBYsys_created_on",
                                  "sysparm_fields": "sys_id,number", "sysparm_limit": "1"})
    if rows:
        return OpenedChange(str(rows[0]["sys_id"]), str(rows[0]["number"]), created=False)
    row = client.insert(TABLE, _body(client, request))
    return OpenedChange(str(row.get("sys_id", "")), str(row.get("number", "")), created=True)


def _body(client: TableClient, request: ChangeRequest) -> dict[str, Any]:
    body = {"type": request.change_type, **request_fields(client, request)}
    if request.change_type == "standard":
        body["state"] = STATE_CODES["scheduled"]  # pre-approved: no authorisation step
        body["approval"] = "approved"
    else:
        body["state"] = STATE_CODES["assess"]
        body["approval"] = "requested"
    return body


def request_fields(client: TableClient, request: ChangeRequest) -> dict[str, Any]:
    """The change's columns from the request (both APIs write these), groups and CIs as sys_ids."""
    f = request.fields
    body: dict[str, Any] = {"short_description": request.short_description,
                            "correlation_id": request.run_id,
                            "correlation_display": CORRELATION_DISPLAY}
    for name in ("description", "implementation_plan", "backout_plan", "test_plan"):
        if f.get(name):
            body[name] = f[name]
    for name, column in (("planned_start", "start_date"), ("planned_end", "end_date")):
        if isinstance(f.get(name), datetime):
            body[column] = format_time(f[name])
    if f.get("risk"):
        body["risk"] = RISK_CODES[f["risk"]]
    if f.get("assignment_group"):
        body["assignment_group"] = _lookup(client, "sys_user_group", f["assignment_group"])
    cis = f.get("configuration_items") or []
    if cis:
        body["cmdb_ci"] = _lookup(client, "cmdb_ci", cis[0])  # the Table API holds one CI
    if f.get("model"):
        body["description"] = (body.get("description", "") +
                               f"\nChange model: {f['model']}").strip()
    return body


def deployment_fields(deployment: Deployment) -> dict[str, Any]:
    """Work note with the links; started -> Implement with work_start, done -> Review."""
    at = format_time(deployment.at)
    body: dict[str, Any] = {"work_notes": deployment.note()}
    if deployment.phase == "started":
        body.update(state=STATE_CODES["implement"], work_start=at)
    else:
        body.update(state=STATE_CODES["review"], work_end=at)
    return body


def record_deployment(client: TableClient, change_id: str, deployment: Deployment) -> str:
    row = find_change(client, change_id)
    client.update(TABLE, str(row["sys_id"]), deployment_fields(deployment))
    return str(row["number"])


def close_change(client: TableClient, change_id: str, code: CloseCode, notes: str,
                 at: datetime) -> str:
    """Closed with the close code (successful, successful_issues, unsuccessful) and notes."""
    row = find_change(client, change_id)
    client.update(TABLE, str(row["sys_id"]), {
        "state": STATE_CODES["closed"], "close_code": code,
        "close_notes": notes or f"Closed by csi-rules change close at {at.isoformat()}"})
    return str(row["number"])


def schedule_query(start: datetime, end: datetime) -> str:
    """Open changes overlapping [start, end), or with no planned window yet (the gate must
    see those on its CIs to refuse to rule them out)."""
    s, e = format_time(start), format_time(end)
    live = "active=true"
    return (f"{live}^start_date<{e}^end_date>{s}^NQ{live}^start_dateISEMPTY"
            f"^NQ{live}^end_dateISEMPTY")
