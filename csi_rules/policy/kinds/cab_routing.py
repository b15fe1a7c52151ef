"""CabRoutingPolicy: a decision table choosing a change's approval route."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo

from csi_rules.change.meetings import WEEKDAYS, Meeting
from csi_rules.conditions.ast import AllOf, Matcher, Pointer
from csi_rules.findings import Finding
from csi_rules.policy.kinds.base import CheckContext
from csi_rules.policy.kinds.rules import HIT_POLICIES, build_policy, build_rules, check_rules
from csi_rules.policy.loader import Document
from csi_rules.policy.model import Action, Policy, Rule
from csi_rules.policy.schema import NAME_PATTERN, applies_to_schema, rule_schema
from csi_rules.records.fields import RISK_LEVELS
from csi_rules.sla.durations import DURATION_SCHEMA, parse_duration
from csi_rules.suggest import unknown_name

ROUTE_TYPES = ("pre-approved", "peer-review", "cab", "emergency-cab")

ROUTE_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["type"],
    "description": "the approval route this row chooses",
    "properties": {
        "type": {"enum": list(ROUTE_TYPES), "description": "pre-approved standard change, "
                 "peer review, CAB or emergency CAB"},
        "model": {"type": "string", "description": "change model from spec.changeModels "
                  "(pre-approved routes)"},
        "approvers": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                      "description": "approver groups; each gets an approval request"},
        "quorum": {"type": "integer", "minimum": 1,
                   "description": "approvals needed per group (default 1)"},
        "meeting": {"type": "string", "description": "CAB meeting from spec.meetings that "
                    "reviews it"},
    },
}


class CabRoutingPolicy:
    """Which approval route a change takes, by type, risk, impact, CIs, services and lead time."""

    name = "CabRoutingPolicy"
    description = ("A decision table that routes changes to pre-approved, peer-review, CAB or "
                   "emergency-CAB approval, with approver groups, quorum and the CAB meeting "
                   "that can still take the change.")

    def spec_schema(self) -> dict[str, Any]:
        model = {"type": "object", "additionalProperties": False, "required": ["id"],
                 "properties": {
                     "id": {"type": "string", "pattern": NAME_PATTERN,
                            "description": "model name, referenced as raw.change_model"},
                     "description": {"type": "string", "description": "what the model covers"},
                     "maxRisk": {"enum": list(RISK_LEVELS),
                                 "description": "highest risk the model is pre-approved for"}}}
        meeting = {"type": "object", "additionalProperties": False,
                   "required": ["id", "weekday", "time", "timezone"],
                   "properties": {
                       "id": {"type": "string", "pattern": NAME_PATTERN,
                              "description": "meeting name"},
                       "weekday": {"enum": list(WEEKDAYS), "description": "day it meets"},
                       "time": {"type": "string", "pattern": r"^\d\d:\d\d$",
                                "description": "local start time, HH:MM"},
                       "timezone": {"type": "string", "description": "IANA time zone"},
                       "minimumLeadTime": {**DURATION_SCHEMA, "description": "a change must be "
                                           "submitted this long before the meeting"}}}
        return {
            "type": "object", "additionalProperties": False, "required": ["rules"],
            "properties": {
                "appliesTo": applies_to_schema(["change"]),
                "hitPolicy": {"enum": list(HIT_POLICIES), "default": "first",
                              "description": "first, collect or unique (overlaps are errors)"},
                "changeModels": {"type": "array", "items": model,
                                 "description": "catalogue of pre-approved standard changes"},
                "meetings": {"type": "array", "items": meeting, "description": "CAB meetings"},
                "rules": {"type": "array", "minItems": 1,
                          "items": rule_schema({"route": ROUTE_SCHEMA}),
                          "description": "rows of the decision table"},
            },
        }

    def check(self, doc: Document, ctx: CheckContext) -> list[Finding]:
        spec = doc.data["spec"]
        out = check_rules(doc, ("spec", "rules"), spec.get("appliesTo", ["change"]),
                          spec.get("hitPolicy", "first"))
        models = {m["id"] for m in spec.get("changeModels", [])}
        meetings = {m["id"] for m in spec.get("meetings", [])}
        for i, m in enumerate(spec.get("meetings", [])):
            pointer = ("spec", "meetings", i)
            try:
                ZoneInfo(m["timezone"])
            except (ValueError, KeyError):
                out.append(doc.finding((*pointer, "timezone"), f"unknown time zone {m['timezone']!r}"))
            try:
                time.fromisoformat(m["time"])
            except ValueError:
                out.append(doc.finding((*pointer, "time"), f"{m['time']!r} is not a time of day"))
            if "minimumLeadTime" in m:
                try:
                    parse_duration(m["minimumLeadTime"])
                except ValueError as exc:
                    out.append(doc.finding((*pointer, "minimumLeadTime"), str(exc)))
        for i, rule in enumerate(spec["rules"]):
            route = rule.get("route")
            route_ptr: Pointer = ("spec", "rules", i, "route")
            if route is None:
                out.append(doc.finding(("spec", "rules", i), f"rule {rule['id']!r} has no route"))
                continue
            if "model" in route and route["model"] not in models:
                out.append(doc.finding((*route_ptr, "model"),
                                       unknown_name("change model", route["model"], models)))
            if "meeting" in route and route["meeting"] not in meetings:
                out.append(doc.finding((*route_ptr, "meeting"),
                                       unknown_name("CAB meeting", route["meeting"], meetings)))
            if route["type"] == "pre-approved" and "model" not in route:
                out.append(doc.finding(route_ptr, "a pre-approved route names its change model"))
            if route["type"] in ("cab", "emergency-cab", "peer-review") and "approvers" not in route:
                out.append(doc.finding(route_ptr, f"a {route['type']} route needs approvers"))
        return out

    def implied_actions(self, doc: Document) -> list[tuple[tuple[Any, ...], Action]]:
        """The approval request each route asks of each approver group (adapters' check)."""
        out = []
        for i, raw in enumerate(doc.data["spec"].get("rules", [])):
            route = raw.get("route") or {}
            for group in route.get("approvers", ()):
                out.append((("spec", "rules", i, "route"),
                            Action("request_approval", {"group": group,
                                                        "quorum": route.get("quorum", 1)})))
        return out

    def applies_to(self, doc: Document) -> tuple[str, ...]:
        return tuple(doc.data["spec"].get("appliesTo", ["change"]))

    def build(self, doc: Document) -> Policy:
        spec = doc.data["spec"]
        hit = spec.get("hitPolicy", "first")
        meetings = {
            m["id"]: Meeting(m["id"], WEEKDAYS.index(m["weekday"]), time.fromisoformat(m["time"]),
                             ZoneInfo(m["timezone"]), parse_duration(m.get("minimumLeadTime", 0)))
            for m in spec.get("meetings", [])}
        models = {m["id"]: m for m in spec.get("changeModels", [])}
        pointers: dict[str, Pointer] = {m["id"]: ("spec", "changeModels", i, "maxRisk")
                    for i, m in enumerate(spec.get("changeModels", []))}
        rules = tuple(_within_model_risk(rule, models, pointers)
                      for rule in build_rules(doc, ("spec", "rules"), hit))
        policy = build_policy(doc, applies_to=self.applies_to(doc), hit_policy=hit,
                              rules=rules, default_actions=())
        return replace(policy, compiled={"meetings": meetings, "models": models})


def _within_model_risk(rule: Rule, models: dict[str, Any],
                       pointers: dict[str, Pointer]) -> Rule:
    """A pre-approved row matches only changes within its model's maxRisk (a change with no
    risk, or above it, falls through to the next row: it is not pre-approved)."""
    route = rule.extra.get("route") or {}
    limit = models.get(route.get("model", ""), {}).get("maxRisk")
    if route.get("type") != "pre-approved" or limit is None:
        return rule
    allowed = list(RISK_LEVELS[:RISK_LEVELS.index(limit) + 1])
    bound = Matcher("risk", "in", allowed, pointers[route["model"]])
    return replace(rule, when=AllOf((rule.when, bound), rule.when.pointer))
