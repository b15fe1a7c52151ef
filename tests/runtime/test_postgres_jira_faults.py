"""Runners on one PostgreSQL database against the Jira emulator, with the faults the ServiceNow
fleet is tested with: a runner paused (SIGSTOP) with a write landed on Jira and its ledger
update not made, kept stopped past its lease while the others take its partitions, then
resumed; PostgreSQL stopped and started again while a write is on its way; every runner's
database connection dropped (pg_terminate_backend) mid-write.

Each fault is staged by the emulator at the moment a runner's field write reaches it, so it
always falls mid-cycle. Afterwards every issue has exactly the actions its decision calls for
(the group field set, one routing comment), none twice, one audit entry per decision, the
chain verifies (`csi-rules log verify` too), nothing is pending or in flight and every issue
keeps its SLA wake-up.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from csi_rules.runtime.postgres_store import PostgresStore
from tests.runtime.pg_server import PASSWORD
from tests.runtime.test_postgres_jira_runners import (
    add_issues,
    assert_exactly_once,
    jira_config,
    live_jira,  # noqa: F401  (a fixture, used by name)
    settled,
)
from tests.runtime.test_postgres_runners import LEASE, Fleet, live_workers, wait_for

FIELD_WRITE = r"^/rest/api/3/issue/[^/]+$"  # the group field set by the assign action


@pytest.fixture
def observer(pg_dsn: str) -> Iterator[PostgresStore]:
    """The test's own view of the state database (closed even when the test fails)."""
    store = PostgresStore(pg_dsn, password=PASSWORD)
    yield store
    store.close()


def stage_on_first_field_write(emulator: Any, before: Any) -> Any:
    """Run `before` when the first field write arrives; the write then lands as usual."""
    return emulator.faults.add(FIELD_WRITE, method="PUT", mode="passthrough", before=before)


def stopped(proc: subprocess.Popen[bytes]) -> bool:
    with open(f"/proc/{proc.pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] == "T"


def test_a_runner_paused_past_its_lease_on_jira_is_fenced_when_it_resumes(
        tmp_path, live_jira, pg_dsn, observer):  # noqa: F811
    config = jira_config(tmp_path, live_jira, pg_dsn)
    fleet = Fleet(tmp_path, config)
    try:
        paused = fleet.start()  # alone: it holds every partition
        wait_for("the first runner holding the partitions", lambda: live_workers(observer) == 1,
                 fleet)
        fault = stage_on_first_field_write(live_jira, lambda: paused.send_signal(signal.SIGSTOP))
        issues = add_issues(live_jira, 8)
        wait_for("the runner paused with its write landing", lambda: fault.hits == 1 and
                 stopped(paused), fleet)
        fleet.start()
        fleet.start()
        wait_for("the others acting on its issues", lambda: settled(observer, issues), fleet,
                 store=observer)
        issues += add_issues(live_jira, 8)
        paused.send_signal(signal.SIGCONT)  # resumes mid-action with leases it no longer has
        issues += add_issues(live_jira, 8)
        wait_for("every issue acted on, the resumed runner back in", lambda: settled(
            observer, issues) and live_workers(observer) == 3, fleet, store=observer)
        time.sleep(1.5 * LEASE)  # a stale write from the resumed runner would land by now
        assert paused.poll() is None, "the resumed runner carries on"
    finally:
        fleet.stop()
    assert_exactly_once(live_jira, observer, issues, config)
    # the write it landed before pausing was found by the new owner, not made again
    assert observer.ledger_counts().get("already_applied", 0) >= 1


def with_retry_after(config: Path, retry_after: str) -> Path:
    """The config with `actions.retryAfter` set: when a record whose decision met the outage
    (or a lost lease) is tried again."""
    data = yaml.safe_load(config.read_text())
    data["actions"] = {"retryAfter": retry_after}
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    return config


def test_runners_on_jira_carry_on_across_a_postgresql_stop_and_start(
        tmp_path, live_jira, pg_dsn, postgres, observer):  # noqa: F811
    """PostgreSQL stopped as a runner's field write reaches Jira, down for two lease periods
    (every lease runs out), started again. The records of the batch the outage cut into meet
    a lost lease and are handed over due at once, so with the default `retryAfter: 5m` they are
    still acted on within the test's wait (scheduled retryAfter later, they waited 5 minutes and
    this test timed out 3 runs of 3): were a wake-up lost, or a runner unable to reconnect,
    they would never be acted on."""
    config = with_retry_after(jira_config(tmp_path, live_jira, pg_dsn), "5m")
    fleet = Fleet(tmp_path, config)

    def outage() -> None:  # the write waits out the outage, then lands: its ledger update
        postgres.stop("fast")  # meets a new server and a lost lease
        time.sleep(2 * LEASE)
        postgres.start()

    try:
        fleet.start()
        fleet.start()
        wait_for("two runners sharing the partitions", lambda: live_workers(observer) == 2,
                 fleet)
        fault = stage_on_first_field_write(live_jira, outage)
        issues = add_issues(live_jira, 10)
        wait_for("PostgreSQL stopped and started mid-write", lambda: fault.hits == 1, fleet)
        issues += add_issues(live_jira, 10)
        wait_for("every issue acted on", lambda: settled(observer, issues), fleet,
                 store=observer)
        assert all(p.poll() is None for p in fleet.procs), "no runner died of the restart"
    finally:
        fleet.stop()
    assert_exactly_once(live_jira, observer, issues, config)


def drop_runner_connections(dsn: str) -> int:
    """pg_terminate_backend on every csi-rules connection to the database but this one."""
    with psycopg.connect(dsn, password=PASSWORD, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = "
            "current_database() AND application_name = 'csi-rules' AND pid <> "
            "pg_backend_pid()").fetchall()
    return sum(1 for (done,) in rows if done)


def test_runners_on_jira_carry_on_when_their_connections_are_dropped(
        tmp_path, live_jira, pg_dsn, observer):  # noqa: F811
    config = jira_config(tmp_path, live_jira, pg_dsn)
    fleet = Fleet(tmp_path, config)
    dropped: list[int] = []
    lock = threading.Lock()

    def drop() -> None:
        with lock:
            dropped.append(drop_runner_connections(pg_dsn))

    try:
        fleet.start()
        fleet.start()
        wait_for("two runners sharing the partitions", lambda: live_workers(observer) == 2,
                 fleet)
        fault = live_jira.faults.add(FIELD_WRITE, method="PUT", mode="passthrough",
                                     before=drop, times=3)
        issues = add_issues(live_jira, 10)
        wait_for("connections dropped mid-write, three times", lambda: fault.hits == 3, fleet)
        issues += add_issues(live_jira, 10)
        wait_for("every issue acted on", lambda: settled(observer, issues), fleet,
                 store=observer)
        assert all(p.poll() is None for p in fleet.procs), "no runner died of a dropped link"
        assert sum(dropped) >= 2, f"connections were really dropped: {dropped}"
    finally:
        fleet.stop()
    assert_exactly_once(live_jira, observer, issues, config)
