"""Which API answers an authenticated call, and in which format (JSON, or XML when asked).

APIs: Table (`/api/now/[v1|v2/]table`), Aggregate (`/api/now/[v1/]stats`), Attachment
(`/api/now/[v1/]attachment`), Batch (`/api/now/v1/batch`), Change Management
(`/api/sn_chg_rest/[v1/]change`, change_api.py). `Accept` is negotiated first, as
c_RESTAPI.md lists the formats: application/json (also `*/*`, `application/*` or none) or
application/xml; anything else is 406 (r_RESTAPIHTTPResponseCodes.md). Attachment content is
answered as stored whatever the Accept header. Request bodies are JSON only (an XML body is
415, a difference from the platform).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from csi_rules_servicenow.emulator.attachment_api import ROUTE as ATTACHMENT_ROUTE
from csi_rules_servicenow.emulator.attachment_api import AttachmentApi
from csi_rules_servicenow.emulator.batch_api import BatchApi
from csi_rules_servicenow.emulator.call import Answer, Call
from csi_rules_servicenow.emulator.change_api import ROUTE as CHANGE_ROUTE
from csi_rules_servicenow.emulator.change_api import ChangeApi
from csi_rules_servicenow.emulator.security import User
from csi_rules_servicenow.emulator.stats_api import ROUTE as STATS_ROUTE
from csi_rules_servicenow.emulator.stats_api import StatsApi
from csi_rules_servicenow.emulator.table_api import TableApi, TableRequest
from csi_rules_servicenow.emulator.xml_body import XML_TYPE, to_xml

if TYPE_CHECKING:
    from csi_rules_servicenow.emulator.server import ServiceNowEmulator

BATCH_ROUTE = re.compile(r"^/api/now/v1/batch/?$")
# pk: what a query on a table whose read ACL the user fails answers (403, "ACL failures")
READ_DENIED = ("Insufficient rights to query records",
               "Fields present in the query do not have permission to be read")


def envelope(message: str, detail: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "detail": detail}, "status": "failure"}


def response_format(accept: str) -> str | None:
    """"json", "xml" or None (not acceptable), from the first type of `Accept` we can make."""
    for part in (accept or "application/json").split(","):
        kind = part.split(";")[0].strip().lower()
        if kind in ("application/json", "*/*", "application/*", "") or kind.endswith("+json"):
            return "json"
        if kind in ("application/xml", "text/xml"):
            return "xml"
    return None


class Apis:
    """The authenticated APIs of one emulator; `answer` serves one call."""

    def __init__(self, emulator: ServiceNowEmulator):
        self.emulator = emulator
        self.stats = StatsApi(emulator.store)
        self.attachments = AttachmentApi(emulator.store, emulator.table_api)
        self.batch = BatchApi(self.answer)
        self.changes = ChangeApi(emulator.store, lambda: emulator.url)

    @staticmethod
    def knows(path: str) -> bool:
        return any(r is not None for r in (TableApi.route(path), STATS_ROUTE.match(path),
                                           ATTACHMENT_ROUTE.match(path), BATCH_ROUTE.match(path),
                                           CHANGE_ROUTE.match(path)))

    def answer(self, call: Call, user: User) -> Answer:
        attachment = ATTACHMENT_ROUTE.match(call.path)
        file_content = bool(attachment and attachment.group(2) and call.method in ("GET", "HEAD"))
        form = response_format(call.header("accept"))
        if form is None and not file_content:
            accept = call.header("accept")
            return 406, {}, envelope("Not Acceptable", f"Cannot produce {accept}")
        status, headers, payload = self._route(call, user)
        if form == "xml" and isinstance(payload, dict):
            return status, {**headers, "Content-Type": XML_TYPE}, to_xml(payload)
        return status, headers, payload

    def _route(self, call: Call, user: User) -> Answer:
        params = parse_qs(call.query, keep_blank_values=True)
        base_url = self.emulator.url
        if BATCH_ROUTE.match(call.path):
            return self.batch.handle(call, user)
        if CHANGE_ROUTE.match(call.path):
            return self.changes.handle(call, user)
        stats = STATS_ROUTE.match(call.path)
        if stats:
            if not self.emulator.security.can_read(user.user_name, stats.group(1)):
                return 403, {}, envelope(*READ_DENIED)
            return self.stats.handle(call.method, stats.group(1), params)
        attachment = ATTACHMENT_ROUTE.match(call.path)
        if attachment:
            return self.attachments.handle(call.method, attachment.group(1),
                                           bool(attachment.group(2)), params, call.body,
                                           call.header("content-type"), user, base_url)
        route = TableApi.route(call.path)
        if route is None:
            return 400, {}, envelope("Requested URI does not represent any resource", None)
        return self._table(call, route, params, user)

    def _table(self, call: Call, route: tuple[str, str, str | None],
               params: dict[str, list[str]], user: User) -> Answer:
        document: Any = None
        if call.method in ("POST", "PATCH", "PUT"):
            content_type = call.header("content-type")
            if not content_type:
                return 400, {}, envelope("Content-Type header is required", None)
            if "json" not in content_type:
                return 415, {}, envelope("Unsupported Media Type", content_type)
            try:
                document = json.loads(call.body or b"null")
            except ValueError:
                return 400, {}, envelope("Exception while reading request",
                                         "The payload is not valid JSON.")
        version, table, sys_id = route
        security = self.emulator.security
        if call.method in ("GET", "HEAD") and not security.can_read(user.user_name, table):
            return 403, {}, envelope(*READ_DENIED)
        request = TableRequest(method=call.method, version=version, table=table, sys_id=sys_id,
                               params=params, body=document, user=user,
                               base_url=self.emulator.url,
                               no_body=call.header("x-no-response-body") == "true")
        return self.emulator.table_api.handle(request)
