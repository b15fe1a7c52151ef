"""`gate --wait`: ask again, with backoff, until the verdict is final or the time is up.

Go ends the wait at once. So does a no-go that waiting cannot cure (a rejection, a freeze, a
conflict, missing plans, a window already past). What time alone can cure is an approval still
being asked for and a window not yet open: those keep it waiting. Time and sleep come in as
arguments, so the loop runs on a fake clock in tests.

Where `serve` receives the platform's webhooks, `ServerWake.sleep` replaces the plain sleep: it
long-polls serve's GET /v1/changes/{id}/wait (server/change_wait.py), which answers as soon as
a webhook names the change, so an approval ends the pause at once. When serve cannot be asked
(down, no such route, refused) it sleeps the rest of the pause and polls as before.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode

from csi_rules import safe_json
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


class ServerWake:
    """A sleep that a webhook can cut short (see the module docstring); `record_id` is set by
    the caller once it knows the change's platform id."""

    def __init__(self, url: str, token: str, *, sleep: Callable[[float], None],
                 monotonic: Callable[[], float], progress: Callable[[str], None] = lambda _: None,
                 max_poll: float = 60.0):
        self.url, self.token = url.rstrip("/"), token
        self._sleep, self._monotonic, self._progress = sleep, monotonic, progress
        self.max_poll = max_poll
        self.record_id = ""
        self.seq: int | None = None
        self.broken = ""  # why serve is no longer asked; "" while it is
        self.woken = 0  # pauses a webhook ended early

    def sleep(self, seconds: float) -> None:
        began = self._monotonic()
        while not self.broken and self.record_id:
            left = seconds - (self._monotonic() - began)
            if left <= 0:
                return
            asked, polled = min(left, self.max_poll), self._monotonic()
            try:
                changed = self._poll(asked)
            except (OSError, ValueError) as exc:  # URLError, HTTPError, timeouts, bad JSON
                self.broken = f"{self.url} cannot be asked ({exc}); polling the platform"
                self._progress(self.broken)
                break
            if changed:
                self.woken += 1
                self._progress(f"a webhook named {self.record_id}: asking again now")
                return
            if self._monotonic() - polled < asked / 2:
                break  # an answer that did not wait: sleep out this pause rather than spin
        left = seconds - (self._monotonic() - began)
        if left > 0:
            self._sleep(left)

    def _poll(self, timeout: float) -> bool:
        query = {"timeout": f"{timeout:g}"}
        if self.seq is not None:
            query["since"] = str(self.seq)
        request = urllib.request.Request(
            f"{self.url}/v1/changes/{quote(self.record_id, safe='')}/wait?{urlencode(query)}",
            headers={"Accept": "application/json",
                     **({"Authorization": f"Bearer {self.token}"} if self.token else {})})
        with urllib.request.urlopen(request, timeout=timeout + 10) as answer:
            body = safe_json.loads(answer.read(65536), "serve's answer")
        if not isinstance(body, dict) or not isinstance(body.get("seq"), int):
            raise ValueError("the answer is not a change-wait answer")
        self.seq = body["seq"]
        return bool(body.get("changed"))
