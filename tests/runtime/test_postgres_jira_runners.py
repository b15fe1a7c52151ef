"""Several runners on one PostgreSQL database against the Jira emulator: one is SIGKILLed
between a write landing on Jira and its ledger update. Afterwards every issue has exactly the
actions its decision calls for (the group field set, one comment carrying its idempotency
property), none twice, nothing pending or in flight, every issue keeps its SLA wake-up, and
the one audit chain verifies (`csi-rules log verify` too)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from csi_rules.audit import verify
from csi_rules.runtime.postgres_conn import StoreUnavailable
from csi_rules.runtime.postgres_store import PostgresStore
from csi_rules_jira.emulator import JiraEmulator
from tests.runtime.pg_server import PASSWORD
from tests.runtime.test_postgres_runners import ENTRY, LEASE, Fleet, live_workers, wait_for

HERE = Path(__file__).parent
GROUP = "network-team"  # a group the emulator seed holds
ROUTED = "Routed to the network team by csi-rules."
TOKEN_ENV = "CSI_TEST_JIRA_TOKEN"
ROUTING = {"apiVersion": "csi-rules/v1", "kind": "RoutingPolicy",
           "metadata": {"name": "jira-routing"},
           "spec": {"appliesTo": ["incident"], "hitPolicy": "first", "rules": [
               {"id": "vpn", "when": {"field": "short_description", "matches": "(?i)vpn"},
                "actions": [{"assign": {"group": GROUP}},
                            {"comment": {"text": ROUTED, "visibility": "internal"}}]}]}}


@pytest.fixture
def live_jira(monkeypatch: pytest.MonkeyPatch) -> Iterator[JiraEmulator]:
    monkeypatch.setenv(TOKEN_ENV, "emulator-api-token")  # the emulator seed's token
    with JiraEmulator() as emulator:  # wall clock: the runners are other processes
        yield emulator


def jira_config(tmp: Path, emulator: JiraEmulator, dsn: str) -> Path:
    policies = tmp / "policies"
    policies.mkdir()
    (policies / "routing.yaml").write_text(yaml.safe_dump(ROUTING, sort_keys=False))
    (policies / "sla.yaml").write_text((HERE / "policies" / "sla.yaml").read_text())
    settings = {"base_url": emulator.url, "allow_insecure_loopback": True,
                "projects": ["OPS"], "page_size": 50,
                "field_map": {"assignment_group": "customfield_10060"},
                "auth": {"email": "mia@example.com", "token_env": TOKEN_ENV}}
    config = {"apiVersion": "csi-rules/v1", "kind": "RunnerConfig",
              "policies": [str(policies)], "pollInterval": "1s",
              "state": {"store": dsn, "passwordEnv": "CSI_PG_PASSWORD", "partitions": 8,
                        "lease": f"{LEASE:g}s"},
              "adapters": [{"name": "jira", "kinds": ["incident"], "settings": settings}]}
    path = tmp / "runner.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def add_issues(emulator: JiraEmulator, count: int) -> list[str]:
    site = emulator.site
    return [site.create_issue("OPS", "Bug", f"VPN down for site {i}",
                              reporter="5b10a2844c20165700ede21g").id for i in range(count)]


def settled(store: PostgresStore, issues: list[str]) -> bool:
    try:
        rows = [e for e in store.ledger_entries() if e.record_id in set(issues)]
    except StoreUnavailable:
        return False
    done = [e for e in rows if e.state in ("applied", "already_applied")]
    return len(done) == 2 * len(issues) and not store.inflight_decisions()


def assert_exactly_once(emulator: JiraEmulator, store: PostgresStore, issues: list[str],
                        config: Path) -> None:
    by_id = emulator.site.by_id
    for issue_id in issues:
        issue = by_id[issue_id]
        assert issue.custom.get("customfield_10060") in (GROUP, {"name": GROUP}), issue.key
        routed = [c for c in issue.comments if ROUTED in str(c.body)]
        assert len(routed) == 1, f"{issue.key}: {len(routed)} routing comments"
    rows = [e for e in store.ledger_entries() if e.record_id in set(issues)]
    assert Counter(e.action_type for e in rows) == {"assign": len(issues),
                                                     "comment": len(issues)}
    assert {e.state for e in rows} <= {"applied", "already_applied"}
    assert store.ledger_entries(state="pending") == [] and store.inflight_decisions() == []
    routed_entries = Counter(r.entry["record"]["id"] for r in store.audit()
                             if r.entry.get("policy", {}).get("name") == "jira-routing")
    assert {i: routed_entries[i] for i in issues} == dict.fromkeys(issues, 1)
    assert verify(store.audit()).ok
    queued = {w.record_id for w in store.wakeups(limit=10_000)}
    assert set(issues) <= queued, "every issue keeps its SLA wake-up (none lost)"
    env = {**os.environ, "CSI_PG_PASSWORD": PASSWORD}
    checked = subprocess.run([sys.executable, "-c", ENTRY, "log", "verify", "--config",
                              str(config)], env=env, capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0 and "chain intact" in checked.stdout, checked.stderr


def test_a_runner_killed_mid_cycle_on_jira_leaves_every_issue_acted_on_exactly_once(
        tmp_path, live_jira, pg_dsn):
    config = jira_config(tmp_path, live_jira, pg_dsn)
    observer = PostgresStore(pg_dsn, password=PASSWORD)
    fleet = Fleet(tmp_path, config)
    try:
        doomed = fleet.start(fault="after_call:2")  # dies with a write landed, ledger pending
        fleet.start()
        fleet.start()
        wait_for("three runners sharing the partitions", lambda: live_workers(observer) == 3,
                 fleet)
        issues = add_issues(live_jira, 12)
        wait_for("the first wave acted on", lambda: settled(observer, issues) or
                 doomed.poll() is not None, fleet)
        died_mid_write = doomed.poll() is not None
        if not died_mid_write:  # it owned nothing with work: kill it mid-cycle anyway
            doomed.send_signal(signal.SIGKILL)
        assert doomed.wait(timeout=10) == -signal.SIGKILL
        issues += add_issues(live_jira, 12)
        wait_for("every issue acted on", lambda: settled(observer, issues), fleet)
        time.sleep(LEASE)  # anything a dead runner could still have written is in by now
    finally:
        fleet.stop()
    try:
        assert_exactly_once(live_jira, observer, issues, config)
        if died_mid_write:  # its landed write was found by the new owner, not made again
            assert observer.ledger_counts().get("already_applied", 0) >= 1
    finally:
        observer.close()
