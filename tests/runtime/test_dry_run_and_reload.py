"""Shadow mode writes nothing but logs everything; a broken policy edit never replaces the
running set, a good one does."""

from __future__ import annotations

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
