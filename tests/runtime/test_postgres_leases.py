"""Partition leases and fencing on a real PostgreSQL: runners share the partitions evenly, a
runner whose lease ran out can neither start nor settle an action, and the partition's new
holder finishes its in-flight decision, logged once."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from csi_rules.audit import verify
from csi_rules.runtime.postgres_conn import LeaseLost
from csi_rules.runtime.postgres_store import PostgresStore
from csi_rules.runtime.store import PlannedAction
from tests.runtime.pg_server import PASSWORD

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
COMMENT = PlannedAction("k#0:comment", 0, "comment", {"text": "x"})


def runner_store(dsn: str, worker: str) -> PostgresStore:
    return PostgresStore(dsn, password=PASSWORD, worker=worker, partitions=4, lease=1.0)


def test_two_runners_end_up_with_half_the_partitions_each(pg_dsn):
    a, b = runner_store(pg_dsn, "a"), runner_store(pg_dsn, "b")
    try:
        a.balance(lambda: None)
        assert a.leases.owned() == [0, 1, 2, 3], "alone, a runner takes every partition"
        b.balance(lambda: None)
        a.balance(lambda: None)  # sees two live runners: hands back its surplus
        b.balance(lambda: None)
        assert sorted(a.leases.owned() + b.leases.owned()) == [0, 1, 2, 3]
        assert len(a.leases.owned()) == len(b.leases.owned()) == 2
        assert a.lead("sn") and not b.lead("sn"), "one poller per adapter"
    finally:
        a.close()
        b.close()


def test_a_runner_past_its_lease_is_fenced_and_its_successor_finishes_the_decision(pg_dsn):
    a, b = runner_store(pg_dsn, "a"), runner_store(pg_dsn, "b")
    try:
        a.balance(lambda: None)
        decision = {"key": "k", "record": {"id": "r1"}, "actions": []}
        started = a.begin_decision("k", "sn", "r1", "incident", decision, [COMMENT], T0)
        a.leases.stop_renewing()  # a paused process: its leases run out
        time.sleep(1.3)
        b.balance(lambda: None)
        assert b.leases.owned() == [0, 1, 2, 3]

        with pytest.raises(LeaseLost):
            a.finish_action(COMMENT.key, "applied", "", "ref", T0)
        with pytest.raises(LeaseLost):
            a.begin_decision("k2", "sn", "r1", "incident", decision, [COMMENT], T0)
        assert a.ledger([COMMENT.key])[COMMENT.key].state == "pending", "nothing written"

        (adopted,) = b.inflight_decisions()
        assert adopted.id == started
        b.finish_action(COMMENT.key, "already_applied", "", "ref", T0)
        b.complete_decision(adopted.id, {"type": "decision", "record": {"id": "r1"}})
        a.complete_decision(started, {"type": "decision", "record": {"id": "r1"}})
        rows = list(b.audit())
        assert len(rows) == 1 and verify(rows).ok, "the stale runner's late entry is dropped"
    finally:
        a.close()
        b.close()
