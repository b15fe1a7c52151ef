"""Normalization through the configurable tables, checked against the real exports they model."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from csi_rules.adapter import RecordQuery

INCIDENTS = RecordQuery(kinds=("incident",))
UCI_SNAPSHOTS = Path(__file__).parent / "data" / "uci_snapshots.csv"  # verbatim export rows


def test_ibm_instance_has_a_5_level_priority_lookup(emulator, adapter):
    records = list(adapter.fetch_records(INCIDENTS))
    pairs = Counter((r.data["impact"], r.data["urgency"], r.data["priority"]) for r in records)
    assert pairs[(3, 3, 5)] == 19  # as in ibm_incidents_REST.csv
    assert {p for _, _, p in pairs} == {1, 2, 3, 4, 5}
    assert all(not r.data["state"].startswith("code:") for r in records)
    assert Counter(r.data["state"] for r in records) == {
        "closed": 27, "in_progress": 20, "new": 13, "on_hold": 7}


def test_uci_instance_has_a_4_level_lookup_and_its_own_states(uci_emulator, make):
    adapter = make(uci_emulator, profile="uci", extra_fields={"incident": ["u_symptom"]})
    records = {r.label: r for r in adapter.fetch_records(INCIDENTS)}
    assert len(records) == 100
    assert {r.data["priority"] for r in records.values()} <= {1, 2, 3, 4}
    assert all(r.data["priority"] == 4 for r in records.values()
               if (r.data["impact"], r.data["urgency"]) == (3, 3))
    expected = {"New": "new", "Active": "in_progress", "Resolved": "resolved",
                "Closed": "closed"}
    # cross-check with the original export rows (labels) the seed was built from (codes)
    with UCI_SNAPSHOTS.open(encoding="utf-8", newline="") as handle:
        last = {row["number"]: row for row in csv.DictReader(handle)}
    assert set(last) == set(records)
    assert sum(1 for r in records.values() if r.data["priority"] == 4) == 21
    for number, row in last.items():
        record = records[number]
        assert record.data["priority"] == int(row["priority"][0])
        want = expected.get(row["incident_state"], "on_hold")
        assert record.data["state"] == want, number
        assert record.data["raw"]["u_symptom"] == row["u_symptom"].replace("?", "")
        assert record.data.get("assignment_group") == (None if row["assignment_group"] == "?"
                                                   else row["assignment_group"])


def test_the_wrong_profile_shows_unmapped_codes_instead_of_guessing(uci_emulator, make):
    adapter = make(uci_emulator)  # default profile on the UCI instance
    states = {r.data["state"] for r in adapter.fetch_records(INCIDENTS)}
    assert "code:4" in states  # "Awaiting User Info" is code 4 there; the default table lacks it


def test_change_fields_are_converted_per_field(emulator, adapter):
    change = adapter.fetch_record("CHG0040007").data
    assert change["change_type"] == "emergency" and change["risk"] == "moderate"
    assert change["state"] == "authorize" and change["approval"] == "requested"
    assert change["planned_start"].isoformat() == "2021-08-02T10:00:00+00:00"
    assert change["assignment_group"] == "ITSM Engineering"
    assert change["configuration_items"] == ["ApplicationServerPeopleSoft"]
    assert change["raw"]["conflict_status"] == "Conflict"
    assert change["raw"]["assignment_group"] == "5f721d93c0a8010e015533746de18bf9"
    assert change["raw"]["display"]["sys_updated_on"] == "2021-08-02 11:31:03"  # user TZ
    assert change["updated_at"].isoformat() == "2021-08-02T09:31:03+00:00"  # always UTC value


def test_without_display_values_references_stay_sys_ids(emulator, make):
    adapter = make(emulator, display_value="false")
    change = adapter.fetch_record("CHG0040007").data
    assert change["assignment_group"] == "5f721d93c0a8010e015533746de18bf9"
    assert "display" not in change["raw"]


def test_task_slas_and_approvals_are_attached_typed(emulator, make):
    adapter = make(emulator, include=["task_sla", "approvals"])
    change = adapter.fetch_record("CHG0000001").data["raw"]
    assert sorted(a["approver_name"] for a in change["approvals"]) == [
        "Bow Ruggeri", "David Loo", "Don Goodliffe", "Fred Luddy"]
    assert Counter(a["state"] for a in change["approvals"]) == {"requested": 3, "approved": 1}
    incident = adapter.fetch_record("INC0000060").data["raw"]
    (sla,) = incident["task_sla"]
    assert sla["has_breached"] is False and sla["stage"] == "completed"
    assert sla["planned_end_time"] == "2016-12-15T15:19:57+00:00"  # opened + 72 h (P3)
    assert sla["sla_name"] == "Priority 3 resolution (72 hour)"


def test_schedules_with_their_spans(adapter):
    schedules = {s["name"]: s for s in adapter.fetch_schedules()}
    assert set(schedules) == {"Weekend maintenance", "Year-end blackout"}
    (span,) = schedules["Year-end blackout"]["spans"]
    assert span["type"] == "blackout" and span["all_day"] is True
    assert adapter.fetch_schedules("type=maintenance")[0]["name"] == "Weekend maintenance"
