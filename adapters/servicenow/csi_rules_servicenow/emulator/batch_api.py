"""Batch API: POST /api/now/v1/batch runs each `rest_requests` item as its own call.

batch-api.md: items carry `id`, `method`, `url` (relative, with its query), `headers`
(`[{name, value}]`), a Base64 `body` and `exclude_response_headers`; the answer has the
`batch_request_id`, `serviced_requests` (`id`, Base64 `body`, `status_code`, `status_text`,
`headers`, `execution_time` in ms) and `unserviced_requests` (always empty here: no size or
time limit is reached). Items run in order as the batch's user, each through the same
dispatch as a direct call, so ACLs apply per item. A nested batch item is answered 400.
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from csi_rules_servicenow.emulator.call import Answer, Call, encode
from csi_rules_servicenow.emulator.security import User

BAD_BATCH = ("Exception while reading request", "The batch request is not valid: it needs "
             "rest_requests, each with id, method and url")


def _error(message: str, detail: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "detail": detail}, "status": "failure"}


class BatchApi:
    def __init__(self, answer: Callable[[Call, User], Answer]):
        self.answer = answer

    def handle(self, call: Call, user: User) -> Answer:
        if call.method != "POST":
            return 405, {}, _error("Method not Supported", f"{call.method} is not supported here")
        if "json" not in call.header("content-type"):
            return 415, {}, _error("Unsupported Media Type", call.header("content-type"))
        try:
            document = json.loads(call.body or b"null")
        except ValueError:
            return 400, {}, _error("Exception while reading request", "Invalid JSON")
        items = document.get("rest_requests") if isinstance(document, dict) else None
        if not isinstance(items, list) or not all(
                isinstance(i, dict) and {"id", "method", "url"} <= set(i) for i in items):
            return 400, {}, _error(*BAD_BATCH)
        serviced = [self._one(item, user) for item in items]
        return 200, {}, {"batch_request_id": str(document.get("batch_request_id", "")),
                         "serviced_requests": serviced, "unserviced_requests": []}

    def _one(self, item: dict[str, Any], user: User) -> dict[str, Any]:
        started = time.perf_counter()
        status: int
        out_headers: dict[str, str]
        payload: Any
        url = urlsplit(str(item["url"]))
        headers = {str(h.get("name", "")).lower(): str(h.get("value", ""))
                   for h in item.get("headers") or [] if isinstance(h, dict)}
        try:
            body = base64.b64decode(item.get("body") or "", validate=True)
        except (binascii.Error, ValueError):
            body = None
        if body is None:
            status, out_headers, payload = 400, {}, _error(
                "Exception while reading request", "The body is not valid Base64")
        elif url.path.rstrip("/").endswith("/batch"):
            status, out_headers, payload = 400, {}, _error(
                "Requested URI does not represent any resource", "A batch cannot hold a batch")
        else:
            inner = Call(method=str(item["method"]).upper(), path=url.path, query=url.query,
                         body=body, headers=headers)
            status, out_headers, payload = self.answer(inner, user)
        out_headers, data = encode(out_headers, payload)
        return {
            "id": str(item["id"]),
            "body": base64.b64encode(data).decode("ascii"),
            "status_code": status,
            "status_text": HTTPStatus(status).phrase,
            "headers": [] if item.get("exclude_response_headers") else
            [{"name": k, "value": v} for k, v in out_headers.items()],
            "execution_time": int((time.perf_counter() - started) * 1000),
        }
