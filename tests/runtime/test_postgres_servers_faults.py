"""Two `csi-rules serve --no-runner` processes and three runners on one PostgreSQL database;
webhooks for new tickets are spread across both servers while one runner is SIGKILLed mid-cycle
(its partitions unowned until its leases run out): ServiceNow webhooks (shared-secret header)
against the ServiceNow emulator, signed `jira:issue_created` deliveries from the Jira
emulator's outbox against the Jira emulator. The runners poll once at start (`pollInterval:
1h`), so they hear of the new tickets only through the webhooks' wake-ups: every webhook a
server accepted (202) is acted on, each ticket has exactly the actions its decision calls for,
none twice, no webhook wake-up is left queued, nothing is pending or in flight, and
`csi-rules log verify` accepts the chain."""

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
import yaml

from csi_rules.runtime.postgres_store import PostgresStore
from csi_rules_jira.emulator import JiraEmulator
from csi_rules_servicenow.emulator import ServiceNowEmulator
from tests.runtime.conftest import write_config
from tests.runtime.pg_server import PASSWORD
from tests.runtime.test_postgres_jira_runners import (
    add_issues,
    jira_config,
    live_jira,  # noqa: F401  (a fixture)
)
from tests.runtime.test_postgres_jira_runners import assert_exactly_once as issues_once
from tests.runtime.test_postgres_jira_runners import settled as issues_settled
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
JIRA_HOOK_ENV, JIRA_HOOK_SECRET = "CSI_TEST_JIRA_HOOK", "emulator-webhook-secret"  # its seed's
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
               HOOK_ENV: HOOK_SECRET, JIRA_HOOK_ENV: JIRA_HOOK_SECRET}
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

    def deliver(self, hook: str, deliveries: list[tuple[bytes, dict[str, str]]]) -> None:
        """Each delivery (body, headers) to one server in turn; each must be queued (202)."""
        for i, (body, headers) in enumerate(deliveries):
            answer = requests.post(f"{self.urls[i % len(self.urls)]}/webhooks/{hook}",
                                   data=body, headers=headers, timeout=10)
            assert answer.status_code == 202, answer.text

    def notify(self, tickets: list[str]) -> None:
        """One ServiceNow webhook per incident, as a business rule would send it."""
        self.deliver("servicenow", [(json.dumps({"sys_id": t, "table": "incident"}).encode(), {
            "Content-Type": "application/json", "X-CSI-Rules-Secret": HOOK_SECRET,
            "X-CSI-Rules-Delivery": f"d-{next(DELIVERIES)}"}) for t in tickets])


def jira_served_config(tmp: Path, emulator: JiraEmulator, dsn: str) -> Path:
    """jira_config with one poll at start and the Jira webhook on."""
    path = jira_config(tmp, emulator, dsn)
    data = yaml.safe_load(path.read_text())
    data["pollInterval"] = "1h"
    data["server"] = {"port": 0, "webhooks": {"jira": {"adapter": "jira",
                                                       "secretEnv": JIRA_HOOK_ENV}}}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def created_deliveries(emulator: JiraEmulator, issues: list[str]) -> list[tuple[bytes,
                                                                              dict[str, str]]]:
    """The signed `jira:issue_created` webhooks the emulator's outbox makes for `issues` (the
    creation announced as its REST create does: add_issues creates them in the store)."""
    site = emulator.site
    for issue_id in issues:
        issue = site.by_id[issue_id]
        site.change(issue, issue.reporter or "", (), at=issue.created, event="issue_created")
    assert emulator.outbox is not None
    found = {}
    for d in emulator.outbox.deliveries:
        payload = json.loads(d.body)
        if payload["webhookEvent"] == "jira:issue_created" and payload["issue"]["id"] in issues:
            found[payload["issue"]["id"]] = (d.body, d.headers)
    assert set(found) == set(issues), "one creation webhook per issue"
    return [found[i] for i in issues]


def polled_once(fleet: Fleet) -> bool:
    """Every runner finished its first cycle (the one poll) or died in it."""
    return all(proc.poll() is not None or '"event": "cycle"' in
               (fleet.tmp / f"runner{i}.log").read_text(errors="replace")
               for i, proc in enumerate(fleet.procs))


def _two_servers_while_a_runner_is_killed(tmp_path, config, observer, add, notify, settled,
                                          exactly_once) -> None:
    """Two servers take webhooks for tickets created after the runners' one poll while three
    runners work and one is SIGKILLed mid-cycle; every ticket ends acted on exactly once."""
    fleet, servers = Fleet(tmp_path, config), Servers(tmp_path, config)
    try:
        servers.start()
        servers.start()
        doomed = fleet.start(fault="after_call:2")  # dies with a write landed, ledger pending
        fleet.start()
        fleet.start()
        wait_for("three runners sharing the partitions, each past its one poll", lambda:
                 live_workers(observer) == 3 and polled_once(fleet), fleet)
        tickets = add(12)  # created after the poll: only webhooks tell
        notify(servers, tickets)
        wait_for("the first wave acted on", lambda: settled(observer, tickets) or
                 doomed.poll() is not None, fleet, store=observer)
        if doomed.poll() is None:  # it owned nothing with work: kill it mid-cycle anyway
            doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
        wave = add(12)  # its partitions have no owner until its leases end
        notify(servers, wave)
        tickets += wave
        wait_for("every webhooked ticket acted on", lambda: settled(observer, tickets),
                 fleet, store=observer)
        time.sleep(LEASE)  # anything a dead runner could still have written is in by now
        assert all(p.poll() is None for p in servers.procs), "both servers still up"
    finally:
        fleet.stop()
        servers.stop()
    exactly_once(observer, tickets, config)
    assert not [w for w in observer.wakeups(limit=10_000) if w.reason == "webhook"], \
        "every webhook's wake-up was taken"


def test_webhooks_to_two_servers_are_all_acted_on_while_a_runner_is_killed(
        tmp_path, live_sn, pg_dsn, observer):  # noqa: F811
    _two_servers_while_a_runner_is_killed(
        tmp_path, served_config(tmp_path, live_sn, pg_dsn), observer,
        add=lambda n: add_tickets(live_sn, n),
        notify=lambda servers, tickets: servers.notify(tickets),
        settled=settled,
        exactly_once=lambda obs, tickets, config: assert_exactly_once(live_sn, obs, tickets,
                                                                      config))


def test_jira_webhooks_to_two_servers_are_all_acted_on_while_a_runner_is_killed(
        tmp_path, live_jira, pg_dsn, observer):  # noqa: F811
    _two_servers_while_a_runner_is_killed(
        tmp_path, jira_served_config(tmp_path, live_jira, pg_dsn), observer,
        add=lambda n: add_issues(live_jira, n),
        notify=lambda servers, issues: servers.deliver(
            "jira", created_deliveries(live_jira, issues)),
        settled=issues_settled,
        exactly_once=lambda obs, issues, config: issues_once(live_jira, obs, issues, config))
