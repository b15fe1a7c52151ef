"""JSON Schema of the `spec` of a `kind: ConflictPolicy` document.

Each top-level key switches one check on; a key that is absent means the check does not run.
Keys are camelCase like the other policy kinds, and the same names appear as `check` in every
reported conflict. Semantic checks the schema cannot express (end after start, real IANA zones,
offsets on date-times) live in `settings.py`.
"""

from __future__ import annotations

from typing import Any

from csi_rules.records.fields import CHANGE_TYPES

_SEVERITY = {"enum": ["blocking", "advisory"],
             "description": "blocking: a go/no-go gate says no-go while the conflict stands; "
                            "advisory: reported as a warning only."}
_ENABLED = {"type": "boolean", "default": True,
            "description": "Set to false to keep the settings but skip the check."}
_DATETIME = {"type": "string", "format": "date-time",
             "description": "ISO 8601 date-time with a UTC offset, e.g. 2024-12-20T18:00:00+01:00."}
_CHANGE_TYPE_LIST = {"type": "array", "items": {"enum": list(CHANGE_TYPES)}, "uniqueItems": True}
_NAMES = {"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True}
_CLOCK = {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"}
_DAY = {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]}
_MIN_OVERLAP = {"type": "integer", "minimum": 0, "default": 0,
                "description": "Only report overlaps at least this many minutes long; 0 reports "
                               "every overlap (windows that merely touch never conflict)."}


def _ignore(what: str) -> dict[str, Any]:
    return {**_CHANGE_TYPE_LIST, "default": [],
            "description": f"Changes of these types take no part in {what}."}


def _window(named: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "start": {**_DATETIME, "description": "First instant of the window (inclusive)."},
        "end": {**_DATETIME, "description": "End of the window (exclusive; must be after start)."},
        "description": {"type": "string", "description": "Free text shown in reports."},
    }
    if named:
        props["name"] = {"type": "string", "minLength": 1,
                         "description": "Name used in reports, e.g. 'year-end freeze'."}
    return {"type": "object", "additionalProperties": False,
            "required": ["name", "start", "end"] if named else ["start", "end"],
            "properties": props}


_WEEKLY_SPAN = {
    "type": "object", "additionalProperties": False, "required": ["days", "start", "end"],
    "properties": {
        "days": {"type": "array", "items": _DAY, "minItems": 1, "uniqueItems": True,
                 "description": "Weekdays on which the span starts (local time)."},
        "start": {**_CLOCK, "description": "Local start time HH:MM."},
        "end": {**_CLOCK, "description": "Local end time HH:MM (24:00 allowed); an end at or "
                                         "before start runs overnight into the next day."},
    },
}

_WINDOW_SET = {
    "type": "object", "additionalProperties": False, "minProperties": 1,
    "properties": {
        "timeZone": {"type": "string", "minLength": 1,
                     "description": "IANA zone for the weekly spans of this set; defaults to "
                                    "maintenanceWindows.timeZone."},
        "weekly": {"type": "array", "items": _WEEKLY_SPAN,
                   "description": "Recurring weekly spans in local time."},
        "explicit": {"type": "array", "items": _window(named=False),
                     "description": "One-off windows with explicit offsets."},
    },
}

_CHECK_COMMON = {"enabled": _ENABLED, "severity": _SEVERITY}

_INITIATIVE = {
    "type": "object", "additionalProperties": False, "required": ["id", "start", "end"],
    "properties": {
        "id": {"type": "string", "minLength": 1, "description": "Unique id, e.g. CSI-12."},
        "title": {"type": "string", "description": "What the initiative improves."},
        "start": {**_DATETIME, "description": "When the initiative's work starts (inclusive)."},
        "end": {**_DATETIME, "description": "When it ends (exclusive)."},
        "people": {**_NAMES, "default": [],
                   "description": "People it needs (compared with change assignees)."},
        "groups": {**_NAMES, "default": [],
                   "description": "Groups it needs (compared with change assignment groups)."},
        "configurationItems": {**_NAMES, "default": [],
                               "description": "CIs whose change window it needs."},
    },
}

CONFLICT_POLICY_SPEC_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "description": "Which resource-conflict checks run over a change schedule, and how.",
    "properties": {
        "maxWindowHours": {"type": "number", "exclusiveMinimum": 0,
                           "description": "Leave out changes whose planned window is longer "
                                          "than this many hours (a months-long window says "
                                          "little about when the work happens); they are "
                                          "listed as not checked and counted as excluded by "
                                          "policy."},
        "sameCi": {
            "type": "object", "additionalProperties": False,
            "description": "Two changes whose planned windows overlap on the same CI.",
            "properties": {
                **_CHECK_COMMON,
                "severity": {**_SEVERITY, "default": "blocking"},
                "minOverlapMinutes": _MIN_OVERLAP,
                "ignoreChangeTypes": _ignore("the same-CI check"),
            },
        },
        "relatedCi": {
            "type": "object", "additionalProperties": False, "required": ["relationshipTypes"],
            "description": "Two changes overlapping in time on CIs related in the CMDB graph "
                           "(relationships followed in both directions). Pairs the sameCi "
                           "check already reported are not repeated.",
            "properties": {
                **_CHECK_COMMON,
                "severity": {**_SEVERITY, "default": "advisory"},
                "relationshipTypes": {**_NAMES, "minItems": 1,
                                      "description": "Relationship types to follow, e.g. "
                                                     "depends_on, runs_on."},
                "depth": {"type": "integer", "minimum": 1, "maximum": 6, "default": 1,
                          "description": "Most relationship hops between the two CIs."},
                "minOverlapMinutes": _MIN_OVERLAP,
                "ignoreChangeTypes": _ignore("the related-CI check"),
            },
        },
        "capacity": {
            "type": "object", "additionalProperties": False, "required": ["resources"],
            "description": "People or groups booked by more concurrent changes than they can "
                           "carry.",
            "properties": {
                **_CHECK_COMMON,
                "severity": {**_SEVERITY, "default": "advisory"},
                "ignoreChangeTypes": _ignore("the capacity check"),
                "resources": {
                    "type": "array", "minItems": 1,
                    "description": "Which change field names the booked resource, and its "
                                   "capacity.",
                    "items": {
                        "type": "object", "additionalProperties": False, "required": ["field"],
                        "properties": {
                            "field": {"type": "string",
                                      "pattern": r"^(assignee|assignment_group|raw\.[^.\s]+)$",
                                      "description": "assignee, assignment_group or raw.<name> "
                                                     "(a string or list of strings)."},
                            "capacity": {"type": "integer", "minimum": 1, "default": 1,
                                         "description": "Most changes one resource may carry "
                                                        "at the same time."},
                            "overrides": {"type": "object",
                                          "additionalProperties": {"type": "integer",
                                                                   "minimum": 1},
                                          "description": "Capacity per named resource, e.g. "
                                                         "{dba-team: 3}."},
                        },
                    },
                },
            },
        },
        "blackouts": {
            "type": "object", "additionalProperties": False, "required": ["windows"],
            "description": "Windows no change may overlap (freezes, peak business periods).",
            "properties": {
                **_CHECK_COMMON,
                "severity": {**_SEVERITY, "default": "blocking"},
                "exemptChangeTypes": {**_CHANGE_TYPE_LIST, "default": [],
                                      "description": "Change types allowed inside blackouts, "
                                                     "e.g. [emergency]."},
                "windows": {"type": "array", "items": _window(named=True), "minItems": 1,
                            "description": "The blackout windows."},
            },
        },
        "maintenanceWindows": {
            "type": "object", "additionalProperties": False,
            "description": "A change on a CI must lie inside that CI's maintenance windows. CIs "
                           "with no windows (and no default) are not checked.",
            "properties": {
                **_CHECK_COMMON,
                "severity": {**_SEVERITY, "default": "advisory"},
                "exemptChangeTypes": {**_CHANGE_TYPE_LIST, "default": [],
                                      "description": "Change types allowed outside "
                                                     "maintenance windows."},
                "timeZone": {"type": "string", "minLength": 1, "default": "UTC",
                             "description": "IANA zone for weekly spans, e.g. Europe/Amsterdam."},
                "default": {**_WINDOW_SET,
                            "description": "Windows for every CI not listed under cis."},
                "cis": {"type": "object", "additionalProperties": _WINDOW_SET,
                        "description": "Windows per CI name (replacing the default for it)."},
            },
        },
        "initiatives": {
            "type": "object", "additionalProperties": False, "required": ["items"],
            "description": "Improvement initiatives competing with changes (or each other) for "
                           "the same people, groups or CI change windows at the same time.",
            "properties": {
                **_CHECK_COMMON,
                "severity": {**_SEVERITY, "default": "advisory"},
                "competeOn": {"type": "array", "uniqueItems": True, "minItems": 1,
                              "items": {"enum": ["people", "groups", "configurationItems"]},
                              "default": ["people", "groups", "configurationItems"],
                              "description": "What counts as competing."},
                "items": {"type": "array", "items": _INITIATIVE,
                          "description": "The initiatives, each with a window and what it "
                                         "needs."},
            },
        },
    },
}
