"""JSON Schemas for policy documents, generated from the registered kinds and action types.

The published files in `schemas/` are this module's output; a test fails when they are stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from csi_rules.actions import ActionType
from csi_rules.conditions.ast import OPERATORS
from csi_rules.records.fields import RECORD_KINDS

API_VERSION = "csi-rules/v1"
SCHEMA_BASE = "https://csi-rules.dev/schemas/"
NAME_PATTERN = r"^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$"
FIELD_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_$-]+)*$"

_SCALAR = {"type": ["string", "number", "boolean"]}
_OP_VALUES: dict[str, dict[str, Any]] = {
    "eq": _SCALAR, "ne": _SCALAR,
    "lt": {"type": ["string", "number"]}, "lte": {"type": ["string", "number"]},
    "gt": {"type": ["string", "number"]}, "gte": {"type": ["string", "number"]},
    "in": {"type": "array", "items": _SCALAR, "minItems": 1},
    "not_in": {"type": "array", "items": _SCALAR, "minItems": 1},
    "matches": {"type": "string"},
    "exists": {"type": "boolean"},
    "contains": _SCALAR,
    "between": {"type": "array", "items": {"type": ["string", "number"]},
                "minItems": 2, "maxItems": 2},
}


def condition_schema() -> dict[str, Any]:
    """A condition: `{field, <op>: value}`, or `{all: [...]}`, `{any: [...]}`, `{not: ...}`.

    Which keys may be combined is checked after the schema (conditions/shape.py) so the
    message can say exactly what is wrong.
    """
    ref = {"$ref": "#/$defs/condition"}
    props: dict[str, Any] = {
        "all": {"type": "array", "items": ref, "description": "every condition holds"},
        "any": {"type": "array", "items": ref, "minItems": 1,
                "description": "at least one condition holds"},
        "not": {**ref, "description": "the condition does not hold"},
        "field": {"type": "string", "pattern": FIELD_PATTERN,
                  "description": "dotted path of a record field, e.g. priority or raw.u_vip"},
    }
    for op, meaning in OPERATORS.items():
        props[op] = {**_OP_VALUES[op], "description": meaning}
    return {"type": "object", "properties": props, "additionalProperties": False,
            "minProperties": 1}


def action_schema(actions: Iterable[ActionType]) -> dict[str, Any]:
    """An action: a mapping with exactly one key, the action type, holding its parameters."""
    props = {a.name: {**a.params_schema, "description": a.description} for a in actions}
    return {"type": "object", "properties": props, "additionalProperties": False,
            "minProperties": 1, "maxProperties": 1}


def rule_schema(extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A rule, shared by every kind made of rules; kinds may add properties through `extra`."""
    props: dict[str, Any] = {
        "id": {"type": "string", "pattern": NAME_PATTERN,
               "description": "unique within the policy; shows in every decision"},
        "description": {"type": "string"},
        "priority": {"type": "integer",
                     "description": "lower is evaluated first (default 100); ties keep file order"},
        "when": {"$ref": "#/$defs/condition",
                 "description": "the condition; omitted means every record"},
        "actions": {"type": "array", "items": {"$ref": "#/$defs/action"},
                    "description": "what to do when the rule is chosen"},
    }
    props.update(extra or {})
    return {"type": "object", "required": ["id"], "properties": props,
            "additionalProperties": False}


def applies_to_schema(default: list[str]) -> dict[str, Any]:
    return {"type": "array", "items": {"enum": list(RECORD_KINDS)}, "minItems": 1,
            "uniqueItems": True, "default": default,
            "description": f"record kinds the policy evaluates (default {default})"}


METADATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "pattern": NAME_PATTERN,
                 "description": "unique policy name: lowercase letters, digits, . _ -"},
        "owner": {"type": "string", "description": "team or person accountable"},
        "description": {"type": "string"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
    },
}


def document_schema(kind: str, spec: dict[str, Any], actions: Iterable[ActionType],
                    description: str = "") -> dict[str, Any]:
    """The full schema of one document of `kind`, self-contained for editors."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}{kind.lower()}.schema.json",
        "title": f"csi-rules {kind}",
        "description": description,
        "type": "object",
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "properties": {
            "apiVersion": {"const": API_VERSION},
            "kind": {"const": kind},
            "metadata": METADATA_SCHEMA,
            "spec": with_precedence(spec),
        },
        "$defs": {"condition": condition_schema(), "action": action_schema(actions)},
    }


PRECEDENCE_SCHEMA: dict[str, Any] = {
    "type": "integer", "default": 100,
    "description": "when this policy and another decide different values for one field of "
    "the same record in one cycle (assignment group, assignee, priority, a set_field), the "
    "lower precedence wins, then the policy name; the other action is recorded as skipped "
    "(overridden). Escalations go first, highest level first, whatever the precedence.",
}


def with_precedence(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec.precedence` for every kind whose spec holds actions (they may fight)."""
    props = spec.get("properties")
    if not isinstance(props, dict) or "#/$defs/action" not in repr(spec):
        return spec
    return {**spec, "properties": {**props, "precedence": PRECEDENCE_SCHEMA}}


def combined_schema(per_kind: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One schema for any policy document: dispatches on `kind` (what editors point at)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE}policy.schema.json",
        "title": "csi-rules policy document",
        "type": "object",
        "required": ["apiVersion", "kind"],
        "properties": {"kind": {"enum": sorted(per_kind)}},
        "allOf": [
            {"if": {"properties": {"kind": {"const": k}}, "required": ["kind"]},
             "then": {"$ref": f"{k.lower()}.schema.json"}}
            for k in sorted(per_kind)
        ],
    }
