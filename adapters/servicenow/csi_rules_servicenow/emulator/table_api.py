"""Table API verbs over the store: list (query, paging headers), get, insert, update, delete.

Follows c_TableAPI.md: GET list 200 (v1: 404 when empty), GET one 200/404, POST 201, PATCH/PUT 200
(PUT is a partial update like PATCH), DELETE 204; `X-Total-Count` on every list answer and a
`Link` header (first/prev/next/last) unless `sysparm_suppress_pagination_header=true`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from csi_rules_servicenow.emulator import acl, sla
from csi_rules_servicenow.emulator.input_values import stored_values
from csi_rules_servicenow.emulator.query import parse_query, sort_rows
from csi_rules_servicenow.emulator.render import RenderOptions, getter, render
from csi_rules_servicenow.emulator.rules import DataPolicyError
from csi_rules_servicenow.emulator.security import User
from csi_rules_servicenow.emulator.store import DuplicateKeyError, Store

_DOCUMENT_KEYS = re.compile(r"^documentkey(?:=|IN)(.*)$")
_ROUTE = re.compile(r"^/api/now/(?:(v1|v2)/)?table/([A-Za-z0-9_]+)(?:/([A-Za-z0-9_.-]+))?/?$")
DEFAULT_LIMIT = 10000
NOT_FOUND = ("No Record found", "Record doesn't exist or ACL restricts the record retrieval")

Answer = tuple[int, dict[str, str], Any]


def _error(message: str, detail: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "detail": detail}, "status": "failure"}


@dataclass(frozen=True)
class TableRequest:
    method: str
    version: str  # "", "v1" or "v2"
    table: str
    sys_id: str | None
    params: dict[str, list[str]]
    body: Any
    user: User
    base_url: str
    no_body: bool = False

    def param(self, name: str, default: str = "") -> str:
        values = self.params.get(name)
        return values[0] if values else default

    def flag(self, name: str) -> bool:
        return self.param(name).lower() == "true"


class TableApi:
    def __init__(self, store: Store):
        self.store = store

    @staticmethod
    def route(path: str) -> tuple[str, str, str | None] | None:
        match = _ROUTE.match(path)
        return (match.group(1) or "", match.group(2), match.group(3)) if match else None

    def handle(self, request: TableRequest) -> Answer:
        if not self.store.has_table(request.table):
            return 400, {}, _error(f"Invalid table {request.table}",
                                   f"Table {request.table} does not exist")
        method = request.method
        refused = acl.denied(request.user, method, request.table)
        if refused:
            return 403, {}, _error("Operation Failed", refused)
        if request.table == sla.TABLE and method in ("GET", "HEAD"):
            sla.refresh(self.store, self.store.clock())
        if request.sys_id is None:
            if method in ("GET", "HEAD"):
                return self._list(request)
            if method == "POST":
                return self._insert(request)
        else:
            if method in ("GET", "HEAD"):
                return self._get(request)
            if method in ("PATCH", "PUT"):
                return self._update(request)
            if method == "DELETE":
                return self._delete(request)
        return 405, {}, _error("Method not Supported", f"{method} is not supported here")

    def _options(self, request: TableRequest) -> RenderOptions:
        fields = tuple(f.strip() for f in request.param("sysparm_fields").split(",") if f.strip())
        display = request.param("sysparm_display_value", "false").lower()
        return RenderOptions(base_url=request.base_url, fields=fields,
                             display=display if display in ("true", "all") else "false",
                             exclude_reference_link=request.flag("sysparm_exclude_reference_link"),
                             time_zone=request.user.time_zone)

    def _list(self, request: TableRequest) -> Answer:
        text = request.param("sysparm_query")
        if not text:  # name=value pairs stand in for sysparm_query
            text = "^".join(f"{k}={v[0]}" for k, v in request.params.items()
                            if not k.startswith("sysparm_"))
        candidates, text = self._candidates(request.table, text)
        query = parse_query(text, now=self.store.clock())
        store = self.store
        with store.lock:
            rows = [r for r in candidates if query.matches(getter(store, r))]
            if query.order_by:
                rows = sort_rows(rows, query.order_by, lambda r: getter(store, r))
            try:
                limit = max(1, int(request.param("sysparm_limit", str(DEFAULT_LIMIT))))
                offset = max(0, int(request.param("sysparm_offset", "0")))
            except ValueError:
                return 400, {}, _error("Invalid paging parameter", "sysparm_limit and "
                                       "sysparm_offset must be whole numbers")
            page = rows[offset:offset + limit]
            options = self._options(request)
            result = [render(store, request.table, r, options) for r in page]
        if request.version == "v1" and not result:
            return 404, {}, _error(*NOT_FOUND)
        headers = {}
        if not request.flag("sysparm_no_count"):
            headers["X-Total-Count"] = str(len(rows))
        if not request.flag("sysparm_suppress_pagination_header"):
            headers["Link"] = self._links(request, offset, limit, len(rows))
        return 200, headers, {"result": result}

    def _candidates(self, table: str, text: str) -> tuple[list[dict[str, str]], str]:
        """Rows that can match, and the query left to run on them.

        A sys_audit query that ANDs `documentkey=X` / `documentkeyIN...` at top level (no ^OR,
        no ^NQ) can only match those records' rows: they come from the documentkey index, as
        instances read them, and the rest of the query runs on them (not the whole log).
        """
        if table == "sys_audit":
            parts = text.split("^")
            if not any(p.startswith(("OR", "NQ")) and not p.startswith("ORDERBY") for p in parts):
                for i, part in enumerate(parts):
                    found = _DOCUMENT_KEYS.match(part)
                    if found:
                        rest = "^".join(parts[:i] + parts[i + 1:])
                        return self.store.audit_rows(found.group(1).split(",")), rest
        return self.store.rows(table), text

    def _links(self, request: TableRequest, offset: int, limit: int, total: int) -> str:
        prefix = f"/api/now/{request.version + '/' if request.version else ''}table/{request.table}"
        params = {k: v[0] for k, v in request.params.items()
                  if k not in ("sysparm_offset", "sysparm_limit")}

        def link(at: int, rel: str) -> str:
            query = urlencode({**params, "sysparm_offset": at, "sysparm_limit": limit})
            return f'<{request.base_url}{prefix}?{query}>;rel="{rel}"'

        last = max(0, (total - 1) // limit * limit)
        links = [link(0, "first")]
        if offset > 0:
            links.append(link(max(0, offset - limit), "prev"))
        if offset + limit < total:
            links.append(link(offset + limit, "next"))
        links.append(link(last, "last"))
        return ",".join(links)

    def _get(self, request: TableRequest) -> Answer:
        with self.store.lock:
            row = self.store.get(request.table, request.sys_id or "")
            if row is None:
                return 404, {}, _error(*NOT_FOUND)
            return 200, {}, {"result": render(self.store, request.table, row,
                                              self._options(request))}

    def _insert(self, request: TableRequest) -> Answer:
        body = request.body
        if isinstance(body, list):  # "only the first record is processed"
            body = body[0] if body else {}
        if not isinstance(body, dict):
            return 400, {}, _error("Exception while reading request", "Expected a JSON object")
        try:
            row = self.store.insert(request.table, self._values(request, body),
                                    request.user.user_name)
        except (DataPolicyError, DuplicateKeyError) as exc:
            return 403, {}, _error("Operation Failed", exc.detail)
        location = f"{request.base_url}/api/now/table/{request.table}/{row['sys_id']}"
        if request.no_body:
            return 201, {"Location": location}, None
        with self.store.lock:
            result = render(self.store, request.table, row, self._options(request))
        return 201, {"Location": location}, {"result": result}

    def _values(self, request: TableRequest, body: dict[str, Any]) -> dict[str, Any]:
        if not request.flag("sysparm_input_display_value"):
            return body
        with self.store.lock:
            return stored_values(self.store, request.table, body, request.user.time_zone)

    def _update(self, request: TableRequest) -> Answer:
        if not isinstance(request.body, dict):
            return 400, {}, _error("Exception while reading request", "Expected a JSON object")
        try:
            row = self.store.update(request.table, request.sys_id or "",
                                    self._values(request, request.body), request.user.user_name)
        except DataPolicyError as exc:
            return 403, {}, _error("Operation Failed", exc.detail)
        if row is None:
            return 404, {}, _error(*NOT_FOUND)
        if request.no_body:
            return 200, {}, None
        with self.store.lock:
            return 200, {}, {"result": render(self.store, request.table, row,
                                              self._options(request))}

    def _delete(self, request: TableRequest) -> Answer:
        if not self.store.delete(request.table, request.sys_id or ""):
            return 404, {}, _error(*NOT_FOUND)
        return 204, {}, None
