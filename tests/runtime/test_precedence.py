"""Two policies deciding different groups for one ticket in one cycle: the runner applies the
one with the lower spec.precedence and records the other as skipped, overridden, in the audit."""

from __future__ import annotations

from pathlib import Path

from csi_rules.audit import verify
from tests.runtime.conftest import new_incident, work_notes, write_config

FIGHTING = Path(__file__).parent / "fighting_policies"


def _entries(runner, inc):
    return [e for e in (r.entry for r in runner.store.audit())
            if e["record"]["id"] == inc and e.get("type") == "decision"]


def test_the_lower_precedence_wins_and_the_loser_is_audited_as_overridden_once(
        tmp_path, sn, clock, make_runner):
    inc = new_incident(sn, category="network")  # short_description "VPN down": both match
    runner = make_runner(write_config(tmp_path, sn, policies=FIGHTING), sn)
    report = runner.run_once()
    assert not report.errors
    row = sn.store.get("incident", inc)
    network = next(g for g in sn.store.rows("sys_user_group") if g["name"] == "Network")
    assert row["assignment_group"] == network["sys_id"]
    # the loser's other action (a comment, no field) still runs: only the fight is settled
    notes = sorted(note.split("\n")[0] for note in work_notes(sn, inc))
    assert notes == ["Routed to Database.", "Routed to Network."]

    skipped = [a for e in _entries(runner, inc) if e["policy"]["name"] == "a-database"
               for a in e["actions"] if a["status"] == "skipped"]
    assert skipped and skipped[0]["type"] == "assign"
    assert "overridden by policy zz-network-first rule network" in skipped[0]["detail"]

    clock.advance(120)
    again = runner.run_once()
    assert again.tally.actions == 0
    later = [a for e in _entries(runner, inc) if e["policy"]["name"] == "a-database"
             for a in e["actions"] if a["status"] == "skipped"]
    assert len(later) == len(skipped)  # recorded once, not every cycle
    assert verify(runner.store.audit()).ok


def test_a_dry_run_shows_the_override_too(tmp_path, sn, clock, make_runner):
    inc = new_incident(sn, category="network")
    runner = make_runner(write_config(tmp_path, sn, policies=FIGHTING), sn, dry_run=True)
    runner.run_once()
    assert not sn.store.get("incident", inc).get("assignment_group")
    entries = _entries(runner, inc)
    assert any(a["status"] == "skipped" and "overridden by policy zz-network-first"
               in a["detail"] for e in entries for a in e["actions"])
