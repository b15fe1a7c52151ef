"""gate --wait's loop on a fake clock: pauses grow 1.5x up to the cap, an outage is waited out,
and a pending approval that never comes ends in a timeout with the reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csi_rules.change.gate import GO, NO_GO, CheckResult, GateResult
from csi_rules.change.waiting import wait_for_verdict
from csi_rules.errors import AdapterUnavailable

START = datetime(2026, 3, 10, 20, tzinfo=UTC)


class Clock:
    def __init__(self):
        self.moment = START
        self.pauses: list[float] = []

    def now(self):
        return self.moment

    def sleep(self, seconds):
        self.pauses.append(seconds)
        self.moment += timedelta(seconds=seconds)


def result(verdict, *failed):
    checks = tuple(CheckResult("gate", name, kind, "blocking", False, reason, "f:1")
                   for name, kind, reason in failed)
    return GateResult("c", "CHG1", verdict, checks, START)


PENDING = result(NO_GO, ("approved", "approval", "approval is 'requested', needs approved"))


def test_backoff_grows_to_the_cap_then_ends_on_go():
    clock = Clock()
    answers = iter([PENDING] * 6 + [result(GO)])
    outcome = wait_for_verdict(lambda now: next(answers), now=clock.now, sleep=clock.sleep,
                               timeout=timedelta(hours=2), interval=30, max_interval=100)
    assert (outcome.timed_out, outcome.result.verdict) == (False, GO)
    assert clock.pauses == [30, 45, 67.5, 100, 100, 100]


def test_an_outage_is_waited_out_but_a_conflict_is_final_at_once():
    clock = Clock()
    conflict = result(NO_GO, ("no-conflicts", "no_conflicts", "CHG1 and CHG2 on db01"))

    def ask(now):
        if not clock.pauses:
            raise AdapterUnavailable("connection refused")
        return conflict

    outcome = wait_for_verdict(ask, now=clock.now, sleep=clock.sleep,
                               timeout=timedelta(hours=1))
    assert (outcome.timed_out, outcome.result, clock.pauses) == (False, conflict, [30])


def test_a_window_not_yet_open_waits_until_the_timeout_with_the_reason():
    clock = Clock()
    early = result(NO_GO, ("window", "in_window", "now (x) is before the approved window a – b"))
    outcome = wait_for_verdict(lambda now: early, now=clock.now, sleep=clock.sleep,
                               timeout=timedelta(minutes=5), interval=60)
    assert outcome.timed_out and "before the approved window" in outcome.reason
    assert sum(clock.pauses) == 300
