"""Fault injection and burst rate limiting, decided before a request reaches its handler.

A fault matches a method and a path regex and fires `times` times: it either answers with a
status (429/503/500 ... with the headers Jira sends) or, as `drop_after_apply`, lets the
request change the site and then closes the connection without answering — the lost-answer
case that idempotent writes exist for. `before` runs first (e.g. another user acting just
before this request lands); with `passthrough` the request then proceeds normally.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

RATE_LIMIT_BODY = {"errorMessages": ["Rate limit exceeded."], "errors": {}}


@dataclass
class Fault:
    path: str
    method: str = "*"
    status: int = 429
    times: int = 1
    retry_after: int | None = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    mode: str = "respond"                     # respond | drop_after_apply | passthrough
    before: Callable[[], None] | None = None  # run when the fault fires (to stage a race)
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and re.search(self.path, path) is not None


class Faults:
    """Queued faults plus an optional token bucket per user (`per_second`)."""

    def __init__(self, per_second: float | None = None):
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.per_second = per_second
        self._buckets: dict[str, tuple[float, datetime]] = {}

    def add(self, path: str, **options: Any) -> Fault:
        fault = Fault(path, **options)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.hits < fault.times and fault.matches(method, path):
                    fault.hits += 1
                    return fault
        return None

    def over_limit(self, who: str, now: datetime) -> dict[str, str] | None:
        """Headers for a 429 when `who` exceeded `per_second`, else None (and a token is spent)."""
        if not self.per_second:
            return None
        with self._lock:
            tokens, last = self._buckets.get(who, (self.per_second, now))
            tokens = min(self.per_second, tokens + (now - last).total_seconds() * self.per_second)
            if tokens < 1:
                self._buckets[who] = (tokens, now)
                reset = (now + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%MZ")
                return {"Retry-After": "1", "X-RateLimit-Limit": str(int(self.per_second)),
                        "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset,
                        "X-RateLimit-NearLimit": "true", "RateLimit-Reason": "jira-burst-based"}
            self._buckets[who] = (tokens - 1, now)
        return None


def fault_headers(fault: Fault, now: datetime) -> dict[str, str]:
    headers = dict(fault.headers)
    if fault.retry_after is not None:
        headers.setdefault("Retry-After", str(fault.retry_after))
    if fault.status == 429:
        headers.setdefault("RateLimit-Reason", "jira-burst-based")
        headers.setdefault("X-RateLimit-Reset", (now + timedelta(seconds=fault.retry_after or 1))
                           .strftime("%Y-%m-%dT%H:%MZ"))
    return headers
