"""The runner lets the adapter read a batch's checks at once (Adapter `prepare`): per cycle the
reads before writing go from one or two per action to one query per 100 records, and every
ticket still gets each action exactly once."""

from __future__ import annotations

from csi_rules.audit import verify
from tests.runtime.conftest import new_incident, work_notes, write_config

NETWORK = "d625dccec0a8016700a222a0f7900d06"
TICKETS = 60


def action_reads(emulator) -> tuple[int, int]:
    """(GETs of single incidents, work-note marker lookups) seen so far."""
    return (emulator.count("GET", "/api/now/table/incident/"),
            emulator.count("GET", "/api/now/table/sys_journal_field"))


def test_a_cycle_reads_per_batch_not_per_action_and_acts_exactly_once(tmp_path, sn, clock,
                                                                       make_runner):
    ids = [new_incident(sn, category="network", short_description=f"link {i} down")
           for i in range(TICKETS)]
    runner = make_runner(write_config(tmp_path, sn, kinds=("incident",)), sn)
    report = runner.run_once()
    assert not report.errors and report.tally.actions >= 2 * TICKETS
    single, notes = action_reads(sn)
    assigned = sum(1 for e in (r.entry for r in runner.store.audit()) for a in e["actions"]
                   if a["type"] == "assign" and a["status"] == "applied")
    assert assigned >= TICKETS
    # before: a GET before each assign, one after it, and a marker lookup per work note; the
    # read-back after a write is the PATCH's own answer
    assert single == 0, "no single GETs: reads are per batch, read-backs are write answers"
    assert notes <= 3, f"one marker lookup per batch of records, not per note (saw {notes})"
    for sys_id in ids:
        assert sn.store.get("incident", sys_id)["assignment_group"] == NETWORK
        assert len(work_notes(sn, sys_id)) == 1

    clock.advance(3601)  # every SLA's warning threshold (50 % of 2 h) is due: a wake-up each
    before = action_reads(sn)
    fired = runner.run_once()
    assert not fired.errors and fired.wakeups >= TICKETS
    single, notes = (n - b for n, b in zip(action_reads(sn), before, strict=True))
    assert single == 0 and notes <= 3, "wake-up notes are checked from the batch read"
    for sys_id in ids:
        assert [n.split("\n")[0] for n in work_notes(sn, sys_id)] == [
            "Routed to Network by csi-rules.", "Half of the resolution SLA is used."]

    clock.advance(60)
    patches = sn.count("PATCH", "/api/now/table/incident/")
    assert runner.run_once().tally.actions == 0
    assert sn.count("PATCH", "/api/now/table/incident/") == patches
    assert verify(runner.store.audit()).ok


def test_a_new_ledger_still_finds_notes_written_before_through_the_batch_read(tmp_path, sn,
                                                                              clock, make_runner):
    """The marker check is what stops a runner with an empty database from writing the notes
    again (here: the SLA warning it catches up on); batching the check must keep that."""
    ids = [new_incident(sn, category="network") for _ in range(5)]
    first = make_runner(write_config(tmp_path, sn, kinds=("incident",)), sn)
    first.run_once()
    clock.advance(3601)
    first.run_once()
    assert all(len(work_notes(sn, i)) == 2 for i in ids)
    fresh = tmp_path / "other"
    fresh.mkdir()
    patches = [sn.count("PATCH", f"/api/now/table/incident/{i}") for i in ids]
    second = make_runner(write_config(fresh, sn, kinds=("incident",), backlog="act"), sn)
    report = second.run_once()
    assert not report.errors
    caught_up = [a["status"] for e in (r.entry for r in second.store.audit())
                 if e["record"]["id"] in ids for a in e["actions"]]
    assert caught_up == ["already_applied"] * len(ids)
    assert [sn.count("PATCH", f"/api/now/table/incident/{i}") for i in ids] == patches
    assert all(len(work_notes(sn, i)) == 2 for i in ids)
