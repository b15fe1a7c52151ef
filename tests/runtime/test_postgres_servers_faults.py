"""Two `csi-rules serve --no-runner` processes and three runners on one PostgreSQL database
against the ServiceNow emulator; ServiceNow webhooks for new incidents are spread across both
servers while one runner is SIGKILLed mid-cycle (its partitions unowned until its leases run
out). The runners poll once at start (`pollInterval: 1h`), so they hear of the new incidents
only through the webhooks' wake-ups: every webhook a server accepted (202) is acted on, each
incident has exactly the actions its decision calls for (one assignment, one work note), none
twice, nothing is pending or in flight, and `csi-rules log verify` accepts the chain."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from itertools import count
from pathlib import Path

import pytest
import requests

from csi_rules.runtime.postgres_store import PostgresStore
from csi_rules_servicenow.emulator import ServiceNowEmulator
from tests.runtime.conftest import write_config
from tests.runtime.pg_server import PASSWORD
from tests.runtime.test_postgres_runners import (
    ENTRY,
    LEASE,
    Fleet,
    add_tickets,
    assert_exactly_once,
    live_sn,  # noqa: F401  (a fixture, used by name)
    live_workers,
    settled,
    wait_for,
)

HOOK_ENV, HOOK_SECRET = "CSI_TEST_SN_HOOK", "sn-hook-secret"  # test-only shared secret
DELIVERIES = count(1)


@pytest.fixture
def observer(pg_dsn: str) -> Iterator[PostgresStore]:
    store = PostgresStore(pg_dsn, password=PASSWORD)
    yield store
    store.close()


def served_config(tmp: Path, emulator: ServiceNowEmulator, dsn: str) -> Path:
    """The runners' and the servers' one config: a poll at start only, webhooks after."""
    return write_config(tmp, emulator, kinds=("incident",), pollInterval="1h",
                        state={"store": dsn, "passwordEnv": "CSI_PG_PASSWORD",
                               "partitions": 8, "lease": f"{LEASE:g}s"},
                        server={"port": 0, "webhooks": {"servicenow": {
                            "adapter": "servicenow", "secretEnv": HOOK_ENV}}})


class Servers:
    """`csi-rules serve --no-runner` processes; their stderr goes to files."""

    def __init__(self, tmp: Path, config: Path):
        self.tmp, self.config = tmp, config
        self.procs: list[subprocess.Popen[bytes]] = []
        self.urls: list[str] = []

    def start(self) -> str:
        env = {**os.environ, "SN_PASSWORD": "admin", "CSI_PG_PASSWORD": PASSWORD,
               HOOK_ENV: HOOK_SECRET}
        log = self.tmp / f"server{len(self.procs)}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen([sys.executable, "-c", ENTRY, "serve", "--no-runner",
                                     "--config", str(self.config)], env=env,
                                    stdout=subprocess.DEVNULL, stderr=out)
        self.procs.append(proc)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            for line in log.read_text(errors="replace").splitlines():
                if line.startswith("{") and json.loads(line).get("event") == "listening":
                    self.urls.append(json.loads(line)["url"])
                    return self.urls[-1]
            time.sleep(0.1)
        raise AssertionError(f"serve did not start:\n{log.read_text(errors='replace')}")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                assert proc.wait(timeout=20) == 0, "serve stops cleanly on SIGTERM"
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise

    def notify(self, tickets: list[str]) -> None:
        """One webhook per incident, alternating servers; each must be accepted (202)."""
        for i, ticket in enumerate(tickets):
            url = self.urls[i % len(self.urls)] + "/webhooks/servicenow"
            answer = requests.post(url, json={"sys_id": ticket, "table": "incident"}, headers={
                "X-CSI-Rules-Secret": HOOK_SECRET,
                "X-CSI-Rules-Delivery": f"d-{next(DELIVERIES)}"}, timeout=10)
            assert answer.status_code == 202, answer.text
            assert answer.json()["queued"]["record"] == ticket


def polled_once(fleet: Fleet) -> bool:
    """Every runner finished its first cycle (the one poll) or died in it."""
    return all(proc.poll() is not None or '"event": "cycle"' in
               (fleet.tmp / f"runner{i}.log").read_text(errors="replace")
               for i, proc in enumerate(fleet.procs))


def test_webhooks_to_two_servers_are_all_acted_on_while_a_runner_is_killed(
        tmp_path, live_sn, pg_dsn, observer):  # noqa: F811
    config = served_config(tmp_path, live_sn, pg_dsn)
    fleet, servers = Fleet(tmp_path, config), Servers(tmp_path, config)
    try:
        servers.start()
        servers.start()
        doomed = fleet.start(fault="after_call:2")  # dies with a write landed, ledger pending
        fleet.start()
        fleet.start()
        wait_for("three runners sharing the partitions, each past its one poll", lambda:
                 live_workers(observer) == 3 and polled_once(fleet), fleet)
        tickets = add_tickets(live_sn, 12)  # created after the poll: only webhooks tell
        servers.notify(tickets)
        wait_for("the first wave acted on", lambda: settled(observer, tickets) or
                 doomed.poll() is not None, fleet, store=observer)
        if doomed.poll() is None:  # it owned nothing with work: kill it mid-cycle anyway
            doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
        wave = add_tickets(live_sn, 12)  # its partitions have no owner until its leases end
        servers.notify(wave)
        tickets += wave
        wait_for("every webhooked incident acted on", lambda: settled(observer, tickets),
                 fleet, store=observer)
        time.sleep(LEASE)  # anything a dead runner could still have written is in by now
        assert all(p.poll() is None for p in servers.procs), "both servers still up"
    finally:
        fleet.stop()
        servers.stop()
    assert_exactly_once(live_sn, observer, tickets, config)
    assert not [w for w in observer.wakeups(limit=10_000) if w.reason == "webhook"], \
        "every webhook's wake-up was taken"
