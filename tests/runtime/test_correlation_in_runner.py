"""CorrelationPolicies inside the runner: a set of related tickets is acted on once, through
the ledger, across cycles and restarts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from csi_rules_servicenow.emulator import ServiceNowEmulator
from tests.runtime.conftest import new_incident, work_notes, write_config

NOTE = "Three P1s on this service within 10 minutes: declare a major incident."
STORM = f"""\
apiVersion: csi-rules/v1
kind: CorrelationPolicy
metadata:
  name: p1-storm
spec:
  appliesTo: [incident]
  when: {{field: priority, eq: 1}}
  groupBy: [service]
  count: 3
  within: 10m
  actions:
    - comment: {{text: "{NOTE}", visibility: internal}}
"""


def storm_config(tmp_path: Path, sn: ServiceNowEmulator) -> Path:
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "storm.yaml").write_text(STORM)
    return write_config(tmp_path, sn, policies=policies, kinds=("incident",))


def p1_storm(sn: ServiceNowEmulator, clock, service: str = "Email", n: int = 3) -> list[str]:
    svc = sn.store.insert("cmdb_ci_service", {"name": service}, "admin")["sys_id"]
    ids = []
    for _ in range(n):
        ids.append(new_incident(sn, impact="1", urgency="1", business_service=svc))
        clock.advance(timedelta(minutes=4).total_seconds())
    return ids


def all_notes(sn: ServiceNowEmulator, ids: list[str]) -> list[list[str]]:
    return [[n for n in work_notes(sn, i) if NOTE in n] for i in ids]


def test_three_p1s_on_one_service_get_one_note_once(tmp_path, sn, clock, make_runner):
    config = storm_config(tmp_path, sn)
    ids = p1_storm(sn, clock)
    runner = make_runner(config, sn)
    first = runner.run_once()
    assert first.tally.actions == 1
    assert [len(n) for n in all_notes(sn, ids)] == [0, 0, 1]

    clock.advance(60)
    assert runner.run_once().tally.actions == 0  # the noted ticket comes back: not a new set
    runner.close()

    clock.advance(60)
    restarted = make_runner(config, sn)
    assert restarted.run_once().tally.actions == 0
    assert [len(n) for n in all_notes(sn, ids)] == [0, 0, 1]
    decided = [e for e in restarted.store.audit() if e.entry.get("policy", {}).get("name")
               == "p1-storm"]
    assert len(decided) == 1


def test_a_set_counts_tickets_from_earlier_cycles_within_the_window(tmp_path, sn, clock, make_runner):
    config = storm_config(tmp_path, sn)
    svc = sn.store.insert("cmdb_ci_service", {"name": "Email"}, "admin")["sys_id"]
    ids = []
    runner = make_runner(config, sn)
    for gap in (11, 4, 4):  # P1s at minutes 0, 11, 15: no three within 10 minutes
        ids.append(new_incident(sn, impact="1", urgency="1", business_service=svc))
        runner.run_once()
        clock.advance(timedelta(minutes=gap).total_seconds())
    assert all_notes(sn, ids) == [[], [], []]
    ids.append(new_incident(sn, impact="1", urgency="1", business_service=svc))
    runner.run_once()  # minutes 11, 15, 19: three within 10 minutes, seen in three cycles
    assert [len(n) for n in all_notes(sn, ids)] == [0, 0, 0, 1]


def test_a_set_formed_while_the_runner_was_down_is_acted_on_after_restart(
        tmp_path, sn, clock, make_runner):
    config = storm_config(tmp_path, sn)
    svc = sn.store.insert("cmdb_ci_service", {"name": "Email"}, "admin")["sys_id"]
    runner = make_runner(config, sn)
    ids = [new_incident(sn, impact="1", urgency="1", business_service=svc)]
    runner.run_once()
    runner.close()
    for _ in range(2):
        clock.advance(120)
        ids.append(new_incident(sn, impact="1", urgency="1", business_service=svc))
    restarted = make_runner(config, sn)
    restarted.run_once()
    restarted.run_once()
    assert [len(n) for n in all_notes(sn, ids)] == [0, 0, 1]
