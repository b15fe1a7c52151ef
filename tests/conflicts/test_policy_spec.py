"""The ConflictPolicy spec: documented schema, defaults, and problems reported with their path."""

from __future__ import annotations

from typing import Any

import pytest

from csi_rules.conflicts import (
    CONFLICT_POLICY_SPEC_SCHEMA,
    MAPPING_SCHEMA,
    settings_from_spec,
    spec_problems,
)
from csi_rules.errors import PolicyError


def _objects(schema: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(schema, dict):
        if "properties" in schema:
            found.append((path, schema))
        for key, value in schema.items():
            found += _objects(value, f"{path}/{key}")
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            found += _objects(value, f"{path}/{i}")
    return found


@pytest.mark.parametrize("schema", [CONFLICT_POLICY_SPEC_SCHEMA, MAPPING_SCHEMA["properties"]["spec"]])
def test_every_property_is_described_and_no_unknown_keys_are_allowed(schema: Any) -> None:
    for path, obj in _objects(schema):
        assert obj.get("additionalProperties") is False, path
        for name, prop in obj["properties"].items():
            assert prop.get("description"), f"{path}/properties/{name}"


def test_an_empty_check_section_switches_the_check_on_with_its_defaults() -> None:
    settings = settings_from_spec({"sameCi": {}, "blackouts": {"windows": [
        {"name": "freeze", "start": "2024-12-20T00:00:00+01:00", "end": "2025-01-06T00:00:00+01:00"}]}})
    assert settings.same_ci is not None and settings.same_ci.severity == "blocking"
    assert settings.same_ci.min_overlap_us == 0
    assert settings.blackouts is not None and settings.blackouts.severity == "blocking"
    assert settings.related_ci is None and settings.capacity is None


def test_a_disabled_check_does_not_run() -> None:
    assert settings_from_spec({"sameCi": {"enabled": False}}).same_ci is None


def test_schema_problems_name_the_path_and_the_valid_choices() -> None:
    problems = spec_problems({"sameCi": {"severity": "fatal", "minOverlap": 5}})
    assert problems == [
        (("sameCi",), "Additional properties are not allowed ('minOverlap' was unexpected)"),
        (("sameCi", "severity"), "'fatal' is not one of ['blocking', 'advisory']"),
    ]


def test_semantic_problems_are_all_reported_at_once() -> None:
    spec = {
        "blackouts": {"windows": [
            {"name": "a", "start": "2024-12-20T00:00:00", "end": "2024-12-21T00:00:00Z"},
            {"name": "b", "start": "2024-12-22T00:00:00Z", "end": "2024-12-21T00:00:00Z"}]},
        "maintenanceWindows": {"timeZone": "Europe/Amsterdm"},
        "initiatives": {"items": [
            {"id": "CSI-1", "start": "2024-01-01T00:00:00Z", "end": "2024-02-01T00:00:00Z"},
            {"id": "CSI-1", "start": "2024-01-01T00:00:00Z", "end": "2024-02-01T00:00:00Z"}]},
    }
    assert spec_problems(spec) == [
        (("blackouts", "windows", 0, "start"),
         "'2024-12-20T00:00:00' has no UTC offset (add 'Z' or '+01:00')"),
        (("blackouts", "windows", 1, "end"),
         "end 2024-12-21T00:00:00Z is not after start 2024-12-22T00:00:00Z"),
        (("maintenanceWindows", "timeZone"),
         "unknown time zone 'Europe/Amsterdm' (use an IANA name like Europe/Amsterdam)"),
        (("initiatives", "items", 1, "id"), "duplicate initiative id 'CSI-1' (first at item 0)"),
    ]


def test_settings_from_a_bad_spec_raise_a_policy_error_naming_the_policy_and_path() -> None:
    with pytest.raises(PolicyError) as caught:
        settings_from_spec({"relatedCi": {"depth": 2}}, policy="change-conflicts")
    assert str(caught.value) == ("<spec>:0:0: policy change-conflicts: spec.relatedCi: "
                                 "'relationshipTypes' is a required property")
