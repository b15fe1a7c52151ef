"""`csi-rules log verify|show|export` and `csi-rules status` on a real state database."""

from __future__ import annotations

import json
import sqlite3

import pytest

from tests.runtime.conftest import new_incident, write_config


@pytest.fixture
def ran(tmp_path, sn, clock, make_runner):
    """A state database after two cycles: routing done, an SLA warning fired."""
    inc = new_incident(sn, category="network")
    config = write_config(tmp_path, sn)
    runner = make_runner(config, sn)
    runner.run_once()
    clock.advance(3700)
    runner.run_once()
    runner.close()
    return config, inc, sn.store.get("incident", inc)["number"]


def test_log_verify_passes_then_names_the_first_tampered_entry(ran, cli, tmp_path):
    config, _, _ = ran
    ok = cli("log", "verify", "--config", str(config))
    assert ok.code == 0 and ok.out.startswith("ok: ") and "chain intact" in ok.out
    db = sqlite3.connect(tmp_path / "state.db")
    with db:
        db.execute("DROP TRIGGER audit_no_update")  # an attacker with file access
        entry = json.loads(db.execute("SELECT entry FROM audit WHERE seq=2").fetchone()[0])
        entry["actions"][0]["status"] = "failed"
        db.execute("UPDATE audit SET entry=? WHERE seq=2", (json.dumps(entry),))
    db.close()
    broken = cli("log", "verify", "--config", str(config))
    assert broken.code == 1
    assert "entry 2" in broken.err and "changed" in broken.err


def test_the_audit_table_refuses_updates_and_deletes(ran, tmp_path):
    db = sqlite3.connect(tmp_path / "state.db")
    for statement in ("UPDATE audit SET hash='x'", "DELETE FROM audit"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)
    db.close()


def test_log_show_explains_a_tickets_history_by_number_or_id(ran, cli):
    config, inc, number = ran
    shown = cli("log", "show", "--config", str(config), "--record", number)
    assert shown.code == 0
    assert shown.out.startswith(f"{number} ({inc}, via servicenow): 2 decision(s)")
    assert "test-routing (RoutingPolicy) → rule network [matched]" in shown.out
    assert "because [ok] category eq 'network' (saw 'network')" in shown.out
    assert "test-sla (SlaPolicy) → rule resolution/warning [threshold]" in shown.out
    assert "did assign(group='Network') → applied" in shown.out
    as_json = cli("log", "show", "--config", str(config), "--record", inc, "--format", "json")
    assert [json.loads(line)["record"]["id"] for line in as_json.out.splitlines()] == [inc, inc]


def test_log_export_writes_json_lines_with_their_hashes(ran, cli, tmp_path):
    config, _, _ = ran
    out = tmp_path / "log.jsonl"
    result = cli("log", "export", "--config", str(config), "--output", str(out))
    assert result.code == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert all({"hash", "prev_hash", "entry"} <= set(line) for line in lines)
    assert lines[1]["prev_hash"] == lines[0]["hash"]


def test_status_shows_watermarks_queue_and_errors(ran, cli):
    config, inc, _ = ran
    text = cli("status", "--config", str(config))
    assert text.code == 0
    assert "servicenow: watermark 2026-03-02" in text.out
    assert "wake-ups: " in text.out and f"servicenow/{inc}" in text.out
    status = json.loads(cli("status", "--config", str(config), "--format", "json").out)
    assert status["ledger"]["applied"] >= 3 and status["audit"]["verified"]
    assert status["wakeups"]["next"][0]["record"] == inc


def test_status_without_a_state_database_says_so(tmp_path, sn, cli):
    config = write_config(tmp_path, sn)
    result = cli("status", "--config", str(config))
    assert result.code == 2 and "no state database" in result.err
