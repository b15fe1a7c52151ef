"""The worker process: a crash in durable's C core is contained, restarted and retried."""

from __future__ import annotations

import os
import signal
from datetime import datetime

import pytest

from csi_rules.engine.matcher import DurableMatcher, FaultPlan
from csi_rules.engine.reference import ReferenceMatcher
from csi_rules.errors import EngineError

from .conftest import group, record

G = [group("route", "first", {"p1": {"field": "priority", "eq": 1},
                              "p2": {"field": "priority", "eq": 2}})]
RECORDS = [record(id=f"INC{n}", number=f"INC{n:04d}", priority=1 + n % 3) for n in range(40)]


def test_worker_crash_is_restarted_and_the_batch_retried(now: datetime) -> None:
    expected = ReferenceMatcher(G).match_many(RECORDS, now)
    plan = FaultPlan(crash_on=frozenset({"INC17"}), times=1)
    with DurableMatcher(G, batch_size=8, faults=plan) as m:
        first_pid = m.worker_pid
        assert m.match_many(RECORDS, now) == expected
        assert m.restarts == 1
        assert m.worker_pid != first_pid
        assert m.match_many(RECORDS, now) == expected  # the new worker keeps working


def test_a_record_that_always_kills_the_worker_is_named(now: datetime) -> None:
    plan = FaultPlan(crash_on=frozenset({"INC17"}), times=-1)
    with DurableMatcher(G, batch_size=8, faults=plan) as m:
        with pytest.raises(EngineError, match=r"crashed twice on record incident INC0017.*SIGSEGV"):
            m.match_many(RECORDS, now)
        plan.crash_on = frozenset()
        assert m.match_many(RECORDS, now) == ReferenceMatcher(G).match_many(RECORDS, now)


def test_a_worker_killed_between_calls_is_replaced(now: datetime) -> None:
    with DurableMatcher(G) as m:
        assert m.match(RECORDS[0], now) == {"route": ["p1"]}
        pid = m.worker_pid
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        assert m.match(RECORDS[0], now) == {"route": ["p1"]}
        assert m.restarts == 1


def test_a_closed_matcher_refuses_work(now: datetime) -> None:
    m = DurableMatcher(G)
    m.close()
    m.close()
    with pytest.raises(EngineError, match="closed"):
        m.match(RECORDS[0], now)


def test_a_bad_record_mid_stream_leaves_no_stale_answer_behind(now: datetime) -> None:
    from datetime import datetime as dt

    from csi_rules.errors import RecordError
    from csi_rules.records.model import Record

    g = [group("g", "first", {"old": {"field": "opened_at", "lt": "2024-01-01T00:00:00Z"}})]
    good = [record(id=f"OK{n}", opened_at="2023-01-01T00:00:00Z") for n in range(20)]
    naive = Record({"id": "BAD", "kind": "incident", "opened_at": dt(2023, 1, 1)})
    with DurableMatcher(g, batch_size=5) as m:
        with pytest.raises(RecordError, match="no UTC offset"):
            m.match_many([*good, naive], now)
        assert m.match(record(id="NEW"), now) == {"g": []}
        assert m.match_many(good[:3], now) == [{"g": ["old"]}] * 3


def test_a_hung_worker_is_stopped_after_the_timeout(now: datetime) -> None:
    plan = FaultPlan(crash_on=frozenset({"INC3"}), times=1, how="hang")
    with DurableMatcher(G, batch_size=8, timeout=1.0, faults=plan) as m:
        with pytest.raises(EngineError, match="no answer within 1 s"):
            m.match_many(RECORDS, now)
        assert m.match_many(RECORDS, now) == ReferenceMatcher(G).match_many(RECORDS, now)


def test_a_ruleset_durable_refuses_is_reported_from_the_worker() -> None:
    from csi_rules.engine.compiler import compile_groups
    from csi_rules.engine.worker import WorkerProcess

    program = compile_groups(G)
    rule = program.groups[0].shards[0].definition["r0"]
    rule["al"] = rule.pop("all")  # durable: error 105
    with pytest.raises(EngineError, match=r"refused the rulesets.*unexpected name"):
        WorkerProcess(program, timeout=30)
