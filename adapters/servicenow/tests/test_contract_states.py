"""The record contract on ServiceNow: every state code lands in the contract's vocabulary, or
stays visible as `code:<value>` with an `unmapped` entry; never dropped, never guessed."""

from __future__ import annotations

import pytest

from csi_rules.adapter import RecordQuery
from csi_rules.records.vocabulary import HOLD_REASONS, STATES, status_category
from csi_rules_servicenow.config import KIND_TABLES
from csi_rules_servicenow.mapping import PROFILES, build_tables
from csi_rules_servicenow.normalize import to_record

TABLE_KINDS = {table: kind for kind, table in KIND_TABLES.items()}
# Columns of INC0000060 in ibm_incidents_REST.csv (shared/data/servicenow_table_api_samples,
# IBM's public ServiceNow REST sample): the export has `incident_state` and no `state` column.
IBM_ROW = {"sys_id": "1c741bd70b2322007518478d83673af3", "number": "INC0000060",
           "incident_state": "7", "priority": "3", "impact": "2", "urgency": "2",
           "close_code": "Solved (Permanently)", "hold_reason": "",
           "opened_at": "2016-12-12 15:19:57", "resolved_at": "2016-12-13 21:43:14",
           "closed_at": "2016-12-14 02:46:44", "sys_updated_on": "2016-12-14 02:46:44"}


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_built_in_mapping_lands_in_the_contract(profile):
    for table, codes in PROFILES[profile]["states"].items():
        kind = TABLE_KINDS[table]
        outside = {code: state for code, state in codes.items() if state not in STATES[kind]}
        assert outside == {}, f"{profile} {table}: not {kind} states"


def test_an_export_with_only_incident_state_keeps_its_state():
    tables = build_tables("default", {}, {}, {})
    record = to_record("incident", "incident", IBM_ROW, tables)
    assert record.get("state") == "closed"
    assert record.get("status_category") == "done"
    assert record.get("resolution_code") == "Solved (Permanently)"
    assert "unmapped" not in record.data


def test_an_unknown_code_stays_visible_and_is_listed_as_unmapped():
    tables = build_tables("default", {}, {}, {})
    row = {**IBM_ROW, "incident_state": "", "state": "9", "priority": "7"}
    record = to_record("incident", "incident", row, tables)
    assert record.get("state") == "code:9"
    assert record.get("unmapped") == {"state": "9", "priority": "7"}
    assert "priority" not in record.data            # not guessed
    assert record.get("raw.priority") == "7"        # and still there as the platform said it


def test_an_instance_state_map_completes_the_mapping():
    tables = build_tables("default", {"incident": {"9": "on_hold"}}, {}, {})
    row = {**IBM_ROW, "incident_state": "", "state": "9", "hold_reason": "4"}
    record = to_record("incident", "incident", row, tables)
    assert (record.get("state"), record.get("hold_reason")) == ("on_hold", "awaiting_vendor")
    assert "unmapped" not in record.data


def test_seeded_records_speak_only_the_contract(emulator, adapter):
    kinds = ("incident", "change", "problem", "request")
    records = list(adapter.fetch_records(RecordQuery(kinds=kinds)))
    assert {r.kind for r in records} == set(kinds)
    for record in records:
        state = record.get("state")
        assert state in STATES[record.kind], (record.label, state)
        assert record.get("status_category") == status_category(state)
        if state == "on_hold" and record.kind == "incident":
            assert record.get("hold_reason") in HOLD_REASONS, record.label


def test_uci_awaiting_states_say_what_they_wait_for(uci_emulator, make):
    adapter = make(uci_emulator, profile="uci")
    records = list(adapter.fetch_records(RecordQuery(kinds=("incident",))))
    on_hold = [r for r in records if r.get("state") == "on_hold"]
    assert on_hold
    reasons = {r.get("hold_reason") for r in on_hold}
    assert reasons <= set(HOLD_REASONS) and "awaiting_caller" in reasons


def test_field_map_feeds_a_record_field_from_an_instance_column(emulator, make):
    """`service_tier` has no built-in column; an instance keeps it in one of its own."""
    emulator.store.fill_columns("incident", ["u_service_tier"])
    sys_id = emulator.store.insert("incident", {"short_description": "x", "u_service_tier": "gold",
                                                "impact": "1", "urgency": "1"}, "admin")["sys_id"]
    adapter = make(emulator, field_map={"service_tier": "u_service_tier"})
    record = adapter.fetch_record(sys_id)
    assert record.get("service_tier") == "gold"
    listed = {r.id: r for r in adapter.fetch_records(RecordQuery(kinds=("incident",)))}
    assert listed[sys_id].get("service_tier") == "gold"    # sync and fetch-by-id read alike


def test_field_map_refuses_fields_that_are_not_record_fields():
    from csi_rules_servicenow.config import parse_settings
    from csi_rules_servicenow.errors import ServiceNowConfigError
    with pytest.raises(ServiceNowConfigError, match="field_map"):
        parse_settings({"url": "https://x.service-now.com",
                        "auth": {"type": "basic", "username": "a", "password": "b"},
                        "field_map": {"tier": "u_tier"}}, environ={})
