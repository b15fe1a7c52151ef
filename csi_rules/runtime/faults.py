"""Crash points for testing exactly-once: the runner kills itself (SIGKILL) at a named point.

`CSI_RULES_FAULT=POINT[:N[:DELAY]]` (read by the CLI only): on the N-th time (default 1) the
runner reaches POINT it is killed, with no chance to clean up, like a power cut or the OOM
killer. Points, in the order an action goes through them:

- `before_call`: the ledger says pending, nothing was sent to the platform yet;
- `during_call`: a timer kills the process DELAY seconds (default 0.3) into the platform call,
  so the write may have landed while its answer is lost;
- `after_call`: the platform answered, the ledger was not updated yet;
- `before_log`: every action settled, the audit entry not written yet.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from csi_rules.errors import UsageError

POINTS = ("before_call", "during_call", "after_call", "before_log")
ENV = "CSI_RULES_FAULT"


def _sigkill() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class FaultHook:
    """No-op unless armed with a point; `hit` and `during` are called by the action executor."""

    def __init__(self, point: str = "", nth: int = 1, delay: float = 0.3,
                 kill: Callable[[], None] = _sigkill):
        if point and point not in POINTS:
            raise UsageError(f"{ENV}: unknown point {point!r} (one of {', '.join(POINTS)})")
        self.point, self.nth, self.delay, self._kill = point, nth, delay, kill
        self._count = 0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> FaultHook:
        spec = environ.get(ENV, "")
        if not spec:
            return cls()
        point, _, rest = spec.partition(":")
        nth, _, delay = rest.partition(":")
        try:
            return cls(point, int(nth or 1), float(delay or 0.3))
        except ValueError:
            raise UsageError(f"{ENV}={spec!r}: expected POINT[:N[:DELAY]]") from None

    def _reached(self, point: str) -> bool:
        if point != self.point:
            return False
        self._count += 1
        return self._count == self.nth

    def hit(self, point: str) -> None:
        if self._reached(point):
            self._kill()

    @contextmanager
    def during(self) -> Iterator[None]:
        """Around a platform call: arms the `during_call` timer when its turn has come."""
        timer = None
        if self._reached("during_call"):
            timer = threading.Timer(self.delay, self._kill)
            timer.daemon = True
            timer.start()
        try:
            yield
        finally:
            if timer is not None:
                timer.join()  # the kill lands during the call; never let the runner go on
