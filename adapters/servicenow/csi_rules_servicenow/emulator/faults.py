"""Fault injection: error storms, slow answers, dropped connections, a hibernating instance.

A fault matches by method and path prefix and fires `times` times. `when="after"` faults act
after the request was processed, which is how a write can land although the client saw a
timeout or a dropped connection: the case idempotent writes exist for.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Literal

FaultKind = Literal["status", "latency", "drop", "html"]

HIBERNATING_PAGE = (
    "<html><head><title>Instance Hibernating page</title></head><body>"
    "<p>Your instance is hibernating. Sign in to wake it up.</p></body></html>"
)


@dataclass
class Fault:
    kind: FaultKind
    times: int = 1
    method: str = ""  # "" = any method
    path: str = ""  # path prefix, "" = any path
    status: int = 503
    seconds: float = 0.0
    when: Literal["before", "after"] = "before"
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, method: str, path: str) -> bool:
        return (not self.method or self.method == method) and path.startswith(self.path)


class FaultPlan:
    """Faults waiting to fire, first match first; `fired` counts what happened."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.fired: list[Fault] = []

    def add(self, kind: FaultKind, **options: object) -> Fault:
        fault = Fault(kind, **options)  # type: ignore[arg-type]  # options mirror Fault's fields
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    self.fired.append(fault)
                    return fault
        return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
