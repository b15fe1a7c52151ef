"""CorrelationPolicy: N matching tickets on one service, CI or category within a window."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from csi_rules.conditions.ast import ALWAYS
from csi_rules.conditions.parse import parse_condition
from csi_rules.findings import Finding
from csi_rules.policy.kinds.base import CheckContext
from csi_rules.policy.kinds.rules import build_actions, build_policy, condition_findings
from csi_rules.policy.loader import Document
from csi_rules.policy.model import Policy, Rule
from csi_rules.policy.schema import applies_to_schema
from csi_rules.records.fields import FIELDS
from csi_rules.sla.durations import DURATION_SCHEMA, parse_duration
from csi_rules.suggest import unknown_name


class CorrelationPolicy:
    """Correlate tickets: e.g. three P1s on one service in 10 minutes → major incident."""

    name = "CorrelationPolicy"
    description = ("Short-window correlation: when `count` tickets matching `when` share the "
                   "`groupBy` fields (service, CI, category, symptom) within `within`, the "
                   "actions run once for the set (declare a major incident, open a problem).")

    def spec_schema(self) -> dict[str, Any]:
        return {
            "type": "object", "additionalProperties": False,
            "required": ["groupBy", "count", "within", "actions"],
            "properties": {
                "appliesTo": applies_to_schema(["incident"]),
                "when": {"$ref": "#/$defs/condition",
                         "description": "which tickets count (omitted: all)"},
                "groupBy": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                            "description": "fields that must be equal, e.g. [service]; a list "
                            "field such as configuration_items groups by each element"},
                "count": {"type": "integer", "minimum": 2,
                          "description": "how many tickets make a set"},
                "within": {**DURATION_SCHEMA, "description": "longest span of one set, "
                           "e.g. '10m' or '30d' (calendar time)"},
                "timeField": {"enum": ["opened_at", "updated_at", "resolved_at"],
                              "default": "opened_at",
                              "description": "which instant places a ticket in time"},
                "actions": {"type": "array", "items": {"$ref": "#/$defs/action"}, "minItems": 1,
                            "description": "what to do once per set (on its last ticket)"},
            },
        }

    def check(self, doc: Document, ctx: CheckContext) -> list[Finding]:
        spec = doc.data["spec"]
        out: list[Finding] = []
        for i, path in enumerate(spec["groupBy"]):
            if path.split(".")[0] not in FIELDS:
                out.append(doc.finding(("spec", "groupBy", i), unknown_name("field", path, FIELDS)))
        try:
            if parse_duration(spec["within"]) <= 0:
                out.append(doc.finding(("spec", "within"), "within must be longer than 0"))
        except ValueError as exc:
            out.append(doc.finding(("spec", "within"), str(exc)))
        if "when" in spec:
            out += condition_findings(doc, ("spec", "when"), spec["when"],
                                      spec.get("appliesTo", ["incident"]))
        return out

    def applies_to(self, doc: Document) -> tuple[str, ...]:
        return tuple(doc.data["spec"].get("appliesTo", ["incident"]))

    def build(self, doc: Document) -> Policy:
        spec = doc.data["spec"]
        when = parse_condition(spec["when"], ("spec", "when")) if "when" in spec else ALWAYS
        rule = Rule(id="correlated", order=0, priority=0, when=when,
                    actions=build_actions(spec["actions"]), description="",
                    file=doc.file, line=doc.locate(("spec",))[0])
        policy = build_policy(doc, applies_to=self.applies_to(doc),
                              hit_policy="first", rules=(rule,), default_actions=())
        return replace(policy, compiled={**spec, "within_seconds": parse_duration(spec["within"])})
