"""Shadow mode writes nothing but logs everything; a broken policy edit never replaces the
running set, a good one does."""

from __future__ import annotations

import json
import shutil

from csi_rules.audit import verify
from tests.runtime.conftest import POLICIES, new_incident, work_notes, write_config


def test_dry_run_logs_decisions_and_writes_nothing_then_live_mode_acts(tmp_path, sn, clock,
                                                                      make_runner):
    inc = new_incident(sn, category="network")
    config = write_config(tmp_path, sn)
    shadow = make_runner(config, sn, dry_run=True)
    shadow.run_once()
    assert sn.count("PATCH", "/api/now/table/") == 0 and sn.count("POST", "/api/now/table/") == 0
    logged = [r.entry for r in shadow.store.audit(record_id=inc)]
    assert logged and all(e["dry_run"] for e in logged)
    assert {a["status"] for e in logged for a in e["actions"]} == {"skipped"}
    assert any("would" in a["detail"] for e in logged for a in e["actions"])
    clock.advance(60)
    shadow.run_once()
    assert len([r for r in shadow.store.audit(record_id=inc)]) == len(logged), \
        "a shadow decision is logged once, not every cycle"

    live = make_runner(config, sn, full_sync=True)
    live.run_once()
    assert len(work_notes(sn, inc)) == 1
    assert verify(live.store.audit()).ok


def test_invalid_policy_edit_is_rejected_and_the_last_good_set_keeps_running(tmp_path, sn,
                                                                            clock, make_runner):
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    runner = make_runner(write_config(tmp_path, sn, policies=policies), sn)
    runner.run_once()
    good = runner.policy_set

    routing = policies / "routing.yaml"
    routing.write_text(routing.read_text().replace("eq: network", "equals: network"))
    report = runner.run_once()
    assert report.reload == "rejected"
    assert runner.policy_set is good
    rejected = runner.reporter.named("policy_reload_rejected")
    assert rejected and "routing.yaml:" in rejected[0]["findings"][0]
    assert any(e.scope == "policies" for e in runner.store.last_errors())
    inc = new_incident(sn, category="network")
    clock.advance(60)
    runner.run_once()
    assert len(work_notes(sn, inc)) == 1, "the last good set still routes"

    routing.write_text(routing.read_text().replace("equals: network", "eq: database")
                       .replace("{group: Network}", "{group: Database}"))
    assert runner.run_once().reload == "accepted"
    assert runner.policy_set is not good
    reloads = [r.entry for r in runner.store.audit() if r.entry["type"] == "policy_reload"]
    assert len(reloads) == 1 and reloads[0]["version"] == runner.policies.version


def test_a_live_run_after_a_dry_run_applies_what_the_dry_run_only_logged_once(tmp_path, sn,
                                                                              clock, make_runner):
    inc = new_incident(sn, category="network")
    config = write_config(tmp_path, sn)
    journal = len(sn.store.rows("sys_journal_field"))
    shadow = make_runner(config, sn, dry_run=True)
    shadow.run_once()
    clock.advance(61 * 60)  # the SLA's 50% wake-up falls due and fires in the dry run
    assert shadow.run_once().wakeups >= 1
    assert len(sn.store.rows("sys_journal_field")) == journal, "a dry run writes nothing"
    assert shadow.store.get_cursor("servicenow") is None, "a dry run persists no watermark"
    shadowed = {e.key: e for e in shadow.store.ledger_entries(state="dry_run")}
    assert {e.action_type for e in shadowed.values() if e.record_id == inc} == \
        {"assign", "comment"}

    live = make_runner(config, sn)  # no --full-sync: as `run --once` after `run --once --dry-run`
    live.run_once()
    notes = [n.split("\n")[0] for n in work_notes(sn, inc)]
    assert sorted(notes) == ["Half of the resolution SLA is used.",
                             "Routed to Network by csi-rules."]
    assert live.store.ledger_entries(state="dry_run") == []
    settled = live.store.ledger(shadowed)
    assert {settled[k].state for k in shadowed} == {"applied"}, \
        "every action the dry run logged is applied by the live run"
    comments = sum(1 for e in shadowed.values() if e.action_type == "comment")
    assert len(sn.store.rows("sys_journal_field")) - journal == comments

    clock.advance(60)
    live.run_once()
    again = make_runner(config, sn)
    again.run_once()
    assert len(sn.store.rows("sys_journal_field")) - journal == comments, "exactly once"
    assert verify(again.store.audit()).ok


