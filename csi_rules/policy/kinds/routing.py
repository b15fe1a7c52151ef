"""RoutingPolicy: match incidents and requests, then assign, reprioritise, comment or notify.

A live runner looks at every ticket again whenever it changes, so routing needs a trigger
saying when its rules apply at all. The default, `unassigned`, is what ServiceNow assignment
rules do: route only while the ticket has neither a group nor an assignee, so a ticket
somebody already owns is never taken away from them unless the policy says `always` (or gives
its own condition).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from csi_rules.conditions.ast import Condition
from csi_rules.conditions.parse import parse_condition
from csi_rules.findings import Finding
from csi_rules.policy.kinds.base import CheckContext
from csi_rules.policy.kinds.rules import (
    HIT_POLICIES,
    build_actions,
    build_policy,
    build_rules,
    check_rules,
    condition_findings,
)
from csi_rules.policy.loader import Document
from csi_rules.policy.model import Policy
from csi_rules.policy.schema import applies_to_schema, rule_schema

DEFAULT_APPLIES_TO = ["incident", "request"]
DEFAULT_TRIGGER = "unassigned"
TRIGGERS = {
    "unassigned": "only while the ticket has neither an assignment group nor an assignee (as "
                  "ServiceNow assignment rules do)",
    "always": "every time the ticket is evaluated, even when somebody already owns it",
}
# ServiceNow: "The record cannot have an existing value for either the assigned_to or
# assignment_group fields" (c_AssignmentRulesModule); a Jira ticket has only an assignee.
UNASSIGNED = {"all": [{"field": "assignment_group", "exists": False},
                      {"field": "assignee", "exists": False}]}


@dataclass(frozen=True)
class RoutingTrigger:
    """When a routing policy's rules apply: `name` is unassigned, always or condition."""

    name: str
    when: Condition | None  # None: always

    def describe(self) -> str:
        return TRIGGERS.get(self.name, "only while spec.trigger holds")


def build_trigger(raw: Any) -> RoutingTrigger:
    if raw == "always":
        return RoutingTrigger("always", None)
    if raw == "unassigned":
        return RoutingTrigger("unassigned", parse_condition(UNASSIGNED, ("spec", "trigger")))
    return RoutingTrigger("condition", parse_condition(raw, ("spec", "trigger")))


class RoutingPolicy:
    """Incident/request routing: conditions over record fields choose assignment and follow-ups."""

    name = "RoutingPolicy"
    description = ("Routes incidents and requests: while its trigger holds (by default: the "
                   "ticket has neither an assignment group nor an assignee), the first (or "
                   "every) matching rule assigns a group or person, changes priority, comments "
                   "or notifies.")

    def spec_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["rules"],
            "additionalProperties": False,
            "properties": {
                "appliesTo": applies_to_schema(DEFAULT_APPLIES_TO),
                "trigger": {
                    "default": DEFAULT_TRIGGER,
                    "description": "when the rules apply at all: unassigned (default) "
                    "routes only tickets with neither an assignment group nor an "
                    "assignee, as ServiceNow assignment rules do, so an owned ticket is never "
                    "re-routed; always applies them on every evaluation (e.g. a priority matrix); or a "
                    "condition on the ticket.",
                    "if": {"type": "string"}, "then": {"enum": list(TRIGGERS)},
                    "else": {"$ref": "#/$defs/condition"},
                },
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
        kinds = spec.get("appliesTo", DEFAULT_APPLIES_TO)
        out = check_rules(doc, ("spec", "rules"), kinds, spec.get("hitPolicy", "first"))
        trigger = spec.get("trigger", DEFAULT_TRIGGER)
        if isinstance(trigger, dict):
            out += condition_findings(doc, ("spec", "trigger"), trigger, kinds)
        return out

    def applies_to(self, doc: Document) -> tuple[str, ...]:
        return tuple(doc.data["spec"].get("appliesTo", DEFAULT_APPLIES_TO))

    def build(self, doc: Document) -> Policy:
        spec = doc.data["spec"]
        hit = spec.get("hitPolicy", "first")
        policy = build_policy(
            doc, applies_to=self.applies_to(doc), hit_policy=hit,
            rules=build_rules(doc, ("spec", "rules"), hit),
            default_actions=build_actions(spec.get("default", {}).get("actions", [])),
        )
        return replace(policy, compiled=build_trigger(spec.get("trigger", DEFAULT_TRIGGER)))
