"""Attachment API: list, upload (`POST /file`, multipart `POST /upload`), metadata, content
(`GET /{id}/file`), delete, as c_AttachmentAPI.md (ServiceNow/ServiceNowDocs) documents them.

Routes `/api/now/[v1/]attachment[/file | /upload | /{sys_id} | /{sys_id}/file]`. Metadata rows live in
the `sys_attachment` table (so `sysparm_query`, paging and `X-Total-Count` work as on the
Table API) with the fields the Attachment API answers: file_name, content_type, size_bytes,
size_compressed, compressed, table_name, table_sys_id, hash (SHA-256), image_width/height,
average_image_color, sys_* fields, plus `download_link`. `GET /{id}/file` answers the bytes
with the stored Content-Type and an `X-Attachment-Metadata` header (the metadata as JSON).
`/file` takes `table_name`, `table_sys_id` and `file_name` as query parameters and the raw
body; `/upload` takes `table_name` and `table_sys_id` as form fields and the file, with its
name and Content-Type, in the last part. A missing value is 400, a record that does not exist
404 (the documented codes; the wording is *unverified*).
"""

from __future__ import annotations

import hashlib
import json
import re
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from csi_rules_servicenow.emulator.security import User
from csi_rules_servicenow.emulator.store import Store, format_time
from csi_rules_servicenow.emulator.table_api import NOT_FOUND, TableApi, TableRequest

ROUTE = re.compile(r"^/api/now/(?:v1/)?attachment(?:/([A-Za-z0-9_]+))?(/file)?/?$")
TABLE = "sys_attachment"
Answer = tuple[int, dict[str, str], Any]


def _error(message: str, detail: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "detail": detail}, "status": "failure"}


class AttachmentApi:
    def __init__(self, store: Store, table_api: TableApi):
        self.store = store
        self.table_api = table_api
        self.content: dict[str, bytes] = {}
        store.load(TABLE, [])  # the table exists, empty, from the start

    def handle(self, method: str, sys_id: str | None, file: bool,
               params: dict[str, list[str]], body: bytes, content_type: str, user: User,
               base_url: str) -> Answer:
        if sys_id == "file" and not file:  # /attachment/file
            sys_id, file = None, True
        if sys_id is None and file and method == "POST":
            values = {name: params.get(name, [""])[0]
                      for name in ("table_name", "table_sys_id", "file_name")}
            return self._upload(values, body, content_type, user, base_url)
        if sys_id == "upload" and not file and method == "POST":
            form = _multipart(body, content_type)
            if form is None:
                return 400, {}, _error("Bad Request", "A multipart/form-data body is required")
            values, content, part_type = form
            return self._upload(values, content, part_type, user, base_url)
        if sys_id is None and not file and method in ("GET", "HEAD"):
            return self._list(params, user, base_url)
        if sys_id is not None:
            row = self.store.get(TABLE, sys_id)
            if row is None:
                return 404, {}, _error(*NOT_FOUND)
            if method in ("GET", "HEAD"):
                meta = self._meta(row, base_url)
                if file:
                    headers = {"Content-Type": row.get("content_type") or
                               "application/octet-stream",
                               "X-Attachment-Metadata": json.dumps(meta)}
                    return 200, headers, self.content.get(sys_id, b"")
                return 200, {}, {"result": meta}
            if method == "DELETE" and not file:
                self.store.delete(TABLE, sys_id)
                self.content.pop(sys_id, None)
                return 204, {}, None
        return 405, {}, _error("Method not Supported", f"{method} is not supported here")

    def _list(self, params: dict[str, list[str]], user: User, base_url: str) -> Answer:
        request = TableRequest(method="GET", version="", table=TABLE, sys_id=None,
                               params=params, body=None, user=user, base_url=base_url)
        status, headers, payload = self.table_api.handle(request)
        headers.pop("Link", None)  # the Attachment API pages without a Link header (pk)
        if status == 200:
            for item in payload["result"]:
                if "sys_id" in item:
                    sys_id = item["sys_id"]
                    sys_id = sys_id.get("value", "") if isinstance(sys_id, dict) else sys_id
                    item["download_link"] = self._link(base_url, str(sys_id))
        return status, headers, payload

    def _upload(self, values: dict[str, str], body: bytes, content_type: str,
                user: User, base_url: str) -> Answer:
        missing = [name for name, value in values.items() if not value]
        if missing:
            return 400, {}, _error(f"Missing parameter: {missing[0]}", None)
        if self.store.get(values["table_name"], values["table_sys_id"]) is None:
            return 404, {}, _error("Record not found",
                                   f"{values['table_name']} {values['table_sys_id']} "
                                   "does not exist")
        now = format_time(self.store.clock())
        sys_id = self.store.new_sys_id()
        size = str(len(body))
        self.store.load(TABLE, [{
            **values, "sys_id": sys_id,
            "content_type": content_type.split(";")[0].strip() or "application/octet-stream",
            "size_bytes": size, "size_compressed": size, "compressed": "false",
            "hash": hashlib.sha256(body).hexdigest(), "state": "available",
            "image_width": "", "image_height": "", "average_image_color": "", "sys_tags": "",
            "sys_created_on": now, "sys_created_by": user.user_name, "sys_updated_on": now,
            "sys_updated_by": user.user_name,
        }])
        self.content[sys_id] = body
        row = self.store.get(TABLE, sys_id) or {}
        location = f"{base_url}/api/now/v1/attachment/{sys_id}"
        return 201, {"Location": location}, {"result": self._meta(row, base_url)}

    def _meta(self, row: dict[str, str], base_url: str) -> dict[str, Any]:
        return {**row, "download_link": self._link(base_url, row["sys_id"])}

    @staticmethod
    def _link(base_url: str, sys_id: str) -> str:
        return f"{base_url}/api/now/v1/attachment/{sys_id}/file"


def _multipart(body: bytes, content_type: str) -> tuple[dict[str, str], bytes, str] | None:
    """(table_name, table_sys_id, file_name; the file's bytes; its Content-Type) from a
    multipart/form-data body: form fields first, the file in the last part."""
    if not content_type.lower().startswith("multipart/form-data"):
        return None
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
    if not message.is_multipart():
        return None
    parts = [part for part in message.walk() if not part.is_multipart()]
    if not parts:
        return None
    fields = {str(p.get_param("name", header="content-disposition") or ""):
              _payload(p).decode("utf-8", "replace") for p in parts[:-1]}
    last = parts[-1]
    values = {"table_name": fields.get("table_name", ""),
              "table_sys_id": fields.get("table_sys_id", ""),
              "file_name": last.get_filename() or ""}
    return values, _payload(last), last.get_content_type()


def _payload(part: Message) -> bytes:
    content = part.get_payload(decode=True)
    return content if isinstance(content, bytes) else b""
