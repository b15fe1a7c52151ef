"""One cycle against the ServiceNow emulator: sync, evaluate, act once, log; again: nothing."""

from __future__ import annotations

from csi_rules.audit import verify
from tests.runtime.conftest import new_incident, work_notes, write_config


def test_a_cycle_applies_routing_once_and_a_second_cycle_changes_nothing(tmp_path, sn, clock,
                                                                         make_runner):
    inc = new_incident(sn, category="network")
    runner = make_runner(write_config(tmp_path, sn), sn)
    report = runner.run_once()
    assert report.synced["servicenow"] >= 1 and not report.errors
    assert sn.store.get("incident", inc)["assignment_group"] == "d625dccec0a8016700a222a0f7900d06"
    notes = work_notes(sn, inc)
    assert len(notes) == 1 and notes[0].startswith("Routed to Network")
    patches = sn.count("PATCH", "/api/now/table/incident/")

    clock.advance(60)
    again = runner.run_once()
    assert again.tally.actions == 0
    assert sn.count("PATCH", "/api/now/table/incident/") == patches
    assert len(work_notes(sn, inc)) == 1

    entries = [e for e in (r.entry for r in runner.store.audit()) if e["record"]["id"] == inc]
    routing = [e for e in entries if e["policy"]["name"] == "test-routing"]
    assert len(routing) == 1
    assert [a["status"] for a in routing[0]["actions"]] == ["applied", "applied"]
    assert routing[0]["policy"]["version"] and routing[0]["reasons"]
    assert verify(runner.store.audit()).ok
