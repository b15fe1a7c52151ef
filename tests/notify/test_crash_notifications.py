"""SIGKILL the runner again and again in the middle of a cycle that e-mails (aiosmtpd) and pages
(a PagerDuty receiver), all on loopback. After the last restart: one page per ticket (a page
sent again after a crash carries the same dedup_key, which PagerDuty folds into one incident),
no e-mail twice (SMTP has no idempotency: one that may have left is settled as uncertain and
never sent again), one work note per ticket, and an audit log that verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from csi_rules.audit import verify
from csi_rules.demo.receivers import Receiver, SmtpServer
from csi_rules.demo.receivers import pagerduty as pagerduty_check
from csi_rules.runtime.sqlite_store import SqliteStore
from csi_rules_servicenow.emulator import ServiceNowEmulator
from tests.notify.conftest import ROUTING_KEY
from tests.runtime.conftest import work_notes, write_config

ENTRY = "import sys; from csi_rules.cli import main; sys.exit(main())"
POLICIES = Path(__file__).parent / "crash_policies"
SLOW = 1.0  # a receiver's late answer: the kill (0.3 s into the send) lands before it

# Each run is killed at the given point (counted within that run); comments say what it hits
# with tickets A, B, C each deciding [e-mail, page, work note].
KILLS = [
    ("during_call:2", True),   # A's page has landed, its answer not yet
    ("during_call:3", True),   # recovery re-sends A's page, notes A; B's e-mail lands, no answer
    ("after_call:2", False),   # B's e-mail settles as uncertain; B's page sent, not recorded
    ("before_log:1", False),   # B's page re-sent and its note written, audit entry not yet
    ("before_call:2", False),  # B logged; C's e-mail sent, killed before C's page
]


def run_cli(config: Path, fault: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SN_PASSWORD": "admin", "PD_KEY": ROUTING_KEY,
           "CSI_RULES_DISABLE_PLUGINS": ""}
    env.pop("CSI_RULES_FAULT", None)
    if fault:
        env["CSI_RULES_FAULT"] = fault
    return subprocess.run([sys.executable, "-c", ENTRY, "run", "--config", str(config), "--once"],
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def live_sn():
    emulator = ServiceNowEmulator()  # wall clock: the runner runs in another process
    emulator.start()
    yield emulator
    emulator.stop()


@pytest.fixture
def receivers():
    mail, pager = SmtpServer(), Receiver(pagerduty_check)
    yield mail, pager
    mail.stop()
    pager.stop()


def test_killed_mid_cycle_again_and_again_pages_once_per_ticket_and_never_mails_twice(
        tmp_path, live_sn, receivers):
    mail, pager = receivers
    tickets = [live_sn.store.insert("incident", {
        "short_description": f"crash-test: outage {n}", "impact": "2", "urgency": "2",
        "state": "1", "active": "true"}, "admin")["sys_id"] for n in "ABC"]
    config = write_config(tmp_path, live_sn, policies=POLICIES, kinds=("incident",), channels={
        "email": {"transport": "smtp", "settings": {
            "host": "127.0.0.1", "port": mail.port, "security": "none",
            "from": "csi@example.com"}},
        "pager": {"transport": "pagerduty", "settings": {
            "url": pager.url + "/v2/enqueue", "routing_key_env": "PD_KEY"}}})

    for fault, slow in KILLS:
        mail.mailbox.delay = pager.delay = SLOW if slow else 0.0
        killed = run_cli(config, fault)
        assert killed.returncode == -signal.SIGKILL, (fault, killed.stderr[-2000:])
    mail.mailbox.delay = pager.delay = 0.0
    finished = run_cli(config)
    assert finished.returncode == 0, finished.stderr[-2000:]

    triggers = Counter(b["dedup_key"] for b in pager.bodies() if b["event_action"] == "trigger")
    policy = "crash-notify"
    assert set(triggers) == {f"csi-rules/{t}/{policy}" for t in tickets}, "one page per ticket"
    assert max(triggers.values()) > 1, "a page was re-sent after a crash (same dedup_key)"

    keys = Counter(m.content.split(b"X-CSI-Rules-Key: ", 1)[1].split(b"\r\n", 1)[0]
                   for m in mail.messages)
    assert keys and max(keys.values()) == 1, f"an e-mail arrived twice: {keys}"
    assert [len(work_notes(live_sn, t)) for t in tickets] == [1, 1, 1]

    store = SqliteStore(tmp_path / "state.db")
    try:
        rows = [e for e in store.ledger_entries() if e.action_type == "notify"]
        pages = [e for e in rows if "#1:" in e.key]
        mails = [e for e in rows if "#0:" in e.key]
        assert [e.state for e in pages] == ["applied"] * 3
        uncertain = [e for e in mails if e.state == "failed"]
        assert len(uncertain) == 1 and uncertain[0].detail.startswith("delivery uncertain:")
        assert all(e.state == "applied" for e in mails if e not in uncertain)
        assert len(keys) == 3, "the uncertain e-mail did arrive once (its answer was lost)"
        assert store.inflight_decisions() == []
        assert len(list(store.audit(record_id=tickets[1]))) == 1, "one entry, whatever the kill"
        assert verify(store.audit()).ok
        assert any("delivery uncertain" in e.message for e in store.last_errors(50))
    finally:
        store.close()
