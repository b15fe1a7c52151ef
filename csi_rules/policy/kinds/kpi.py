"""KpiPolicy: a KPI that misses its target for N consecutive periods triggers actions."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from csi_rules.findings import Finding
from csi_rules.policy.kinds.base import CheckContext
from csi_rules.policy.kinds.rules import build_actions, build_policy
from csi_rules.policy.loader import Document
from csi_rules.policy.model import Policy


class KpiPolicy:
    """'Breached N consecutive periods' on a KPI series (e.g. weekly MTTR per service)."""

    name = "KpiPolicy"
    description = ("A continual-improvement trigger: when a KPI series (e.g. weekly MTTR per "
                   "service) misses its target for N consecutive periods, actions such as "
                   "opening an improvement review are requested.")

    def spec_schema(self) -> dict[str, Any]:
        return {
            "type": "object", "additionalProperties": False,
            "required": ["metric", "breach", "consecutive", "actions"],
            "properties": {
                "metric": {"type": "string", "minLength": 1,
                           "description": "KPI name in the series (e.g. mttr_hours)"},
                "groupBy": {"type": "array", "items": {"type": "string"}, "default": [],
                            "description": "labels that split the series (e.g. [service])"},
                "period": {"enum": ["day", "week", "month"], "default": "week",
                           "description": "length of one period; a missing period ends a run"},
                "breach": {"type": "object", "additionalProperties": False,
                           "required": ["op", "value"],
                           "description": "when a period counts as breached",
                           "properties": {"op": {"enum": ["gt", "gte", "lt", "lte"],
                                                 "description": "comparison with value"},
                                          "value": {"type": "number",
                                                    "description": "the target"}}},
                "consecutive": {"type": "integer", "minimum": 1,
                                "description": "breached periods in a row that trigger"},
                "actions": {"type": "array", "items": {"$ref": "#/$defs/action"},
                            "minItems": 1, "description": "what to do, once per run"},
            },
        }

    def check(self, doc: Document, ctx: CheckContext) -> list[Finding]:
        return []

    def applies_to(self, doc: Document) -> tuple[str, ...]:
        return ()

    def build(self, doc: Document) -> Policy:
        spec = doc.data["spec"]
        policy = build_policy(doc, applies_to=self.applies_to(doc), hit_policy="none", rules=(),
                              default_actions=build_actions(spec["actions"]))
        return replace(policy, compiled=spec)
