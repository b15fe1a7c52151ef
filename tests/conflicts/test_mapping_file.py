"""Mapping files are checked up front; every problem comes back as file:line:col with its path."""

from __future__ import annotations

from pathlib import Path

import pytest

from csi_rules.conflicts import load_mapping
from csi_rules.errors import PolicyError

REPO = Path(__file__).resolve().parents[2]

HEAD = """\
apiVersion: csi-rules/v1
kind: ChangeCsvMapping
metadata: {name: broken}
spec:
  fields:
    id: {column: Change}
"""


def _messages(tmp_path: Path, fields: str) -> list[str]:
    path = tmp_path / "m.yaml"
    path.write_text(HEAD + fields)
    with pytest.raises(PolicyError) as caught:
        load_mapping(path)
    return [f.format().replace(str(path), "m.yaml") for f in caught.value.findings]


def test_the_rabobank_mapping_is_valid() -> None:
    mapping = load_mapping(REPO / "policies" / "mappings" / "rabobank-changes.yaml")
    assert mapping.group_by == "Change ID" and mapping.time_zone == "Europe/Amsterdam"
    assert "CI Name (aff)" in mapping.columns()


def test_unknown_fields_suggest_the_nearest_record_field(tmp_path: Path) -> None:
    assert _messages(tmp_path, "    planed_start: {column: Start}\n") == [
        "m.yaml:7:5: policy broken: spec.fields.planed_start: unknown record field "
        "'planed_start'; did you mean 'planned_start'? (valid: approval, assignee, "
        "assignment_group, backout_plan, cab_required, caller, category, change_type, "
        "closed_at, configuration_items, description, hold_reason, id, impact, "
        "implementation_plan, labels, number, opened_at, planned_end, planned_start, platform, "
        "priority, raw.<name>, reassignment_count, reopen_count, resolution_code, resolved_at, "
        "risk, service, service_tier, short_description, state, status_category, subcategory, "
        "test_plan, unmapped, updated_at, urgency)"]


def test_value_maps_must_produce_valid_values(tmp_path: Path) -> None:
    fields = ("    risk: {column: Risk, values: {A: extreme, B: low}}\n"
              "    cab_required: {column: CAB, values: {Y: 'yes'}}\n")
    assert _messages(tmp_path, fields) == [
        "m.yaml:7:35: policy broken: spec.fields.risk.values.A: 'extreme' is not a valid value "
        "(valid: low, moderate, high, very_high)",
        "m.yaml:8:42: policy broken: spec.fields.cab_required.values.Y: 'yes' is not a boolean "
        "value"]


def test_merges_must_fit_the_field(tmp_path: Path) -> None:
    fields = ("    assignee: {column: Who, merge: max}\n"
              "    configuration_items: {column: CI, merge: first}\n"
              "    state: {value: new, column: State}\n")
    assert _messages(tmp_path, fields) == [
        "m.yaml:7:29: policy broken: spec.fields.assignee.merge: merge max needs an ordered "
        "field (date-time, number, or one with fixed levels such as risk)",
        "m.yaml:8:39: policy broken: spec.fields.configuration_items.merge: "
        "configuration_items is a list: its rows are always collected (merge: collect)",
        "m.yaml:9:5: policy broken: spec.fields.state: give exactly one of column, value or "
        "firstOf"]


def test_duplicate_keys_and_schema_errors_are_findings(tmp_path: Path) -> None:
    assert _messages(tmp_path, "    id: {column: Other}\n") == [
        "m.yaml:7:5: spec.fields.id: duplicate key 'id' (first defined on line 6)"]
    assert _messages(tmp_path, "    risk: {column: Risk, merge: biggest}\n") == [
        "m.yaml:7:26: policy broken: spec.fields.risk.merge: 'biggest' is not one of "
        "['same', 'first', 'last', 'min', 'max', 'collect']"]
