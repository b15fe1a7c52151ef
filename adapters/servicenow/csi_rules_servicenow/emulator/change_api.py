"""The Change Management API (`/api/sn_chg_rest/[v1/]change/...`) over the Table API's store.

From change-management-api.md: create normal and emergency changes ("state" always -5 New) and
standard changes from a standard change template (`std_change_record_producer`, whose
`template` holds the field values as an encoded query and whose `current_version` is the
`std_change_producer_version` the change records; only the template's own fields may be
given, less description and the three plans: the rest is ignored, as the doc lists); GET /
PATCH / DELETE a change (any type, or typed paths); lists with `sysparm_query`, key-value
filters, `order`, `sysparm_limit` (500) and `sysparm_offset`; PATCH .../approvals (the current
user's approval row: approved, or rejected with comments; 400 when the user has none); change
tasks; conflict detection (POST runs it at once, GET reads the last run, DELETE has nothing to
cancel); the scheduling endpoints (change_schedule_api.py); nextstates (change_states.py).
Field values come from query parameters and the JSON body (the body wins, as the PATCH doc
says); fields that do not exist or are the platform's own come back in `__meta.ignoredFields`.
Roles: GET itil, sn_change_read or change_manager; POST/PATCH itil or change_manager; DELETE
change_manager (admin passes all).

Where the doc disagrees with itself the GET example wins: single records answer
`{"result": {...}}` (the POST examples, hand-written, show a one-element list), every field a
{value, display_value} pair (change_render.py). The approvals doc names PATCH and its example
uses POST: both are accepted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs

from csi_rules_servicenow.emulator import change_conflicts, change_schedule, change_states
from csi_rules_servicenow.emulator.call import Answer, Call
from csi_rules_servicenow.emulator.change_model import CHANGE
from csi_rules_servicenow.emulator.change_render import render_change
from csi_rules_servicenow.emulator.change_schedule_api import ScheduleApi
from csi_rules_servicenow.emulator.input_values import stored_values
from csi_rules_servicenow.emulator.query import parse_query, sort_rows
from csi_rules_servicenow.emulator.render import getter
from csi_rules_servicenow.emulator.rules import DataPolicyError, user_sys_id
from csi_rules_servicenow.emulator.security import User
from csi_rules_servicenow.emulator.store import SYSTEM_FIELDS, Store
from csi_rules_servicenow.emulator.tables import JOURNAL_FIELDS

ROUTE = re.compile(r"^/api/sn_chg_rest/(?:v\d+/)?change(?:/(.*?))?/?$")
TYPES = ("normal", "emergency", "standard")
TEMPLATE, VERSION, TASK = "std_change_record_producer", "std_change_producer_version", "change_task"
FROM_TEMPLATE_ONLY = ("description", "backout_plan", "test_plan", "implementation_plan")
ROLES = {"GET": ("itil", "sn_change_read", "change_manager"),
         "POST": ("itil", "change_manager"), "PATCH": ("itil", "change_manager"),
         "DELETE": ("change_manager",)}
NOT_FOUND = ("No Record found", "Record doesn't exist or ACL restricts the record retrieval")


def _error(status: int, message: str, detail: str | None = None) -> Answer:
    return status, {}, {"error": {"message": message, "detail": detail}, "status": "failure"}


class ChangeApi:
    def __init__(self, store: Store, base_url: Callable[[], str] = lambda: ""):
        self.store = store
        self.base_url = base_url
        self.workers = change_schedule.Workers(store)
        self.schedule = ScheduleApi(store, self.workers, base_url)

    def handle(self, call: Call, user: User) -> Answer:
        route = ROUTE.match(call.path)
        if route is None:
            return _error(400, "Requested URI does not represent any resource")
        method = "PATCH" if call.method == "PUT" else call.method
        method = "GET" if method == "HEAD" else method
        if method not in ROLES or not user.has_role(*ROLES[method]):
            return _error(403, "Operation Failed", f"{method} needs one of the roles "
                          f"{', '.join(ROLES.get(method, ()))} or admin")
        params = {k: v[0] for k, v in parse_qs(call.query, keep_blank_values=True).items()}
        body: Any = {}
        if call.body and call.body.strip():
            try:
                body = json.loads(call.body)
            except ValueError:
                return _error(400, "Exception while reading request", "The payload is not "
                              "valid JSON.")
            if not isinstance(body, dict):
                return _error(400, "Exception while reading request", "Expected a JSON object")
        parts = [p for p in (route.group(1) or "").split("/") if p]
        return self._route(method, parts, params, body, user)

    # -- routing ---------------------------------------------------------------------------
    def _route(self, method: str, parts: list[str], params: dict[str, str],
               body: dict[str, Any], user: User) -> Answer:
        values = {**{k: v for k, v in params.items() if not k.startswith("sysparm_")
                     and k not in ("order", "encrypted_fields")}, **body}
        if not parts:
            return self._list(CHANGE, "", params, user) if method == "GET" else \
                _error(405, "Method not Supported", f"{method} /change needs a change model")
        head = parts[0]
        if head in ("ci", "worker") and len(parts) >= 2:
            if method != "GET":
                return _error(405, "Method not Supported", method)
            if head == "worker" and len(parts) == 2:
                found = self.workers.get(parts[1])
                return (200, {}, {"result": found}) if found else _error(404, *NOT_FOUND)
            if parts[2:] == ["schedule"]:
                return self.schedule.for_ci(parts[1], params, user)
            return _error(400, "Requested URI does not represent any resource")
        if head == "standard" and len(parts) >= 2 and parts[1] == "template":
            if method != "GET":
                return _error(405, "Method not Supported", method)
            if len(parts) == 2:
                return self._list(TEMPLATE, "active=true", params, user)
            return self._one(TEMPLATE, parts[2], user)
        if head in TYPES:
            if len(parts) == 1:
                if method == "GET":
                    return self._list(CHANGE, f"type={head}", params, user)
                if method == "POST" and head != "standard":
                    return self._create(head, values, user)
                return _error(405, "Method not Supported", f"{method} /change/{head}")
            if head == "standard" and method == "POST" and len(parts) == 2:
                return self._from_template(parts[1], values, user)
            return self._change(method, parts[1], parts[2:], values, params, user, head)
        return self._change(method, head, parts[1:], values, params, user, None)

    def _change(self, method: str, sys_id: str, rest: list[str], values: dict[str, Any],
                params: dict[str, str], user: User, kind: str | None) -> Answer:
        row = self.store.get(CHANGE, sys_id)
        if row is None or (kind is not None and row.get("type") != kind):
            return _error(404, *NOT_FOUND)
        if not rest:
            if method == "GET":
                return self._one(CHANGE, sys_id, user)
            if method == "PATCH":
                encrypted = body_or_param(values, params, "encrypted_fields")
                fields = {k: v for k, v in values.items() if k != "encrypted_fields"}
                return self._update(CHANGE, sys_id, fields, encrypted, user)
            if method == "DELETE":
                self.store.delete(CHANGE, sys_id)
                return 204, {}, None
        elif rest == ["approvals"] and method in ("PATCH", "POST"):
            return self._approve(row, values, user)
        elif rest[0] == "task":
            return self._tasks(method, row, rest[1:], values, params, user)
        elif rest == ["conflict"]:
            return self._conflict(method, row, user)
        elif rest == ["nextstates"] and method == "GET":
            labels = self.store.choices.get(CHANGE, {}).get("state", {})
            return 200, {}, {"result": change_states.next_states(row, labels)}
        elif rest == ["schedule"] and method == "GET":
            return self.schedule.for_change(row, user)
        elif rest == ["schedule", "first_available"] and method == "PATCH":
            return self.schedule.first_available(row, values, user)
        return _error(405, "Method not Supported", f"{method} on this resource")

    # -- changes ---------------------------------------------------------------------------
    def _accepted(self, table: str, values: Mapping[str, Any],
                  refused: tuple[str, ...] = ()) -> tuple[dict[str, Any], list[str]]:
        known = self.store.columns(table)
        kept: dict[str, Any] = {}
        ignored: list[str] = []
        for name, value in values.items():
            if name in refused or name in SYSTEM_FIELDS or name == "number" or (
                    known and name not in known and name not in JOURNAL_FIELDS):
                ignored.append(name)
            else:
                kept[name] = value
        return kept, ignored

    def _create(self, kind: str, values: Mapping[str, Any], user: User) -> Answer:
        kept, ignored = self._accepted(CHANGE, values, refused=("type", "state"))
        return self._insert(CHANGE, {**kept, "type": kind, "state": "-5"}, ignored, user)

    def _from_template(self, template_id: str, values: Mapping[str, Any], user: User) -> Answer:
        template = self.store.get(TEMPLATE, template_id)
        if template is None or template.get("active", "true") != "true":
            return _error(404, *NOT_FOUND)
        fields = dict(p.split("=", 1) for p in template.get("template", "").split("^")
                      if "=" in p)
        outside = tuple(n for n in values if n not in fields)  # "do not exist in the template"
        kept, ignored = self._accepted(CHANGE, values,
                                       refused=("type", "state", *FROM_TEMPLATE_ONLY, *outside))
        row = {**fields, **kept, "type": "standard", "state": "-5",
               "std_change_producer_version": template.get("current_version", "")}
        return self._insert(CHANGE, row, ignored, user)

    def _insert(self, table: str, values: Mapping[str, Any], ignored: list[str],
                user: User) -> Answer:
        try:
            row = self.store.insert(table, values, user.user_name)
        except DataPolicyError as exc:
            return _error(403, "Operation Failed", exc.detail)
        with self.store.lock:
            return 200, {}, {"result": render_change(self.store, table, row, user.time_zone,
                                                     ignored)}

    def _update(self, table: str, sys_id: str, values: Mapping[str, Any], encrypted: str,
                user: User) -> Answer:
        kept, ignored = self._accepted(table, values)
        shown = {n for n in encrypted.split(",") if n.strip()}
        if shown:  # setDisplayValue(): display values for these fields
            with self.store.lock:
                kept.update(stored_values(self.store, table,
                                          {k: v for k, v in kept.items() if k in shown},
                                          user.time_zone))
        try:
            row = self.store.update(table, sys_id, kept, user.user_name)
        except DataPolicyError as exc:
            return _error(403, "Operation Failed", exc.detail)
        if row is None:
            return _error(404, *NOT_FOUND)
        with self.store.lock:
            return 200, {}, {"result": render_change(self.store, table, row, user.time_zone,
                                                     ignored)}

    def _one(self, table: str, sys_id: str, user: User) -> Answer:
        with self.store.lock:
            row = self.store.get(table, sys_id)
            if row is None:
                return _error(404, *NOT_FOUND)
            return 200, {}, {"result": render_change(self.store, table, row, user.time_zone)}

    def _list(self, table: str, base: str, params: dict[str, str], user: User) -> Answer:
        filters = [f"{k}={v}" for k, v in params.items()
                   if not k.startswith("sysparm_") and k not in ("order", "api_version")]
        text = "^".join(p for p in (base, params.get("sysparm_query", ""), *filters) if p)
        query = parse_query(text, now=self.store.clock())
        try:
            limit = max(1, int(params.get("sysparm_limit", "500")))
            offset = int(params.get("sysparm_offset", "0"))
        except ValueError:
            return _error(400, "Invalid paging parameter", "sysparm_limit and sysparm_offset "
                          "must be whole numbers")
        if offset < 0:
            return _error(400, "Invalid paging parameter", "sysparm_offset must not be negative")
        with self.store.lock:
            rows = [r for r in self.store.rows(table) if query.matches(getter(self.store, r))]
            order = [(params["order"], False)] if params.get("order") else query.order_by
            if order:
                rows = sort_rows(rows, order, lambda r: getter(self.store, r))
            page = [render_change(self.store, table, r, user.time_zone)
                    for r in rows[offset:offset + limit]]
        return 200, {"X-Total-Count": str(len(rows))}, {"result": page}

    # -- approvals, tasks, conflicts -------------------------------------------------------
    def _approve(self, change: dict[str, str], values: Mapping[str, Any], user: User) -> Answer:
        state = str(values.get("state", ""))
        if state not in ("approved", "rejected"):
            return _error(400, "Invalid approval state", "state must be approved or rejected")
        if state == "rejected" and not str(values.get("comments", "")).strip():
            return _error(400, "Comments are required", "a rejection needs comments")
        me = user_sys_id(self.store, user.user_name)
        mine = [r for r in self.store.rows("sysapproval_approver")
                if r.get("sysapproval") == change["sys_id"] and r.get("state") == "requested"
                and r.get("approver") == me]
        if not mine:
            return _error(400, "No approval for the current user", f"{user.user_name} has no "
                          f"requested approval on {change.get('number', change['sys_id'])}")
        update: dict[str, Any] = {"state": state}
        if values.get("comments"):
            update["comments"] = values["comments"]
        self.store.update("sysapproval_approver", mine[0]["sys_id"], update, user.user_name)
        return self._one(CHANGE, change["sys_id"], user)

    def _tasks(self, method: str, change: dict[str, str], rest: list[str],
               values: Mapping[str, Any], params: dict[str, str], user: User) -> Answer:
        if not rest:
            if method == "GET":
                return self._list(TASK, f"change_request={change['sys_id']}", params, user)
            if method == "POST":
                kept, ignored = self._accepted(TASK, values)
                return self._insert(TASK, {**kept, "change_request": change["sys_id"],
                                           "parent": change["sys_id"]}, ignored, user)
        else:
            task = self.store.get(TASK, rest[0])
            if task is None or task.get("change_request") != change["sys_id"]:
                return _error(404, *NOT_FOUND)
            if method == "GET":
                return self._one(TASK, rest[0], user)
            if method == "PATCH":
                return self._update(TASK, rest[0], values, "", user)
            if method == "DELETE":
                self.store.delete(TASK, rest[0])
                return 204, {}, None
        return _error(405, "Method not Supported", f"{method} on change tasks")

    def _conflict(self, method: str, change: dict[str, str], user: User) -> Answer:
        if method == "POST":
            change_conflicts.detect(self.store, change, user.user_name)
            return 200, {}, {"result": self.store.new_sys_id()}  # the worker's sys_id
        if method == "DELETE":
            return 200, {}, None  # detection runs synchronously: nothing left to cancel
        if method != "GET":
            return _error(405, "Method not Supported", method)
        with self.store.lock:
            rows = [r for r in self.store.rows(change_conflicts.TABLE)
                    if r.get("change") == change["sys_id"]]
            ran = change.get("conflict_last_run", "")
            return 200, {}, {"result": {
                # the doc: "Even if the change request does not have any conflicts, this
                # field is set to 'Conflict'"; "Not Run" before the first run
                "status": "Conflict" if ran else "Not Run", "last_run": ran,
                "record_count": "1" if ran else "0", "job_status": "2" if ran else "",
                "conflicts": [render_change(self.store, change_conflicts.TABLE, r,
                                            user.time_zone) for r in rows]}}


def body_or_param(values: Mapping[str, Any], params: Mapping[str, str], name: str) -> str:
    value = values.get(name, params.get(name, ""))
    return value if isinstance(value, str) else ""

