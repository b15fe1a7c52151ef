"""RoutingPolicy: match incidents and requests, then assign, reprioritise, comment or notify."""

from __future__ import annotations

from typing import Any

from csi_rules.findings import Finding
from csi_rules.policy.kinds.base import CheckContext
from csi_rules.policy.kinds.rules import (
    HIT_POLICIES,
    build_actions,
    build_policy,
    build_rules,
    check_rules,
)
from csi_rules.policy.loader import Document
from csi_rules.policy.model import Policy
from csi_rules.policy.schema import applies_to_schema, rule_schema

DEFAULT_APPLIES_TO = ["incident", "request"]


class RoutingPolicy:
    """Incident/request routing: conditions over record fields choose assignment and follow-ups."""

    name = "RoutingPolicy"
    description = ("Routes incidents and requests: the first (or every) matching rule assigns a "
                   "group or person, changes priority, comments or notifies.")

    def spec_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["rules"],
            "additionalProperties": False,
            "properties": {
                "appliesTo": applies_to_schema(DEFAULT_APPLIES_TO),
                "hitPolicy": {"enum": list(HIT_POLICIES), "default": "first",
                              "description": "first: the first matching rule by priority then "
                              "order; collect: every matching rule; unique: at most one rule may "
                              "match any record (overlaps are validation errors)"},
                "rules": {"type": "array", "items": rule_schema(), "minItems": 1},
                "default": {"type": "object", "additionalProperties": False,
                            "description": "actions when no rule matches",
                            "properties": {"actions": {"type": "array",
                                                       "items": {"$ref": "#/$defs/action"}}}},
            },
        }

    def check(self, doc: Document, ctx: CheckContext) -> list[Finding]:
        spec = doc.data["spec"]
        return check_rules(doc, ("spec", "rules"), spec.get("appliesTo", DEFAULT_APPLIES_TO),
                           spec.get("hitPolicy", "first"))

    def build(self, doc: Document) -> Policy:
        spec = doc.data["spec"]
        hit = spec.get("hitPolicy", "first")
        return build_policy(
            doc, applies_to=spec.get("appliesTo", DEFAULT_APPLIES_TO), hit_policy=hit,
            rules=build_rules(doc, ("spec", "rules"), hit),
            default_actions=build_actions(spec.get("default", {}).get("actions", [])),
        )
