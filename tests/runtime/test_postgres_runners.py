"""Several runners on one PostgreSQL database against the ServiceNow emulator, with faults:
a runner SIGKILLed mid-action, one paused (SIGSTOP) past its lease and resumed, PostgreSQL
restarted under them. Afterwards every ticket has exactly the actions its decision calls for
(one assignment, one work note), none twice, nothing left pending or in flight, every ticket
still has its SLA wake-up queued, and `csi-rules log verify` accepts the one audit chain."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from csi_rules.audit import verify
from csi_rules.runtime.postgres_conn import StoreUnavailable
from csi_rules.runtime.postgres_store import PostgresStore
from csi_rules_servicenow.emulator import ServiceNowEmulator
from tests.runtime.conftest import new_incident, write_config
from tests.runtime.pg_server import PASSWORD

ENTRY = "import sys; from csi_rules.cli import main; sys.exit(main())"
NETWORK_GROUP = "d625dccec0a8016700a222a0f7900d06"
ROUTED = "Routed to Network by csi-rules."
LEASE = 2.0  # seconds: short, so the faults below play out in a few seconds


@pytest.fixture
def live_sn() -> Iterator[ServiceNowEmulator]:
    emulator = ServiceNowEmulator()  # wall clock: the runners are other processes
    emulator.start()
    yield emulator
    emulator.stop()


class Fleet:
    """Runner processes sharing one config; their stderr goes to files for diagnosis."""

    def __init__(self, tmp: Path, config: Path):
        self.tmp, self.config = tmp, config
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, fault: str = "") -> subprocess.Popen[bytes]:
        env = {**os.environ, "SN_PASSWORD": "admin", "CSI_PG_PASSWORD": PASSWORD,
               "CSI_RULES_DISABLE_PLUGINS": ""}
        env.pop("CSI_RULES_FAULT", None)
        if fault:
            env["CSI_RULES_FAULT"] = fault
        with (self.tmp / f"runner{len(self.procs)}.log").open("wb") as log:
            proc = subprocess.Popen([sys.executable, "-c", ENTRY, "run", "--config",
                                     str(self.config)], env=env, stdout=log, stderr=log)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:]
                         for p in sorted(self.tmp.glob("runner*.log")))


def pg_config(tmp: Path, emulator: ServiceNowEmulator, dsn: str) -> Path:
    return write_config(tmp, emulator, kinds=("incident",), pollInterval="1s",
                        state={"store": dsn, "passwordEnv": "CSI_PG_PASSWORD",
                               "partitions": 8, "lease": f"{LEASE:g}s"})


def wait_for(what: str, check: Any, fleet: Fleet, timeout: float = 40.0,
             store: PostgresStore | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.3)
    state = ""
    if store is not None:  # what is left: unsettled ledger rows, in-flight decisions
        state = "\n".join([*(f"{e.key} {e.state} {e.detail}" for e in store.ledger_entries()
                             if e.state not in ("applied", "already_applied")),
                            *(f"in flight: {i.decision_key}" for i in store.inflight_decisions()),
                            *(f"wake-up: {w}" for w in store.wakeups(limit=50))])
    raise AssertionError(f"timed out waiting for {what}\n{state}\n{fleet.logs()}")


def live_workers(store: PostgresStore) -> int:
    return len({holder for _, holder, _, _, live in store.lease_table()
                if live and holder})


def settled(store: PostgresStore, tickets: list[str]) -> bool:
    try:
        rows = [e for e in store.ledger_entries() if e.record_id in set(tickets)]
    except StoreUnavailable:  # the observer's own connection died with the restart
        return False
    done = [e for e in rows if e.state in ("applied", "already_applied")]
    return len(done) == 2 * len(tickets) and not store.inflight_decisions()


def assert_exactly_once(emulator: ServiceNowEmulator, store: PostgresStore,
                        tickets: list[str], config: Path) -> None:
    notes = Counter(r["element_id"] for r in emulator.store.rows("sys_journal_field")
                    if r["element"] == "work_notes" and r["value"].startswith(ROUTED))
    assert {t: notes[t] for t in tickets} == dict.fromkeys(tickets, 1), "one work note each"
    for ticket in tickets:
        assert emulator.store.get("incident", ticket)["assignment_group"] == NETWORK_GROUP
    rows = [e for e in store.ledger_entries() if e.record_id in set(tickets)]
    assert Counter(e.action_type for e in rows) == {"assign": len(tickets),
                                                     "comment": len(tickets)}
    assert {e.state for e in rows} <= {"applied", "already_applied"}
    assert store.ledger_entries(state="pending") == [] and store.inflight_decisions() == []
    routed = Counter(r.entry["record"]["id"] for r in store.audit()
                     if r.entry.get("policy", {}).get("name") == "test-routing")
    assert {t: routed[t] for t in tickets} == dict.fromkeys(tickets, 1), \
        "one audit entry per decision, whoever finished it"
    assert verify(store.audit()).ok
    queued = {w.record_id for w in store.wakeups(limit=10_000)}
    assert set(tickets) <= queued, "every ticket keeps its SLA wake-up (none lost)"
    env = {**os.environ, "CSI_PG_PASSWORD": PASSWORD}
    checked = subprocess.run([sys.executable, "-c", ENTRY, "log", "verify", "--config",
                              str(config)], env=env, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and "chain intact" in checked.stdout, checked.stderr


def add_tickets(emulator: ServiceNowEmulator, count: int) -> list[str]:
    return [new_incident(emulator, category="network") for _ in range(count)]


def test_a_killed_and_a_paused_runner_leave_every_ticket_acted_on_exactly_once(
        tmp_path, live_sn, pg_dsn):
    config = pg_config(tmp_path, live_sn, pg_dsn)
    observer = PostgresStore(pg_dsn, password=PASSWORD)
    fleet = Fleet(tmp_path, config)
    try:
        doomed = fleet.start(fault="after_call:2")  # dies with a write landed, ledger pending
        paused = fleet.start()
        fleet.start()
        wait_for("three runners sharing the partitions", lambda: live_workers(observer) == 3,
                 fleet)
        tickets = add_tickets(live_sn, 12)
        wait_for("the first wave acted on", lambda: settled(observer, tickets) or
                 doomed.poll() is not None, fleet)
        if doomed.poll() is None:  # it owned nothing with work: kill it mid-cycle anyway
            doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
        paused.send_signal(signal.SIGSTOP)  # past its lease: its partitions move
        tickets += add_tickets(live_sn, 12)
        time.sleep(2 * LEASE)
        tickets += add_tickets(live_sn, 6)
        paused.send_signal(signal.SIGCONT)  # resumes mid-cycle with leases it no longer has
        tickets += add_tickets(live_sn, 6)
        wait_for("every ticket acted on", lambda: settled(observer, tickets), fleet)
        time.sleep(1.5 * LEASE)  # a stale write from the resumed runner would land by now
    finally:
        fleet.stop()
    try:
        assert_exactly_once(live_sn, observer, tickets, config)
    finally:
        observer.close()


def test_runners_carry_on_across_a_postgresql_restart(tmp_path, live_sn, pg_dsn, postgres):
    config = pg_config(tmp_path, live_sn, pg_dsn)
    observer = PostgresStore(pg_dsn, password=PASSWORD)
    fleet = Fleet(tmp_path, config)
    try:
        fleet.start()
        fleet.start()
        wait_for("two runners sharing the partitions", lambda: live_workers(observer) == 2,
                 fleet)
        tickets = add_tickets(live_sn, 10)
        time.sleep(0.5)
        postgres.restart("fast")  # drops every connection; runners must reconnect
        tickets += add_tickets(live_sn, 10)
        wait_for("every ticket acted on", lambda: settled(observer, tickets), fleet,
                 store=observer)
        assert all(p.poll() is None for p in fleet.procs), "no runner died of the restart"
    finally:
        fleet.stop()
    try:
        assert_exactly_once(live_sn, observer, tickets, config)
    finally:
        observer.close()
