"""A pipeline's change over the Change Management API (`change_api: change_management`).

The same lifecycle as changes.py, through the endpoints change-management-api.md defines:
open creates with POST /sn_chg_rest/change/normal or /emergency, or, for a standard change,
POST /sn_chg_rest/change/standard/{template sys_id} from the standard change template `model`
names (by name or sys_id), then PATCHes what the create ignored (the doc: a standard change
takes only its template's fields; its plans stay the template's). Every create answers state
New, so open then moves the change on as the state model asks (normal -> Assess, emergency ->
Authorize: both request approval; standard -> Scheduled, pre-approved) and starts conflict
detection (POST .../conflict), whose `conflict_status` a gate can read. Record and close
PATCH /sn_chg_rest/change/{sys_id}.

Idempotent like the Table API path: the run id goes to `correlation_id` and open looks for it
first; a change a failed job left in New is moved on by the retry instead of opened again.
One gap: a standard change gets its `correlation_id` in the PATCH after the create, so a job
killed between the two leaves a change the retry cannot find (and opens another).
Answers are read in either shape the doc shows (`result` an object or a one-element list;
values as {value, display_value} cells, numbers as JSON numbers or strings).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

import requests

from csi_rules.change.lifecycle import ChangeRequest, CloseCode, Deployment, OpenedChange
from csi_rules.errors import RecordNotFound, UsageError
from csi_rules_servicenow.changes import (
    STATE_CODES,
    deployment_fields,
    query_safe,
    request_fields,
)
from csi_rules_servicenow.client import JSON_HEADERS, TableClient, result_of
from csi_rules_servicenow.errors import SYSTEM, not_json

API = "/api/sn_chg_rest/v1/change"
SYS_ID = re.compile(r"^[0-9a-f]{32}$")
NEXT_STATE = {"normal": "assess", "emergency": "authorize", "standard": "scheduled"}
TEMPLATE_ONLY = ("description", "backout_plan", "test_plan", "implementation_plan")


def value(cell: Any) -> str:
    """A cell's value as the Table API would write it: -5.0 -> "-5", True -> "true"."""
    if isinstance(cell, dict):
        cell = cell.get("value", "")
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return "" if cell is None else str(cell)


class ChangeApiClient:
    """sn_chg_rest calls on the adapter's one session (reads retried, writes sent once)."""

    def __init__(self, client: TableClient):
        self.client = client

    def _url(self, path: str) -> str:
        return f"{self.client.base_url}{API}{path}"

    def _one(self, response: requests.Response, method: str, url: str) -> dict[str, Any]:
        result = result_of(response, method, url)
        if isinstance(result, list) and len(result) == 1:
            result = result[0]
        if not isinstance(result, dict):
            raise not_json(response, method, url)
        return result

    def get_list(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        url = self._url(path)
        response = self.client.transport.read("GET", url, params=params)
        rows = result_of(response, "GET", url)
        if not isinstance(rows, list):
            raise not_json(response, "GET", url)
        return rows

    def write(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = self._url(path)
        response = self.client.transport.write(method, url, json=body or {}, headers=JSON_HEADERS)
        if path.endswith("/conflict"):
            return result_of(response, method, url)
        return self._one(response, method, url)


def _find(api: ChangeApiClient, query: str) -> dict[str, Any] | None:
    rows = api.get_list("", {"sysparm_query": query, "sysparm_limit": "1"})
    return rows[0] if rows else None


def find_change(api: ChangeApiClient, change_id: str) -> dict[str, Any]:
    column = "number" if change_id.upper().startswith("CHG") else "sys_id"
    row = _find(api, f"{column}={query_safe(change_id, 'change id')}")
    if row is None:
        raise RecordNotFound(f"ServiceNow has no change request {change_id}", system=SYSTEM,
                             status=404)
    return row


def _template_id(api: ChangeApiClient, model: str) -> str:
    """The standard change template a model names (its sys_id, or its name)."""
    if SYS_ID.match(model):
        return model
    rows = api.get_list("/standard/template", {"sysparm_query": f"name={query_safe(model, 'model')}",
                                               "sysparm_limit": "2"})
    if len(rows) != 1:
        found = "no" if not rows else "more than one"
        raise UsageError(f"ServiceNow has {found} standard change template named {model!r} "
                         "(--model names a std_change_record_producer)")
    return value(rows[0].get("sys_id"))


def open_change(client: TableClient, request: ChangeRequest) -> OpenedChange:
    """The run's change (found by correlation_id, moved on if a failed job left it in New)."""
    api = ChangeApiClient(client)
    run_id = query_safe(request.run_id, "run id")
    row = _find(api, f"correlation_id={run_id}^ORDERBYsys_created_on")
    created = row is None
    if row is None:
        body = request_fields(client, request)
        if request.change_type == "standard":
            template = _template_id(api, str(request.fields.get("model", "")))
            row = api.write("POST", f"/standard/{quote(template)}", body)
        else:
            row = api.write("POST", f"/{request.change_type}", body)
        row = _set_ignored(api, row, body)
    sys_id, number = value(row.get("sys_id")), value(row.get("number"))
    if value(row.get("state")) == STATE_CODES["new"]:
        kind = value(row.get("type")) or request.change_type
        api.write("PATCH", f"/{quote(sys_id)}",
                  {"state": STATE_CODES[NEXT_STATE.get(kind, "assess")]})
        api.write("POST", f"/{quote(sys_id)}/conflict")
    return OpenedChange(sys_id, number, created=created)


def _set_ignored(api: ChangeApiClient, row: dict[str, Any],
                 body: dict[str, Any]) -> dict[str, Any]:
    """PATCH what the create ignored but the change can hold: a standard change takes only its
    template's fields when created, so the run id, window, CI and group follow at once."""
    meta = row.get("__meta")
    ignored = meta.get("ignoredFields", []) if isinstance(meta, dict) else []
    late = {name: body[name] for name in ignored if name in body and name not in TEMPLATE_ONLY}
    if not late:
        return row
    return api.write("PATCH", f"/{quote(value(row.get('sys_id')))}", late)


def record_deployment(client: TableClient, change_id: str, deployment: Deployment) -> str:
    """As the Table API path writes it (changes.deployment_fields), through sn_chg_rest."""
    api = ChangeApiClient(client)
    row = find_change(api, change_id)
    api.write("PATCH", f"/{quote(value(row.get('sys_id')))}", deployment_fields(deployment))
    return value(row.get("number"))


def close_change(client: TableClient, change_id: str, code: CloseCode, notes: str,
                 at: datetime) -> str:
    api = ChangeApiClient(client)
    row = find_change(api, change_id)
    api.write("PATCH", f"/{quote(value(row.get('sys_id')))}", {
        "state": STATE_CODES["closed"], "close_code": code,
        "close_notes": notes or f"Closed by csi-rules change close at {at.isoformat()}"})
    return value(row.get("number"))
