"""First sight: the first live cycle meets two-year-old tickets. It acts once on where each SLA
and escalation ladder stands now (`backlog: act`) or on nothing that already passed
(`backlog: adopt`, the default), never once per past threshold, rung and repeat; and it never
re-routes a ticket that already has a group."""

from __future__ import annotations

from datetime import timedelta

from csi_rules.audit import verify
from tests.runtime.conftest import (
    HERE,
    START,
    audit_entries,
    new_incident,
    work_notes,
    write_config,
)

POLICIES = HERE / "backlog_policies"
LADDER = ["l2", "on-call", "duty-manager", "on-call#1", "duty-manager#1", "on-call#2",
          "duty-manager#2"]
NETWORK = "d625dccec0a8016700a222a0f7900d06"
DATABASE = "287ee6fea9fe198100f92cc8d1d2154e"


def opened(ago: timedelta) -> str:
    return (START - ago).strftime("%Y-%m-%d %H:%M:%S")


def p1(sn, ago: timedelta) -> str:
    """An unacknowledged P1 (impact 1 x urgency 1) opened `ago` before the first run."""
    return new_incident(sn, impact="1", urgency="1", opened_at=opened(ago))


def notes(sn, record_id: str) -> list[str]:
    return [n.split("\n")[0] for n in work_notes(sn, record_id)]


def applied(runner, record_id: str) -> list[str]:
    return sorted(e.action_type for e in runner.store.ledger_entries(state="applied")
                  if e.record_id == record_id)


def decisions(runner, record_id: str, policy: str) -> list[dict]:
    return [e for e in audit_entries(runner)
            if e.get("type") == "decision" and e["record"]["id"] == record_id
            and e["policy"]["name"] == policy]


def test_act_gives_a_two_year_old_p1_one_decision_per_policy_listing_what_it_missed(
        tmp_path, sn, clock, make_runner):
    inc = p1(sn, timedelta(days=730))
    runner = make_runner(write_config(tmp_path, sn, policies=POLICIES, backlog="act"), sn)
    report = runner.run_once()
    assert not report.errors

    (ladder,) = decisions(runner, inc, "test-p1-ladder")
    assert ladder["rule"] == "duty-manager#2", "where the ladder stands now: its last rung"
    assert [m["rule"] for m in ladder["missed"]] == LADDER[:-1]
    assert all(m["at"] < ladder["first_seen"] for m in ladder["missed"])
    assert "passed before first sight and not acted on: l2 at" in ladder["explain"]
    (sla,) = decisions(runner, inc, "test-sla")
    assert sla["rule"] == "resolution/breach"
    assert [m["rule"] for m in sla["missed"]] == ["resolution/warning"]

    assert notes(sn, inc) == ["Resolution SLA breached."], \
        "no L2 comment and no 50% warning for what passed two years ago"
    assert applied(runner, inc) == ["comment", "escalate"], \
        "one action set, not one per rung and repeat"
    assert report.tally.first_seen >= 1

    clock.advance(3600)
    assert runner.run_once().tally.actions == 0, "nothing is caught up twice"
    assert len(work_notes(sn, inc)) == 1
    assert verify(runner.store.audit()).ok


def test_adopt_acts_on_nothing_that_already_passed_and_later_crossings_act(
        tmp_path, sn, clock, make_runner):
    old = p1(sn, timedelta(days=730))
    young = p1(sn, timedelta(minutes=25))  # l2 (10m) and on-call (20m) already passed
    runner = make_runner(write_config(tmp_path, sn, policies=POLICIES), sn)  # default: adopt
    report = runner.run_once()
    assert not report.errors and report.tally.actions == 0
    assert sn.count("PATCH", "/api/now/table/incident/") == 0
    assert notes(sn, old) == [] and notes(sn, young) == []
    assert runner.store.ledger_entries() == []

    clock.advance(16 * 60)  # young is now 41 minutes old: duty-manager (40m) falls due
    runner.run_once()
    assert [e["rule"] for e in decisions(runner, young, "test-p1-ladder")] == ["duty-manager"]
    assert decisions(runner, old, "test-p1-ladder") == []
    assert notes(sn, young) == []  # duty-manager only escalates; l2's comment never ran

    fresh = p1(sn, timedelta(0))  # a ticket opened after the backlog was adopted
    clock.advance(60)
    runner.run_once()
    clock.advance(10 * 60)
    runner.run_once()
    assert notes(sn, fresh) == ["Unacknowledged P1: escalated to L2."], \
        "adopt is for the backlog: a new ticket's first rung acts"
    assert decisions(runner, old, "test-p1-ladder") == []


def test_an_owned_ticket_is_not_rerouted_and_an_unowned_one_is(tmp_path, sn, make_runner):
    owned = new_incident(sn, category="network", assignment_group=DATABASE)
    unowned = new_incident(sn, category="network")
    runner = make_runner(write_config(tmp_path, sn, policies=POLICIES), sn)
    runner.run_once()
    assert sn.store.get("incident", owned)["assignment_group"] == DATABASE
    assert work_notes(sn, owned) == []
    assert sn.store.get("incident", unowned)["assignment_group"] == NETWORK


def test_a_dry_run_shows_the_catch_up_and_the_live_run_applies_just_that(
        tmp_path, sn, clock, make_runner):
    inc = p1(sn, timedelta(days=730))
    config = write_config(tmp_path, sn, policies=POLICIES, backlog="act")
    shadow = make_runner(config, sn, dry_run=True)
    shadow.run_once()
    assert sn.count("PATCH", "/api/now/table/") == 0 and notes(sn, inc) == []
    (logged,) = decisions(shadow, inc, "test-p1-ladder")
    assert logged["dry_run"] and logged["rule"] == "duty-manager#2"

    clock.advance(60)
    live = make_runner(config, sn)
    live.run_once()
    assert notes(sn, inc) == ["Resolution SLA breached."]
    assert applied(live, inc) == ["comment", "escalate"]