def test_healthz_keeps_the_running_policy_version_after_a_rejected_reload(tmp_path, sn,
                                                                         make_runner):
    from csi_rules.server.service import server_context

    policies = tmp_path / "policies"
    shutil.copytree(POLICIES, policies)
    runner = make_runner(write_config(tmp_path, sn, policies=policies), sn)
    runner.run_once()
    ctx = server_context(runner.config, runner.clock, {}, runner=runner)
    try:
        good = ctx.health()["policy_version"]
        assert good
        routing = policies / "routing.yaml"
        routing.write_text(routing.read_text().replace("eq: network", "equals: network"))
        assert runner.run_once().reload == "rejected"
        assert ctx.health()["policy_version"] == good
        routing.write_text(routing.read_text() + "\n")  # still invalid, different content
        assert runner.run_once().reload == "rejected"
        assert ctx.health()["policy_version"] == good

        routing.write_text(routing.read_text().replace("equals: network", "eq: database"))
        assert runner.run_once().reload == "accepted"
        assert ctx.health()["policy_version"] not in ("", good)
        assert ctx.health()["policy_version"] == runner.policies.version
    finally:
        ctx.store.close()


def test_a_wake_up_a_dry_run_fired_is_applied_by_the_next_live_run(tmp_path, sn, clock,
                                                                   make_runner):
    inc = new_incident(sn, category="network")
    config = write_config(tmp_path, sn)
    live = make_runner(config, sn)
    live.run_once()  # routed; the SLA's 50% wake-up is queued
    clock.advance(10 * 60)
    live.run_once()  # re-reads what the first cycle changed; the watermark settles
    assert len(work_notes(sn, inc)) == 1
    clock.advance(51 * 60)
    shadow = make_runner(config, sn, dry_run=True)
    assert shadow.run_once().wakeups >= 1, "the dry run consumes the due wake-up"
    assert len(work_notes(sn, inc)) == 1

    again = make_runner(config, sn)
    assert again.run_once().synced["servicenow"] == 0, "no sync brings the ticket back"
    notes = [n.split("\n")[0] for n in work_notes(sn, inc)]
    assert notes.count("Half of the resolution SLA is used.") == 1


def test_status_after_a_dry_run_says_what_it_saw_and_would_do(tmp_path, sn, clock, make_runner,
                                                              capsys):
    from csi_rules.cli import main
    new_incident(sn, category="network")
    config = write_config(tmp_path, sn)
    shadow = make_runner(config, sn, dry_run=True)
    shadow.run_once()
    shadow.close()
    assert main(["status", "--config", str(config)]) == 0
    text = capsys.readouterr().out
    line = next(line for line in text.splitlines() if line.startswith("dry run"))
    assert "would be applied" in line and "servicenow" in line and "assign" in line
    assert main(["status", "--config", str(config), "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["dry_run"]["records"]["servicenow"] >= 1
    assert status["dry_run"]["by_type"]["assign"] >= 1


def test_status_after_a_dry_run_that_had_nothing_to_apply_still_says_what_it_read(
        tmp_path, sn, clock, make_runner, capsys):
    """`backlog: adopt` on SLA policies alone: the dry run reads the instance, sets every
    crossing that already passed aside and applies nothing. status still tells what it saw."""
    from csi_rules.cli import main
    policies = tmp_path / "policies"
    policies.mkdir()
    shutil.copy(POLICIES.parent / "backlog_policies" / "sla.yaml", policies)
    new_incident(sn, impact="1", urgency="1", opened_at="2024-01-01 00:00:00")
    config = write_config(tmp_path, sn, policies=policies)
    shadow = make_runner(config, sn, dry_run=True)
    report = shadow.run_once()
    shadow.close()
    assert report.tally.actions == 0 and report.tally.set_aside >= 1
    assert main(["status", "--config", str(config)]) == 0
    text = capsys.readouterr().out
    assert "(never synced by a live run; a dry run moves no watermark)" in text
    line = next(line for line in text.splitlines() if line.startswith("last dry run"))
    assert f"read {report.synced['servicenow']} servicenow record(s)" in line
    assert f"{report.tally.first_seen} ticket(s) seen for the first time" in line
    assert f"{report.tally.set_aside} earlier crossing(s) set aside" in line
    assert main(["status", "--config", str(config), "--format", "json"]) == 0
    cycle = json.loads(capsys.readouterr().out)["dry_run_cycle"]
    assert cycle["synced"] == report.synced and cycle["actions"] == 0
