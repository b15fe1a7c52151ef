"""One HTTP session per adapter: auth on every call, retries for reads only, typed errors.

Reads (GETs and the POST form of search) are retried on 429/503 and connection failures,
honouring `Retry-After` / `X-RateLimit-Reset`. Writes are sent exactly once: a lost answer is
handled by making every action idempotent, not by sending it again.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import requests

from csi_rules import safe_json  # bounded depth/number size/decoding for answers too
from csi_rules.errors import AdapterAuthError, AdapterUnavailable
from csi_rules_jira.error_mapping import error_from_response
from csi_rules_jira.ratelimit import RETRYABLE_READ_STATUSES, describe_limits, retry_delay
from csi_rules_jira.secrets import Secret

log = logging.getLogger("csi_rules_jira.transport")

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]


class _HeaderAuth(requests.auth.AuthBase):
    """Adds the Authorization header at send time, so it never sits in session.headers."""

    def __init__(self, header: Secret):
        self._header = header

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header.reveal()
        return request

    def __repr__(self) -> str:
        return "_HeaderAuth(***)"


class Transport:
    """HTTP calls against one Jira site; `sleep` and `clock` are injected so tests run fast."""

    def __init__(self, base_url: str, auth_header: Secret, *, sleep: Sleep, clock: Clock,
                 timeout: float = 30.0, max_retries: int = 4, max_retry_delay: float = 60.0,
                 session: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self._session = session or requests.Session()
        self._session.auth = _HeaderAuth(auth_header)
        self._session.headers.update({"Accept": "application/json",
                                      "X-ExperimentalApi": "opt-in"})
        self._sleep = sleep
        self._clock = clock
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_retry_delay = max_retry_delay
        self.calls = 0

    def __repr__(self) -> str:
        return f"Transport({self.base_url!r})"

    def read(self, path: str, params: Mapping[str, Any] | None = None, *,
             method: str = "GET", body: Any = None) -> Any:
        """A call with no side effects: retried on 429/503/connection errors, JSON returned."""
        attempt = 0
        while True:
            try:
                response = self._send(method, path, params, body)
            except AdapterUnavailable:
                if attempt >= self.max_retries:
                    raise
                self._wait(float(2 ** attempt), method, path, "connection failed")
                attempt += 1
                continue
            if response.status_code in RETRYABLE_READ_STATUSES and attempt < self.max_retries:
                delay = retry_delay(response.headers, attempt, self._clock())
                if delay > self.max_retry_delay:
                    raise AdapterUnavailable(
                        f"jira: {method} {path}: HTTP {response.status_code}: asked to wait "
                        f"{delay:.0f} s, more than max_retry_delay {self.max_retry_delay:.0f} s",
                        system="jira", status=response.status_code)
                self._wait(delay, method, path, f"HTTP {response.status_code} "
                           f"{describe_limits(response.headers)}".strip())
                attempt += 1
                continue
            return self._result(method, path, response)

    def write(self, method: str, path: str, body: Any = None,
              params: Mapping[str, Any] | None = None) -> Any:
        """A call that changes the platform: sent once, never retried; JSON (or None) returned."""
        return self._result(method, path, self._send(method, path, params, body))

    def _wait(self, delay: float, method: str, path: str, why: str) -> None:
        log.info("jira: %s %s: %s; retrying in %.1f s", method, path, why, delay)
        self._sleep(delay)

    def _send(self, method: str, path: str, params: Mapping[str, Any] | None,
              body: Any) -> requests.Response:
        self.calls += 1
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json"} if data is not None else None
        try:
            response = self._session.request(method, self.base_url + path, params=params,
                                             data=data, headers=headers, timeout=self.timeout)
        except requests.RequestException as exc:
            raise AdapterUnavailable(f"jira: {method} {path}: cannot reach {self.base_url}: "
                                     f"{type(exc).__name__}", system="jira") from None
        log.debug("jira: %s %s -> %s", method, path, response.status_code)
        return response

    def _result(self, method: str, path: str, response: requests.Response) -> Any:
        if response.headers.get("X-Seraph-LoginReason", "").startswith("AUTHENTICATED_FAILED"):
            raise AdapterAuthError(f"jira: {method} {path}: login failed "
                                   "(X-Seraph-LoginReason)", system="jira", status=401)
        if response.status_code >= 400:
            raise error_from_response(method, path, response.status_code, response.content,
                                      response.reason or "")
        if not response.content:
            return None
        try:
            return safe_json.loads(response.content, "response")
        except ValueError:
            raise AdapterUnavailable(f"jira: {method} {path}: answer is not JSON "
                                     f"(HTTP {response.status_code})", system="jira") from None

    def close(self) -> None:
        self._session.close()
