"""`gate --wait`: ask again, with backoff, until the verdict is final or the time is up.

Go ends the wait at once. So does a no-go that waiting cannot cure (a rejection, a freeze, a
conflict, missing plans, a window already past). What time alone can cure is an approval still
being asked for and a window not yet open: those keep it waiting. Time and sleep come in as
arguments, so the loop runs on a fake clock in tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from csi_rules.change.gate import NO_GO, CheckResult, GateResult
from csi_rules.errors import AdapterUnavailable

PENDING_APPROVALS = ("requested", "not_requested")


def curable(check: CheckResult, result: GateResult) -> bool:
    """Can waiting alone turn this failed blocking check into a pass?"""
    if check.type == "approval":
        return any(f"approval is {shown}" in check.reason
                   for shown in ("missing", *(repr(s) for s in PENDING_APPROVALS)))
    if check.type == "in_window":
        return "is before the approved window" in check.reason
    return False


def waiting_for(result: GateResult) -> list[CheckResult] | None:
    """The blocking failures worth waiting on; None when the verdict is final."""
    if result.verdict != NO_GO:
        return None
    blocking = [c for c in result.checks if not c.passed and c.severity == "blocking"]
    if all(curable(c, result) for c in blocking):
        return blocking
    return None


@dataclass(frozen=True)
class WaitOutcome:
    result: GateResult | None
    timed_out: bool
    reason: str  # why it stopped waiting (the last pending checks, or the outage)


def wait_for_verdict(ask: Callable[[datetime], GateResult], *, now: Callable[[], datetime],
                     sleep: Callable[[float], None], timeout: timedelta,
                     interval: float = 30.0, max_interval: float = 300.0,
                     progress: Callable[[str], None] = lambda _: None) -> WaitOutcome:
    """Ask until final; an unreachable platform is retried until the timeout too."""
    started = now()
    deadline = started + timeout
    delay = interval
    last: GateResult | None = None
    reason = ""
    while True:
        moment = now()
        try:
            last = ask(moment)
        except AdapterUnavailable as exc:
            reason = f"platform unreachable: {exc}"
        else:
            pending = waiting_for(last)
            if pending is None:
                return WaitOutcome(last, False, last.verdict)
            reason = "; ".join(f"{c.check}: {c.reason}" for c in pending)
        left = (deadline - now()).total_seconds()
        if left <= 0:
            return WaitOutcome(last, True, reason)
        pause = min(delay, left)
        elapsed = int((now() - started).total_seconds())
        progress(f"waiting ({elapsed} s of {int(timeout.total_seconds())} s): {reason}; "
                 f"asking again in {pause:g} s")
        sleep(pause)
        delay = min(delay * 1.5, max_interval)
