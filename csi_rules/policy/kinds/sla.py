"""SlaPolicy: response/resolution (or any named) targets, clock rules and % thresholds."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from csi_rules.conditions.ast import ALWAYS, Condition, Pointer
from csi_rules.conditions.parse import parse_condition
from csi_rules.findings import Finding
from csi_rules.policy.kinds.base import CheckContext
from csi_rules.policy.kinds.rules import build_actions, build_policy, condition_findings
from csi_rules.policy.loader import Document
from csi_rules.policy.model import Policy
from csi_rules.policy.schema import NAME_PATTERN, applies_to_schema
from csi_rules.sla.durations import DURATION_SCHEMA, parse_duration

COND = {"$ref": "#/$defs/condition"}
CLOCK_FIELDS = ("start", "pause", "stop", "cancel")


def _clock_schema(required: list[str]) -> dict[str, Any]:
    return {
        "type": "object", "additionalProperties": False, "required": required,
        "properties": {
            "start": {**COND, "description": "the clock starts when this first holds "
                      "(default: when the ticket opens)"},
            "pause": {**COND, "description": "the clock stands still while this holds "
                      "(e.g. Awaiting ... states)"},
            "stop": {**COND, "description": "the clock stops when this holds (e.g. resolved)"},
            "cancel": {**COND, "description": "the SLA is cancelled when this holds"},
            "onReopen": {"enum": ["resume", "restart"], "default": "resume",
                         "description": "when `stop` no longer holds: resume the same clock, "
                         "or restart a new cycle from zero"},
        },
    }


THRESHOLD_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["id", "at"],
    "properties": {
        "id": {"type": "string", "pattern": NAME_PATTERN,
               "description": "name of the threshold (warning, at-risk, breach)"},
        "at": {"type": "number", "exclusiveMinimum": 0,
               "description": "percentage of the target (100 = breach)"},
        "actions": {"type": "array", "items": {"$ref": "#/$defs/action"},
                    "description": "what to do once, when the threshold is crossed"},
    },
}


class SlaPolicy:
    """SLA targets by condition (priority, tier, kind, category) with business-time clocks."""

    name = "SlaPolicy"
    description = ("SLA targets per metric (response, resolution, ...) chosen by conditions, "
                   "counted in a business calendar, with start/pause/stop rules and % "
                   "thresholds that trigger actions.")

    def spec_schema(self) -> dict[str, Any]:
        thresholds = {"type": "array", "items": THRESHOLD_SCHEMA,
                      "description": "thresholds for every metric (a metric may override)"}
        target = {
            "type": "object", "additionalProperties": False, "required": ["target"],
            "properties": {
                "when": {**COND, "description": "records this goal is for (omitted: all)"},
                "target": DURATION_SCHEMA,
                "calendar": {"type": "string", "description": "calendar the target counts "
                             "in (default: spec.defaultCalendar)"},
            },
        }
        metric = {
            "type": "object", "additionalProperties": False, "required": ["name", "targets"],
            "properties": {
                "name": {"type": "string", "pattern": NAME_PATTERN,
                         "description": "metric name: response, resolution, or your own"},
                "clock": {**_clock_schema([]), "description": "overrides of spec.clock"},
                "targets": {"type": "array", "items": target, "minItems": 1,
                            "description": "goals; the first whose `when` holds applies"},
                "thresholds": thresholds,
            },
        }
        return {
            "type": "object", "additionalProperties": False, "required": ["clock", "metrics"],
            "properties": {
                "appliesTo": applies_to_schema(["incident"]),
                "defaultCalendar": {"type": "string", "default": "24x7",
                                    "description": "calendar for targets that name none"},
                "clock": {**_clock_schema(["stop"]),
                          "description": "clock rules shared by every metric"},
                "metrics": {"type": "array", "items": metric, "minItems": 1,
                            "description": "the measured SLAs"},
                "thresholds": thresholds,
            },
        }

    def check(self, doc: Document, ctx: CheckContext) -> list[Finding]:
        spec = doc.data["spec"]
        kinds = spec.get("appliesTo", ["incident"])
        out: list[Finding] = []
        for pointer, raw in _conditions(spec):
            out += condition_findings(doc, pointer, raw, kinds)
        names: dict[str, int] = {}
        for m, metric in enumerate(spec["metrics"]):
            if metric["name"] in names:
                out.append(doc.finding(("spec", "metrics", m, "name"),
                                       f"duplicate metric {metric['name']!r}"))
            names.setdefault(metric["name"], m)
            for t, target in enumerate(metric["targets"]):
                try:
                    if parse_duration(target["target"]) == 0:
                        raise ValueError("a target of 0 is breached the moment it starts")
                except ValueError as exc:
                    out.append(doc.finding(("spec", "metrics", m, "targets", t, "target"), str(exc)))
                if "when" not in target and t < len(metric["targets"]) - 1:
                    out.append(doc.finding(("spec", "metrics", m, "targets", t + 1),
                                           "unreachable target: the one before it has no `when` "
                                           "and applies to every record"))
        for pointer, thresholds in _threshold_lists(spec):
            out += _threshold_findings(doc, pointer, thresholds)
        return out

    def applies_to(self, doc: Document) -> tuple[str, ...]:
        return tuple(doc.data["spec"].get("appliesTo", ["incident"]))

    def build(self, doc: Document) -> Policy:
        # the runtime model, imported when building: validation needs none of it (start-up)
        from csi_rules.sla.model import ClockRules, Metric, SlaDefinition, Target, Threshold

        spec = doc.data["spec"]
        default_calendar = spec.get("defaultCalendar", "24x7")
        metrics = []
        for m, raw in enumerate(spec["metrics"]):
            base: Pointer = ("spec", "metrics", m)
            clock = {**spec["clock"], **raw.get("clock", {})}
            rules = ClockRules(
                start=_cond(clock.get("start"), ("spec", "clock", "start")) or ALWAYS,
                stop=_cond(clock["stop"], ("spec", "clock", "stop")) or ALWAYS,
                pause=_cond(clock.get("pause"), ("spec", "clock", "pause")),
                cancel=_cond(clock.get("cancel"), ("spec", "clock", "cancel")),
                on_reopen=clock.get("onReopen", "resume"))
            targets = tuple(
                Target(_cond(t.get("when"), (*base, "targets", i, "when")) or ALWAYS,
                       parse_duration(t["target"]), t.get("calendar", default_calendar),
                       doc.locate((*base, "targets", i))[0])
                for i, t in enumerate(raw["targets"]))
            thresholds_raw = raw.get("thresholds", spec.get("thresholds", []))
            where = (*base, "thresholds") if "thresholds" in raw else ("spec", "thresholds")
            thresholds = tuple(
                Threshold(t["id"], float(t["at"]), build_actions(t.get("actions", [])),
                          doc.locate((*where, i))[0])
                for i, t in enumerate(sorted(thresholds_raw, key=lambda t: t["at"])))
            metrics.append(Metric(raw["name"], rules, targets, thresholds, doc.locate(base)[0]))
        policy = build_policy(doc, applies_to=self.applies_to(doc),
                              hit_policy="none", rules=(), default_actions=())
        return replace(policy, compiled=SlaDefinition(policy.name, policy.applies_to, tuple(metrics)))


def _cond(raw: Any, pointer: Pointer) -> Condition | None:
    return None if raw is None else parse_condition(raw, pointer)


def _conditions(spec: dict[str, Any]) -> list[tuple[Pointer, Any]]:
    out: list[tuple[Pointer, Any]] = []
    for key in CLOCK_FIELDS:
        if key in spec["clock"]:
            out.append((("spec", "clock", key), spec["clock"][key]))
    for m, metric in enumerate(spec["metrics"]):
        for key in CLOCK_FIELDS:
            if key in metric.get("clock", {}):
                out.append((("spec", "metrics", m, "clock", key), metric["clock"][key]))
        for t, target in enumerate(metric["targets"]):
            if "when" in target:
                out.append((("spec", "metrics", m, "targets", t, "when"), target["when"]))
    return out


def _threshold_lists(spec: dict[str, Any]) -> list[tuple[Pointer, list[dict[str, Any]]]]:
    out: list[tuple[Pointer, list[dict[str, Any]]]] = []
    if "thresholds" in spec:
        out.append((("spec", "thresholds"), spec["thresholds"]))
    for m, metric in enumerate(spec["metrics"]):
        if "thresholds" in metric:
            out.append((("spec", "metrics", m, "thresholds"), metric["thresholds"]))
    return out


def _threshold_findings(doc: Document, pointer: Pointer,
                        thresholds: list[dict[str, Any]]) -> list[Finding]:
    out = []
    ids: dict[str, int] = {}
    percents: dict[float, int] = {}
    for i, t in enumerate(thresholds):
        if t["id"] in ids:
            out.append(doc.finding((*pointer, i, "id"), f"duplicate threshold id {t['id']!r}"))
        if t["at"] in percents:
            out.append(doc.finding((*pointer, i, "at"), f"two thresholds at {t['at']}% "
                                   f"({thresholds[percents[t['at']]]['id']!r} and {t['id']!r})"))
        ids.setdefault(t["id"], i)
        percents.setdefault(t["at"], i)
    return out
