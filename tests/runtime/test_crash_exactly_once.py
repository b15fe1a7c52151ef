"""SIGKILL the runner at every point of an action's life; the restart ends with each action
applied exactly once on the platform (one work note, one approval) and a log that verifies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from csi_rules.audit import verify
from csi_rules.runtime.sqlite_store import SqliteStore
from csi_rules_servicenow.emulator import ServiceNowEmulator
from tests.runtime.conftest import write_config

ENTRY = "import sys; from csi_rules.cli import main; sys.exit(main())"
NETWORK_GROUP = "d625dccec0a8016700a222a0f7900d06"


def run_cli(config: Path, fault: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SN_PASSWORD": "admin", "CSI_RULES_DISABLE_PLUGINS": ""}
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


def platform_effects(emulator: ServiceNowEmulator, change: str) -> tuple[list, list]:
    notes = [r for r in emulator.store.rows("sys_journal_field")
             if r["element_id"] == change and r["element"] == "work_notes"]
    approvals = [r for r in emulator.store.rows("sysapproval_group") if r["parent"] == change]
    return notes, approvals


def pending_actions(db: Path) -> list[str]:
    store = SqliteStore(db)
    try:
        return sorted(e.action_type for e in store.ledger_entries(state="pending"))
    finally:
        store.close()


# fault -> (work notes, approvals, actions still pending) on the platform when the kill hits;
# a decision's platform actions are settled together with its audit entry (complete_decision),
# so until then every action begun stays pending, even one already applied
CRASH_STATES = {
    "before_call:2": (1, 0, ["comment", "request_approval"]),
    "during_call:1": (1, 0, ["comment", "request_approval"]),
    "during_call:2": (1, 1, ["comment", "request_approval"]),
    "after_call:1": (1, 0, ["comment", "request_approval"]),
    "after_call:2": (1, 1, ["comment", "request_approval"]),
    "before_log:1": (1, 1, ["comment", "request_approval"]),
}


@pytest.mark.parametrize("fault", list(CRASH_STATES))
def test_a_killed_runner_applies_each_action_exactly_once_after_restart(tmp_path, live_sn,
                                                                        fault):
    change = live_sn.store.insert("change_request", {
        "short_description": "crash-test: firewall rule", "active": "true", "state": "-4"},
        "admin")["sys_id"]
    if fault.startswith("during_call"):  # the write lands, its answer comes too late
        write = ("PATCH", f"/api/now/table/change_request/{change}") if fault.endswith(":1") \
            else ("POST", "/api/now/table/sysapproval_group")
        live_sn.faults.add("latency", seconds=3, when="after", method=write[0], path=write[1])
    config = write_config(tmp_path, live_sn, kinds=("change",))

    killed = run_cli(config, fault)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    notes, approvals = platform_effects(live_sn, change)
    assert (len(notes), len(approvals), pending_actions(tmp_path / "state.db")) == \
        CRASH_STATES[fault], "the kill must hit the window under test"
    restarted = run_cli(config)
    assert restarted.returncode == 0, restarted.stderr[-2000:]
    assert json.loads(restarted.stdout)["errors"] == 0

    notes, approvals = platform_effects(live_sn, change)
    assert len(notes) == 1 and notes[0]["value"].startswith("CAB approval requested")
    assert len(approvals) == 1 and approvals[0]["assignment_group"] == NETWORK_GROUP

    store = SqliteStore(tmp_path / "state.db")
    try:
        states = {e.action_type: e.state for e in store.ledger_entries()
                  if e.record_id == change}
        assert set(states) == {"comment", "request_approval"}
        assert set(states.values()) <= {"applied", "already_applied"}
        assert store.inflight_decisions() == []
        entries = [r.entry for r in store.audit(record_id=change)]
        assert len(entries) == 1, "one audit entry for the decision, whatever the crash"
        assert verify(store.audit()).ok
    finally:
        store.close()
