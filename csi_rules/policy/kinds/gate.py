"""GatePolicy: go/no-go checks a change must pass before it may proceed."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from csi_rules.change.checks import CHECKS
from csi_rules.conditions.parse import parse_condition
from csi_rules.findings import Finding
from csi_rules.policy.kinds.base import CheckContext
from csi_rules.policy.kinds.rules import build_policy, condition_findings
from csi_rules.policy.loader import Document
from csi_rules.policy.model import Policy
from csi_rules.policy.schema import NAME_PATTERN, applies_to_schema
from csi_rules.records.fields import APPROVAL_STATES, CHANGE_TYPES, FIELDS, RISK_LEVELS
from csi_rules.suggest import unknown_name

# check type -> (required parameters, optional parameters)
PARAMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "required_fields": (("fields",), ()),
    "approval": ((), ("states",)),
    "in_window": ((), ()),
    "no_freeze": (("calendar",), ("kinds",)),
    "risk_bound": (("max",), ()),
    "change_model": ((), ("field",)),
    "no_conflicts": ((), ()),
    "condition": (("when",), ()),
}
COMMON = ("id", "type", "severity", "message", "description")

CHECK_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["id", "type"],
    "properties": {
        "id": {"type": "string", "pattern": NAME_PATTERN, "description": "check name"},
        "type": {"enum": list(CHECKS), "description": "what is checked: required_fields, "
                 "approval, in_window (now inside the planned window), no_freeze (no freeze or "
                 "blackout window of `calendar` overlaps), risk_bound, change_model (standard "
                 "changes use a catalogue model within its risk), no_conflicts (against "
                 "--schedule), condition (any condition must hold)"},
        "severity": {"enum": ["blocking", "advisory"], "default": "blocking",
                     "description": "blocking failures make the change no-go; advisory ones "
                     "give go with warnings"},
        "message": {"type": "string", "description": "reason shown when the check fails"},
        "description": {"type": "string", "description": "for readers of the policy"},
        "fields": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                   "description": "required_fields: fields that must be non-empty"},
        "states": {"type": "array", "items": {"enum": list(APPROVAL_STATES)}, "minItems": 1,
                   "description": "approval: accepted approval states (default [approved])"},
        "calendar": {"type": "string", "description": "no_freeze: calendar whose exclusion "
                     "windows are checked"},
        "kinds": {"type": "array", "items": {"enum": ["maintenance", "blackout", "freeze"]},
                  "description": "no_freeze: window kinds that block (default freeze, blackout)"},
        "max": {"type": "object", "additionalProperties": False,
                "description": "risk_bound: highest risk per change type",
                "properties": {t: {"enum": list(RISK_LEVELS),
                                   "description": f"bound for {t} changes"}
                               for t in CHANGE_TYPES}},
        "field": {"type": "string", "description": "change_model: field naming the model "
                  "(default raw.change_model)"},
        "when": {"$ref": "#/$defs/condition", "description": "condition: what must hold"},
    },
}


class GatePolicy:
    """Go/no-go: a change is blocked unless every blocking check passes."""

    name = "GatePolicy"
    description = ("Go/no-go checks for changes and releases: plans present, approved, inside "
                   "its window, not in a freeze, risk within bounds, catalogue model, no "
                   "conflicts, or any condition; blocking or advisory.")

    def spec_schema(self) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": False, "required": ["checks"],
                "properties": {"appliesTo": applies_to_schema(["change"]),
                               "checks": {"type": "array", "items": CHECK_SCHEMA, "minItems": 1,
                                          "description": "the checks, reported in this order"}}}

    def check(self, doc: Document, ctx: CheckContext) -> list[Finding]:
        spec = doc.data["spec"]
        out: list[Finding] = []
        ids: set[str] = set()
        for i, check in enumerate(spec["checks"]):
            pointer = ("spec", "checks", i)
            if check["id"] in ids:
                out.append(doc.finding((*pointer, "id"), f"duplicate check id {check['id']!r}"))
            ids.add(check["id"])
            required, optional = PARAMS[check["type"]]
            for key in required:
                if key not in check:
                    out.append(doc.finding(pointer, f"a {check['type']} check needs '{key}'"))
            for key in check:
                if key not in (*COMMON, *required, *optional):
                    out.append(doc.finding((*pointer, key), f"'{key}' does not apply to a "
                                           f"{check['type']} check"))
            for j, name in enumerate(check.get("fields", [])):
                if name.split(".")[0] not in FIELDS:
                    out.append(doc.finding((*pointer, "fields", j),
                                           unknown_name("field", name, FIELDS)))
            if "when" in check:
                out += condition_findings(doc, (*pointer, "when"), check["when"],
                                          spec.get("appliesTo", ["change"]))
        return out

    def applies_to(self, doc: Document) -> tuple[str, ...]:
        return tuple(doc.data["spec"].get("appliesTo", ["change"]))

    def build(self, doc: Document) -> Policy:
        spec = doc.data["spec"]
        checks = []
        for i, raw in enumerate(spec["checks"]):
            check = {**raw, "__line": doc.locate(("spec", "checks", i))[0]}
            if "when" in raw:
                check["__condition"] = parse_condition(raw["when"], ("spec", "checks", i, "when"))
            checks.append(check)
        policy = build_policy(doc, applies_to=self.applies_to(doc),
                              hit_policy="none", rules=(), default_actions=())
        return replace(policy, compiled=tuple(checks))
