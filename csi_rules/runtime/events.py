"""What the runner tells its operator: structured JSON lines, or a progress line on a terminal.

The runner only calls `event(name, **fields)` and `progress(adapter, count)`; the CLI picks
the reporter (a TTY gets the progress bar, anything else one JSON object per line).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TextIO


class Reporter(Protocol):
    def event(self, name: str, **fields: Any) -> None: ...

    def progress(self, adapter: str, count: int) -> None: ...


class NullReporter:
    def event(self, name: str, **fields: Any) -> None:
        pass

    def progress(self, adapter: str, count: int) -> None:
        pass


class MemoryReporter:
    """Keeps events in a list (for tests and for code driving the runner from Python)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def event(self, name: str, **fields: Any) -> None:
        self.events.append({"event": name, **fields})

    def progress(self, adapter: str, count: int) -> None:
        pass

    def named(self, name: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["event"] == name]


class JsonLinesReporter:
    """One JSON object per line: `{"at", "level", "event", ...fields}` (for log shippers)."""

    def __init__(self, stream: TextIO, now: Callable[[], datetime]):
        self.stream, self._now = stream, now
        self._lock = threading.Lock()

    def event(self, name: str, **fields: Any) -> None:
        level = "error" if name.endswith(("error", "rejected", "failed")) else "info"
        line = json.dumps({"at": self._now().isoformat(), "level": level, "event": name,
                           **fields}, default=str)
        with self._lock:
            self.stream.write(line + "\n")
            self.stream.flush()

    def progress(self, adapter: str, count: int) -> None:
        pass  # the sync_done event carries the count; no per-page noise in logs


class TerminalReporter:
    """A live progress line while syncing, and one short line per event."""

    SPIN = "|/-\\"

    def __init__(self, stream: TextIO):
        self.stream = stream
        self._ticks = 0
        self._open = False
        self._lock = threading.Lock()

    def progress(self, adapter: str, count: int) -> None:
        with self._lock:
            self._ticks += 1
            bar = "#" * min(30, count // 50 % 31)
            self.stream.write(f"\r{self.SPIN[self._ticks % 4]} {adapter}: {count} records "
                              f"[{bar:<30}]")
            self.stream.flush()
            self._open = True

    def event(self, name: str, **fields: Any) -> None:
        text = " ".join(f"{k}={v}" for k, v in fields.items())
        with self._lock:
            if self._open:
                self.stream.write("\r\033[K")
                self._open = False
            self.stream.write(f"{name} {text}\n")
            self.stream.flush()
