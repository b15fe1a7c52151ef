"""The Calendar spec schema: a valid 2020-12 schema, closed objects, documented properties."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator

from csi_rules.calendars import CALENDAR_SPEC_SCHEMA


def _object_schemas(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if node.get("type") == "object":
            yield path, node
        for key, value in node.items():
            yield from _object_schemas(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _object_schemas(value, f"{path}/{i}")


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    Draft202012Validator.check_schema(CALENDAR_SPEC_SCHEMA)


def test_every_object_is_closed_and_every_property_described() -> None:
    objects = list(_object_schemas(CALENDAR_SPEC_SCHEMA))
    assert len(objects) >= 8  # spec, hours, five holiday forms, exclusion
    for path, schema in objects:
        assert schema.get("additionalProperties") is False, path
        for name, prop in schema["properties"].items():
            assert prop.get("description"), f"{path}/properties/{name}"


def test_example_from_the_docs_validates() -> None:
    example = {
        "timezone": "Europe/Amsterdam",
        "hours": {"mon": ["08:30-12:00", "13:00-17:30"], "fri": ["09:00-17:00", "22:00-06:00"]},
        "holidays": ["2026-12-24", {"month": 12, "day": 25, "name": "Christmas Day"},
                     {"rule": "nth_weekday", "month": 5, "weekday": "mon", "n": -1},
                     {"rule": "easter", "offset": 1}, {"country": "NL"}],
        "exclusions": [{"name": "core switch", "start": "2026-03-14T22:00:00+01:00",
                        "end": "2026-03-15T04:00:00+01:00", "kind": "maintenance"}],
    }
    assert list(Draft202012Validator(CALENDAR_SPEC_SCHEMA).iter_errors(example)) == []
