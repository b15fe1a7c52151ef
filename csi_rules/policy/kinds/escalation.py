"""EscalationPolicy: levels with delays and targets, repeats, unacknowledged escalation, major incidents."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from csi_rules.conditions.ast import ALWAYS, Condition, Pointer
from csi_rules.conditions.parse import parse_condition
from csi_rules.findings import Finding
from csi_rules.policy.kinds.base import CheckContext
from csi_rules.policy.kinds.rules import build_actions, build_policy, condition_findings
from csi_rules.policy.loader import Document
from csi_rules.policy.model import Action, Policy
from csi_rules.policy.schema import NAME_PATTERN, applies_to_schema
from csi_rules.sla.durations import DURATION_SCHEMA, parse_duration

COND = {"$ref": "#/$defs/condition"}
ACTIONS = {"type": "array", "items": {"$ref": "#/$defs/action"}}
CONDITION_KEYS = ("when", "start", "acknowledged", "stop")


class EscalationPolicy:
    """Escalation ladders: who is pulled in, and when, until a ticket is acknowledged."""

    name = "EscalationPolicy"
    description = ("An escalation ladder: levels that fire after business-time delays until the "
                   "ticket is acknowledged or stopped, optionally repeated, plus a major-"
                   "incident trigger.")

    def spec_schema(self) -> dict[str, Any]:
        target = {"type": "object", "additionalProperties": False, "minProperties": 1,
                  "maxProperties": 1, "description": "who the level pulls in",
                  "properties": {"group": {"type": "string", "description": "a group"},
                                 "assignee": {"type": "string", "description": "a person"},
                                 "rota": {"type": "string", "description": "an on-call rota"}}}
        level = {
            "type": "object", "additionalProperties": False, "required": ["id", "after", "target"],
            "properties": {
                "id": {"type": "string", "pattern": NAME_PATTERN, "description": "level name"},
                "after": {**DURATION_SCHEMA, "description": "business time from the ladder's "
                          "start (not from the previous level), e.g. '15m'"},
                "calendar": {"type": "string", "description": "calendar for this level's delay "
                             "(default: spec.calendar)"},
                "target": target,
                "actions": {**ACTIONS, "description": "extra actions besides escalating"},
            },
        }
        return {
            "type": "object", "additionalProperties": False, "required": ["levels"],
            "properties": {
                "appliesTo": applies_to_schema(["incident"]),
                "when": {**COND, "description": "tickets this ladder is for (omitted: all)"},
                "start": {**COND, "description": "the ladder starts when this first holds "
                          "(default: when the ticket opens)"},
                "acknowledged": {**COND, "description": "the ladder ends once this holds, "
                                 "e.g. {field: assignee, exists: true}"},
                "stop": {**COND, "description": "the ladder also ends when this holds "
                         "(e.g. resolved)"},
                "calendar": {"type": "string", "default": "24x7",
                             "description": "calendar the delays count in"},
                "levels": {"type": "array", "items": level, "minItems": 1,
                           "description": "rungs, in order of increasing `after`"},
                "repeat": {"type": "object", "additionalProperties": False,
                           "required": ["times", "every"],
                           "description": "after the last level, climb again",
                           "properties": {
                               "times": {"type": "integer", "minimum": 1,
                                         "description": "how many more times"},
                               "fromLevel": {"type": "string", "description": "level id to "
                                             "restart from (default: the first)"},
                               "every": {**DURATION_SCHEMA, "description": "pause between "
                                         "the last level and the next climb"}}},
                "majorIncident": {"type": "object", "additionalProperties": False,
                                  "required": ["when", "actions"],
                                  "description": "declare a major incident on projected impact",
                                  "properties": {"when": COND, "actions": ACTIONS}},
            },
        }

    def check(self, doc: Document, ctx: CheckContext) -> list[Finding]:
        spec = doc.data["spec"]
        kinds = spec.get("appliesTo", ["incident"])
        out: list[Finding] = []
        for pointer, raw in _conditions(spec):
            out += condition_findings(doc, pointer, raw, kinds)
        previous = -1.0
        ids: dict[str, int] = {}
        for i, level in enumerate(spec["levels"]):
            pointer = ("spec", "levels", i)
            if level["id"] in ids:
                out.append(doc.finding((*pointer, "id"), f"duplicate level id {level['id']!r}"))
            ids.setdefault(level["id"], i)
            try:
                after = parse_duration(level["after"])
            except ValueError as exc:
                out.append(doc.finding((*pointer, "after"), str(exc)))
                continue
            if after <= previous:
                out.append(doc.finding((*pointer, "after"), f"level {level['id']!r} fires at "
                                       f"{level['after']}, not after the level before it; "
                                       "`after` counts from the ladder's start"))
            previous = after
        repeat = spec.get("repeat")
        if repeat:
            if "fromLevel" in repeat and repeat["fromLevel"] not in ids:
                from csi_rules.suggest import unknown_name

                out.append(doc.finding(("spec", "repeat", "fromLevel"),
                                       unknown_name("level", repeat["fromLevel"], ids)))
            try:
                if parse_duration(repeat["every"]) == 0:
                    out.append(doc.finding(("spec", "repeat", "every"),
                                           "repeat.every must be longer than 0"))
            except ValueError as exc:
                out.append(doc.finding(("spec", "repeat", "every"), str(exc)))
        return out

    def applies_to(self, doc: Document) -> tuple[str, ...]:
        return tuple(doc.data["spec"].get("appliesTo", ["incident"]))

    def build(self, doc: Document) -> Policy:
        # the runtime model, imported when building: validation needs none of it (start-up)
        from csi_rules.escalation.model import Ladder, Level, MajorIncident, Repeat

        spec = doc.data["spec"]
        calendar = spec.get("calendar", "24x7")
        levels = tuple(
            Level(raw["id"], i + 1, parse_duration(raw["after"]), raw.get("calendar", calendar),
                  raw["target"], (_escalate(i + 1, raw["target"]), *build_actions(raw.get("actions", []))),
                  doc.locate(("spec", "levels", i))[0])
            for i, raw in enumerate(spec["levels"]))
        repeat = None
        if "repeat" in spec:
            ids = [lvl.id for lvl in levels]
            start = ids.index(spec["repeat"]["fromLevel"]) if "fromLevel" in spec["repeat"] else 0
            repeat = Repeat(spec["repeat"]["times"], start, parse_duration(spec["repeat"]["every"]))
        major = None
        if "majorIncident" in spec:
            raw = spec["majorIncident"]
            major = MajorIncident(parse_condition(raw["when"], ("spec", "majorIncident", "when")),
                                  build_actions(raw["actions"]),
                                  doc.locate(("spec", "majorIncident"))[0])
        policy = build_policy(doc, applies_to=self.applies_to(doc),
                              hit_policy="none", rules=(), default_actions=())
        ladder = Ladder(policy.name, policy.applies_to, _cond(spec, "when") or ALWAYS,
                        _cond(spec, "start") or ALWAYS, _cond(spec, "acknowledged"),
                        _cond(spec, "stop"), levels, repeat, major)
        return replace(policy, compiled=ladder)

    def implied_actions(self, doc: Document) -> list[tuple[tuple[Any, ...], Action]]:
        """The `escalate` each level asks for, at its target (adapters' capabilities check)."""
        return [(("spec", "levels", i, "target"), _escalate(i + 1, raw["target"]))
                for i, raw in enumerate(doc.data["spec"]["levels"])]


def _escalate(number: int, target: dict[str, str]) -> Action:
    return Action("escalate", {"level": number, **target})


def _cond(spec: dict[str, Any], key: str) -> Condition | None:
    return parse_condition(spec[key], ("spec", key)) if key in spec else None


def _conditions(spec: dict[str, Any]) -> list[tuple[Pointer, Any]]:
    out: list[tuple[Pointer, Any]] = [(("spec", k), spec[k]) for k in CONDITION_KEYS if k in spec]
    if "majorIncident" in spec:
        out.append((("spec", "majorIncident", "when"), spec["majorIncident"]["when"]))
    return out
