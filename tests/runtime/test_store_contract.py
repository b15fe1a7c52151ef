"""The Store contract (csi_rules/runtime/store.py), run against every implementation in
STORES: SQLite, and PostgreSQL on a real server the tests start (conftest `postgres`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from csi_rules.audit import verify
from csi_rules.runtime.sqlite_store import SqliteStore
from csi_rules.runtime.store import PlannedAction
from tests.runtime.pg_server import PASSWORD

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _postgres(request, tmp):
    from csi_rules.runtime.postgres_store import PostgresStore

    return PostgresStore(request.getfixturevalue("pg_dsn"), password=PASSWORD)


STORES = {"sqlite": lambda request, tmp: SqliteStore(tmp / "state.db"), "postgresql": _postgres}


@pytest.fixture(params=list(STORES))
def store(request, tmp_path):
    made = STORES[request.param](request, tmp_path)
    yield made
    made.close()


def reopen(store):
    """The same database, opened again (a restarted runner)."""
    if isinstance(store, SqliteStore):
        return SqliteStore(store.path)
    from csi_rules.runtime.postgres_store import PostgresStore

    return PostgresStore(store.dsn, password=PASSWORD)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_schedule_only_moves_a_wakeup_earlier(store):
    store.schedule("sn", "r1", "incident", at(30), "time")
    store.schedule("sn", "r1", "incident", at(60), "time")
    assert [w.due_at for w in store.wakeups()] == [at(30)]
    store.schedule("sn", "r1", "", at(10), "webhook")
    (only,) = store.wakeups()
    assert (only.due_at, only.reason, only.kind) == (at(10), "webhook", "incident")


def test_reschedule_replaces_a_claimed_wakeup_unless_it_was_asked_for_again(store):
    store.schedule("sn", "r1", "incident", at(10), "time")
    store.schedule("sn", "r2", "incident", at(10), "time")
    claimed = {w.record_id: w for w in store.due_wakeups(at(15), 10)}
    store.schedule("sn", "r2", "incident", at(12), "webhook")  # arrives during the evaluation
    store.reschedule("sn", "r1", "incident", at(90), "time", claimed["r1"])
    store.reschedule("sn", "r2", "incident", at(90), "time", claimed["r2"])
    assert {w.record_id: w.due_at for w in store.wakeups()} == {"r1": at(90), "r2": at(10)}, \
        "r2 was asked for again during its evaluation: it stays due"
    store.reschedule("sn", "r1", "incident", None, "", store.due_wakeups(at(100), 10)[1])
    assert [w.record_id for w in store.wakeups()] == ["r2"]
    assert store.wakeup_counts(at(9)) == (1, 0) and store.wakeup_counts(at(10)) == (1, 1)


def test_a_decision_in_flight_survives_until_completed_with_its_audit_entry(store):
    actions = [PlannedAction("k#0:comment", 0, "comment", {"text": "x"}),
               PlannedAction("k#1:assign", 1, "assign", {"group": "g"})]
    decision = {"key": "k", "record": {"id": "r1"}, "actions": []}
    inflight = store.begin_decision("k", "sn", "r1", "incident", decision, actions, T0)
    assert {e.state for e in store.ledger(["k#0:comment", "k#1:assign"]).values()} == {"pending"}
    store.finish_action("k#0:comment", "applied", "", "ref", T0)
    store.finish_action("k#1:assign", "failed", "unreachable", "", T0, count_attempt=False)
    (pending,) = store.inflight_decisions()
    assert (pending.id, pending.decision, pending.action_keys) == \
        (inflight, decision, ("k#0:comment", "k#1:assign"))
    rows = store.ledger(["k#0:comment", "k#1:assign"])
    assert (rows["k#0:comment"].attempts, rows["k#1:assign"].attempts) == (1, 0)
    store.complete_decision(inflight, {"type": "decision", "record": {"id": "r1"}})
    assert store.inflight_decisions() == []
    (row,) = store.audit(record_id="r1")
    assert row.seq == 1 and row.entry["seq"] == 1
    assert store.ledger_counts() == {"applied": 1, "failed": 1}


def test_audit_entries_are_numbered_and_chained(store):
    for i in range(5):
        store.append_audit({"type": "note", "record": {"id": f"r{i % 2}"}, "n": i})
    rows = list(store.audit())
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert verify(rows).ok and [r.seq for r in store.audit(record_id="r1")] == [2, 4]
    assert [r.seq for r in store.audit(after_seq=3)] == [4, 5]


def test_cursors_errors_and_deliveries(store):
    store.save_cursor("sn", at(5), {"sync_state": {"incident": {}}}, at(6))
    store.save_cursor("sn", at(7), None, at(8), keep_sync_state=True)
    cursor = store.get_cursor("sn")
    assert (cursor.watermark, cursor.sync_state, cursor.synced_at) == \
        (at(7), {"sync_state": {"incident": {}}}, at(8))
    store.record_error("sync sn", "boom", at(9))
    assert store.last_errors()[0].message == "boom"
    assert store.remember_delivery("jira", "d1", T0) is True
    assert store.remember_delivery("jira", "d1", T0) is False


def test_first_sight_is_written_once_and_survives_a_reopen(store, tmp_path):
    from csi_rules.runtime.backlog import Position

    assert store.positions("sn", ["r1", "r2"]) == {}
    store.remember_positions("sn", {"r1": Position(at(0), frozenset({"r1/sla/a/cycle-1"}))})
    store.remember_positions("sn", {"r1": Position(at(5)), "r2": Position(at(5))})
    found = store.positions("sn", ["r1", "r2", "r3"])
    assert found["r1"] == Position(at(0), frozenset({"r1/sla/a/cycle-1"})), "first sight wins"
    assert found["r2"] == Position(at(5)) and "r3" not in found
    assert store.positions("jira", ["r1"]) == {}
    assert not store.backlog_done("sn")
    store.mark_backlog_done("sn", at(1))
    assert store.backlog_done("sn") and not store.backlog_done("jira")
    again = reopen(store)
    assert again.backlog_done("sn") and again.positions("sn", ["r1"]) == {"r1": found["r1"]}
    again.close()
