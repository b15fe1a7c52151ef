"""Generate the record JSON Schema from the field catalogue (published as schemas/record.schema.json)."""

from __future__ import annotations

from typing import Any

from csi_rules.records.fields import FIELDS, RECORD_KINDS, FieldSpec
from csi_rules.records.vocabulary import UNMAPPED_PREFIX

SCHEMA_ID = "https://csi-rules.dev/schemas/record.schema.json"

HISTORY_ENTRY: dict[str, Any] = {
    "type": "object",
    "description": "One field transition, as ServiceNow audit rows and Jira changelogs give them.",
    "required": ["at", "field"],
    "additionalProperties": False,
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "field": {"type": "string", "minLength": 1},
        "from": {},
        "to": {},
        "author": {"type": "string"},
    },
}


def _field_schema(spec: FieldSpec) -> dict[str, Any]:
    schema: dict[str, Any]
    if spec.type == "datetime":
        schema = {"type": "string", "format": "date-time"}
    elif spec.type == "string[]":
        schema = {"type": "array", "items": {"type": "string"}}
    else:
        schema = {"type": spec.type}
    if spec.type != "object" and not spec.required:
        schema = {"anyOf": [schema, {"type": "null"}]}
    target = schema["anyOf"][0] if "anyOf" in schema else schema
    if spec.enum:
        target["enum"] = list(spec.enum)
    if spec.minimum is not None:
        target["minimum"] = spec.minimum
    if spec.maximum is not None:
        target["maximum"] = spec.maximum
    schema["description"] = spec.description
    if spec.kinds != frozenset(RECORD_KINDS):
        schema["description"] += f" ({', '.join(sorted(spec.kinds))} only)"
    return schema


def _vocabulary_rules() -> list[dict[str, Any]]:
    """Per kind, the values a vocabulary field may take: the contract's, or `code:<value>`."""
    rules = []
    for name, spec in FIELDS.items():
        for kind, values in (spec.vocabulary or {}).items():
            allowed = {"anyOf": [{"enum": list(values)},
                                 {"type": "string", "pattern": f"^{UNMAPPED_PREFIX}."},
                                 {"type": "null"}]}
            rules.append({"if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                          "then": {"properties": {name: allowed}}})
    return rules


def record_schema() -> dict[str, Any]:
    """The JSON Schema a record must satisfy before any policy sees it."""
    props = {n: _field_schema(s) for n, s in FIELDS.items() if not s.derived}
    props["history"] = {"type": "array", "items": HISTORY_ENTRY}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "csi-rules record",
        "type": "object",
        "required": [n for n, s in FIELDS.items() if s.required],
        "additionalProperties": False,
        "properties": props,
        "allOf": _vocabulary_rules(),
    }


def record_schema_for_kind(kind: str) -> dict[str, Any]:
    """`record_schema()` as it reads for a record whose `kind` is `kind`: the shared part plus
    that kind's vocabulary rules, applied outright instead of behind an `if kind == ...`.

    Same verdict as the whole schema for such a record (its `if` holds for exactly these
    rules), but a compiled check no longer tries, and fails, every other kind's `if`."""
    schema = record_schema()
    schema["allOf"] = [rule["then"] for rule in schema["allOf"]
                       if rule["if"]["properties"]["kind"]["const"] == kind]
    return schema
