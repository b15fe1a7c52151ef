"""Clocks the runner is handed: the wall clock (chosen by the CLI) or a manual one (tests, replay).

The runner never reads the time on its own; it asks its clock, and it waits through its clock,
so a test can move time forward by hours and watch SLA wake-ups fire without sleeping.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Protocol

from csi_rules.clock import system_now


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware."""
        ...

    def wait(self, stop: threading.Event, seconds: float) -> bool:
        """Wait up to `seconds` or until `stop` is set; True when `stop` was set."""
        ...


class SystemClock:
    """The wall clock; constructed at the CLI boundary and passed down."""

    def now(self) -> datetime:
        return system_now()

    def wait(self, stop: threading.Event, seconds: float) -> bool:
        return stop.wait(max(0.0, seconds))


class ManualClock:
    """A clock that moves only when told to; `wait` advances it instead of sleeping."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("ManualClock needs a timezone-aware start")
        self.moment = start
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self.moment

    def advance(self, seconds: float) -> datetime:
        with self._lock:
            self.moment += timedelta(seconds=seconds)
            return self.moment

    def set(self, moment: datetime) -> None:
        with self._lock:
            self.moment = moment

    def wait(self, stop: threading.Event, seconds: float) -> bool:
        if stop.is_set():
            return True
        self.advance(seconds)
        return stop.is_set()
