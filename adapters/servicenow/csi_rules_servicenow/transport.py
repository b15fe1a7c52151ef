"""One HTTP session per adapter: reads retried with backoff, writes sent once.

Reads (and token grants, which change no record) retry connection failures, timeouts, 429 and
500/502/503/504. The wait honours `Retry-After`, else `X-RateLimit-Reset` (a UNIX time), else
exponential backoff; if the instance asks for longer than `max_delay_seconds` the read fails at
once with the instance's advice rather than sleeping for an hour. Writes are retried only when the
instance says it did not process them (429, or 401 before a token refresh); any other failure
of a write is an `AmbiguousWrite` for the action layer to resolve by reading, never by resending.
`clock` (UNIX seconds) and `sleep` are injected so tests need not wait.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import requests

from csi_rules.errors import AdapterError, AdapterUnavailable
from csi_rules_servicenow.errors import (
    SYSTEM,
    AmbiguousWrite,
    ServiceNowRateLimited,
    error_from_response,
)

log = logging.getLogger("csi_rules_servicenow")
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    backoff_seconds: float = 0.5
    max_delay_seconds: float = 60.0

    def backoff(self, attempt: int) -> float:
        return min(self.max_delay_seconds, self.backoff_seconds * 2 ** (attempt - 1))

    def advised(self, response: requests.Response, now: float) -> float | None:
        """The instance's own wait advice in seconds, if it gave one."""
        value = response.headers.get("Retry-After")
        if value:
            try:
                return max(0.0, float(value))
            except ValueError:
                try:
                    return max(0.0, parsedate_to_datetime(value).timestamp() - now)
                except (TypeError, ValueError):
                    pass
        reset = response.headers.get("X-RateLimit-Reset")
        if reset and response.status_code == 429:
            try:
                return max(0.0, float(reset) - now)
            except ValueError:
                return None
        return None


class Transport:
    def __init__(self, session: requests.Session, policy: RetryPolicy, *,
                 timeout: tuple[float, float], clock: Callable[[], float],
                 sleep: Callable[[float], None]):
        self.session = session
        self.policy = policy
        self.timeout = timeout
        self.clock = clock
        self.sleep = sleep

    def read(self, method: str, url: str, *, refresh_on_401: bool = True,
             **kwargs: Any) -> requests.Response:
        """Send a request that changes nothing, retrying what is worth retrying."""
        path = urlsplit(url).path
        refreshed = not refresh_on_401
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                failure: AdapterError = AdapterUnavailable(
                    f"ServiceNow {method} {path}: {_network_reason(exc)}", system=SYSTEM)
                wait = self.policy.backoff(attempt)
            else:
                if response.status_code == 401 and not refreshed and self._refresh():
                    refreshed = True
                    attempt -= 1
                    continue
                if response.status_code < 400:
                    log.debug("%s %s -> %s", method, path, response.status_code)
                    return response
                failure = error_from_response(response, method, path)
                if response.status_code not in RETRY_STATUSES:
                    raise failure
                advice = self.policy.advised(response, self.clock())
                if advice is not None and advice > self.policy.max_delay_seconds:
                    raise ServiceNowRateLimited(
                        f"{failure}; the instance asks to wait {advice:.0f} s, more than "
                        f"max_delay_seconds={self.policy.max_delay_seconds:g}",
                        retry_after=advice, status=response.status_code)
                wait = advice if advice is not None else self.policy.backoff(attempt)
            if attempt >= self.policy.max_attempts:
                raise failure
            log.warning("%s %s failed (%s); retry %d/%d in %.1f s", method, path, failure,
                        attempt, self.policy.max_attempts - 1, wait)
            self.sleep(wait)

    def write(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        """Send a write once; resend only what the instance says it refused unprocessed."""
        path = urlsplit(url).path
        refreshed = False
        rate_limited = 0
        while True:
            try:
                response = self.session.request(method, url, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise AmbiguousWrite(
                    f"ServiceNow {method} {path}: {_network_reason(exc)}; the write may or may "
                    "not have been applied", system=SYSTEM) from None
            status = response.status_code
            if status < 400:
                log.debug("%s %s -> %s", method, path, status)
                return response
            if status == 401 and not refreshed and self._refresh():
                refreshed = True
                continue
            failure = error_from_response(response, method, path)
            if status == 429 and rate_limited < self.policy.max_attempts - 1:
                advice = self.policy.advised(response, self.clock())
                wait = advice if advice is not None else self.policy.backoff(rate_limited + 1)
                if wait <= self.policy.max_delay_seconds:
                    rate_limited += 1
                    log.warning("%s %s rate limited; retry in %.1f s", method, path, wait)
                    self.sleep(wait)
                    continue
            if status >= 500:
                raise AmbiguousWrite(f"{failure}; the write may or may not have been applied",
                                     system=SYSTEM, status=status)
            raise failure

    def _refresh(self) -> bool:
        refresh = getattr(self.session.auth, "refresh", None)
        return bool(refresh and refresh())


def _network_reason(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return "connection failed or was dropped"
