"""Time-based decisions fire on time without the ticket changing, and once after downtime."""

from __future__ import annotations

from datetime import timedelta

from csi_rules.audit import verify
from tests.runtime.conftest import START, new_incident, work_notes, write_config


def sla_notes(emulator, sys_id):
    return [n for n in work_notes(emulator, sys_id) if "SLA" in n]


def test_sla_threshold_fires_at_its_instant_with_no_change_on_the_ticket(tmp_path, sn, clock,
                                                                         make_runner):
    inc = new_incident(sn)
    runner = make_runner(write_config(tmp_path, sn), sn)
    runner.run_once()
    queued = {w.record_id: w for w in runner.store.wakeups()}
    assert queued[inc].due_at == START + timedelta(hours=1), "50% of a 2h target"
    mods = sn.store.get("incident", inc)["sys_mod_count"]

    clock.advance(59 * 60)
    runner.run_once()
    assert sla_notes(sn, inc) == [], "not due yet"
    clock.advance(60)
    report = runner.run_once()
    assert report.wakeups == 1
    assert [n.split("\n")[0] for n in sla_notes(sn, inc)] == [
        "Half of the resolution SLA is used."]
    assert sn.store.get("incident", inc)["sys_mod_count"] != mods
    assert runner.store.wakeups()[0].due_at == START + timedelta(hours=2)


def test_everything_due_while_down_fires_once_after_restart(tmp_path, sn, clock, make_runner):
    inc = new_incident(sn)
    config = write_config(tmp_path, sn)
    first = make_runner(config, sn)
    first.run_once()
    first.close()

    clock.advance(5 * 3600)  # down through the warning and the breach
    second = make_runner(config, sn)
    second.run_once()
    texts = sorted(n.split("\n")[0] for n in sla_notes(sn, inc))
    assert texts == ["Half of the resolution SLA is used.", "Resolution SLA breached."]
    clock.advance(3600)
    second.run_once()
    third = make_runner(config, sn)
    third.run_once()
    assert len(sla_notes(sn, inc)) == 2, "each threshold once, however often it is evaluated"
    assert not any(w.record_id == inc for w in third.store.wakeups()), "nothing left to wait for"
    assert verify(third.store.audit()).ok


def test_a_ticket_resolved_before_its_wakeup_gets_no_sla_action(tmp_path, sn, clock,
                                                                make_runner):
    inc = new_incident(sn)
    runner = make_runner(write_config(tmp_path, sn), sn)
    runner.run_once()
    clock.advance(1800)
    sn.store.update("incident", inc, {"state": "6"}, "admin")
    clock.advance(3 * 3600)
    runner.run_once()
    assert sla_notes(sn, inc) == []


def test_the_loop_wakes_for_a_due_threshold_between_two_polls(tmp_path, sn, clock, make_runner):
    inc = new_incident(sn)
    runner = make_runner(write_config(tmp_path, sn, pollInterval="25m"), sn)
    runner.run_forever(max_cycles=4)  # 09:30 poll, 09:55 poll, 10:20 poll, 10:30 wake-up
    warning = [r.entry for r in runner.store.audit(record_id=inc)
               if r.entry["rule"] == "resolution/warning"]
    assert len(warning) == 1
    assert warning[0]["at"] == (START + timedelta(hours=1)).isoformat(), \
        "fired at its instant, not at the next poll (10:45)"
