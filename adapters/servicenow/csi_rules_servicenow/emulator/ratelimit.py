"""Inbound REST rate limiting as documented (inbound-REST-API-rate-limiting.md).

Rules count requests per user per clock hour. When a rule matches, every response carries
X-RateLimit-Limit, X-RateLimit-Reset (UNIX time of the next window) and X-RateLimit-Rule
(the rule's sys_id); a denied request gets 429, Retry-After (seconds) and the documented body.
A single-user rule overrides an all-users rule, as the docs' priority order says.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class RateLimitRule:
    limit: int
    sys_id: str = "5a4f0fd0c3a31010e6a4f0a0b0c0d0e1"
    user_name: str = ""  # "" = all users


def rate_limit_body(limit: int) -> dict[str, Any]:
    return {"error": {"message": "Rate limit exceeded",
                      "detail": f"Rate limit of {limit} requests per hour for Table API exceeded"},
            "status": "failure"}


class RateLimiter:
    def __init__(self, clock: Callable[[], float], rules: list[RateLimitRule] | None = None):
        self.clock = clock
        self.rules = list(rules or [])
        self._counts: Counter[tuple[str, str, int]] = Counter()
        self._lock = threading.Lock()

    def check(self, user_name: str) -> tuple[bool, dict[str, str]]:
        """(allowed, headers to add); no headers when no rule matches, as on real instances."""
        rule = self._rule_for(user_name)
        if rule is None:
            return True, {}
        now = self.clock()
        window = int(now // 3600)
        reset = (window + 1) * 3600
        headers = {"X-RateLimit-Limit": str(rule.limit), "X-RateLimit-Reset": str(reset),
                   "X-RateLimit-Rule": rule.sys_id}
        with self._lock:
            key = (rule.sys_id, user_name, window)
            if self._counts[key] >= rule.limit:
                headers["Retry-After"] = str(max(1, math.ceil(reset - now)))
                return False, headers
            self._counts[key] += 1
        return True, headers

    def _rule_for(self, user_name: str) -> RateLimitRule | None:
        personal = [r for r in self.rules if r.user_name == user_name]
        shared = [r for r in self.rules if not r.user_name]
        chosen = personal or shared
        return min(chosen, key=lambda r: r.limit) if chosen else None
