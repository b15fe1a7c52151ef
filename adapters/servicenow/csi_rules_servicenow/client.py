"""Table API calls: URL building, envelopes, and the JSON checks every answer goes through."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import requests

from csi_rules import safe_json  # bounded depth/number size/decoding for answers too
from csi_rules_servicenow import __version__
from csi_rules_servicenow.auth import make_auth
from csi_rules_servicenow.config import Settings
from csi_rules_servicenow.errors import not_json
from csi_rules_servicenow.transport import RetryPolicy, Transport

JSON_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}


class TableClient:
    """The adapter's only door to the instance: one session, one auth, one retry policy."""

    def __init__(self, settings: Settings, *, clock: Callable[[], float],
                 sleep: Callable[[float], None], session: requests.Session | None = None):
        self.base_url = settings.url
        session = session or requests.Session()
        session.headers.update({"Accept": "application/json",
                                "User-Agent": f"csi-rules-servicenow/{__version__}"})
        session.trust_env = False  # no proxy or .netrc credentials picked up behind our back
        self.transport = Transport(
            session,
            RetryPolicy(settings.max_attempts, settings.backoff_seconds,
                        settings.max_delay_seconds),
            timeout=(settings.connect_timeout, settings.read_timeout), clock=clock, sleep=sleep)
        session.auth = make_auth(settings.credentials, self.base_url,
                                 lambda url, **kw: self.transport.read("POST", url, **kw), clock)

    @property
    def auth(self) -> Any:
        return self.transport.session.auth

    def _url(self, table: str, sys_id: str | None = None) -> str:
        url = f"{self.base_url}/api/now/table/{quote(table)}"
        return f"{url}/{quote(sys_id)}" if sys_id else url

    def list(self, table: str,
             params: Mapping[str, str]) -> tuple[list[dict[str, Any]], int | None]:
        """One page of rows and X-Total-Count (None when the instance did not send it)."""
        url = self._url(table)
        response = self.transport.read("GET", url, params=dict(params))
        rows = result_of(response, "GET", url)
        if not isinstance(rows, list):
            raise not_json(response, "GET", url)
        total = response.headers.get("X-Total-Count")
        return rows, int(total) if total and total.isdigit() else None

    def list_page(self, table: str,
                  params: Mapping[str, str]) -> tuple[list[dict[str, Any]], int | None]:
        """One page of rows and the `sysparm_offset` of the next one from the `Link` header.

        None when there is no `rel="next"` (the last page; or no Link header: then the caller
        falls back to "a short page is the last"). Only the offset is taken from the link: the
        next request goes to our own URL with our own parameters, never to a host it names.
        """
        url = self._url(table)
        response = self.transport.read("GET", url, params=dict(params))
        rows = result_of(response, "GET", url)
        if not isinstance(rows, list):
            raise not_json(response, "GET", url)
        following = response.links.get("next", {}).get("url", "")
        offsets = parse_qs(urlsplit(following).query).get("sysparm_offset", [])
        return rows, int(offsets[0]) if offsets and offsets[0].isdigit() else None

    def get(self, table: str, sys_id: str, params: Mapping[str, str]) -> dict[str, Any]:
        url = self._url(table, sys_id)
        row = result_of(self.transport.read("GET", url, params=dict(params)), "GET", url)
        return row if isinstance(row, dict) else {}

    def insert(self, table: str, body: Mapping[str, Any],
               params: Mapping[str, str] | None = None) -> dict[str, Any]:
        url = self._url(table)
        response = self.transport.write("POST", url, json=dict(body), params=dict(params or {}),
                                        headers=JSON_HEADERS)
        row = result_of(response, "POST", url) if response.content else {}
        return row if isinstance(row, dict) else {}

    def update(self, table: str, sys_id: str, body: Mapping[str, Any],
               params: Mapping[str, str] | None = None) -> dict[str, Any]:
        url = self._url(table, sys_id)
        response = self.transport.write("PATCH", url, json=dict(body), params=dict(params or {}),
                                        headers=JSON_HEADERS)
        row = result_of(response, "PATCH", url) if response.content else {}
        return row if isinstance(row, dict) else {}

    def close(self) -> None:
        self.transport.session.close()

    def __repr__(self) -> str:
        return f"TableClient({self.base_url}, {self.auth!r})"


def result_of(response: requests.Response, method: str, url: str) -> Any:
    """The answer's `result`, or a typed error when it is not the documented envelope (the
    Table API's and the Change Management API's, which share it)."""
    try:
        body = safe_json.loads(response.content, "response")
    except ValueError:
        raise not_json(response, method, url) from None
    if not isinstance(body, dict) or "result" not in body:
        raise not_json(response, method, url)
    return body["result"]
