"""What `check_condition` tells a policy author, message for message."""

from __future__ import annotations

from typing import Any

import pytest

from csi_rules.conditions import Matcher, parse_condition
from csi_rules.conditions.issues import Issue
from csi_rules.conditions.typecheck import check_condition

ALL = ()
INCIDENT = ("incident",)
CHANGE = ("change",)
VALID_INCIDENT_FIELDS = (
    "age_seconds, assignee, assignment_group, caller, category, closed_at, configuration_items, "
    "description, hold_reason, id, idle_seconds, impact, kind, labels, number, opened_at, "
    "platform, priority, raw, reassignment_count, reopen_count, resolution_code, resolved_at, "
    "service, service_tier, short_description, state, status_category, subcategory, unmapped, "
    "updated_at, urgency"
)
INTEGER_OPS = "eq, ne, in, not_in, lt, lte, gt, gte, between, exists"


def issues(raw: dict[str, Any], kinds: tuple[str, ...] = ALL) -> list[tuple[Any, ...]]:
    found = check_condition(parse_condition(raw), kinds)
    return [(i.pointer, i.message, i.severity) for i in found]


def error(pointer: tuple[Any, ...], message: str) -> list[tuple[Any, ...]]:
    return [(pointer, message, "error")]


CLEAN = [
    ({"field": "priority", "lte": 2}, ALL),
    ({"field": "priority", "in": [1, 2]}, ALL),
    ({"field": "priority", "lt": 2.5}, ALL),  # a fractional bound is a fine way to say "<= 2"
    ({"field": "category", "matches": "^net(work)?$"}, ALL),
    ({"field": "category", "lt": "m"}, ALL),  # strings order like Python strings
    ({"field": "labels", "contains": "vip"}, ALL),
    ({"field": "short_description", "contains": "outage"}, ALL),
    ({"field": "opened_at", "gte": "2024-05-01T09:00:00+02:00"}, ALL),
    ({"field": "opened_at", "between": ["2024-05-01T00:00:00Z", "2024-06-01T00:00:00Z"]}, ALL),
    ({"field": "risk", "in": ["high", "very_high"]}, CHANGE),
    ({"field": "risk", "exists": True}, ("incident", "change")),  # carried by one of the kinds
    ({"field": "cab_required", "eq": True}, CHANGE),
    ({"field": "age_seconds", "gt": 3600}, ALL),
    ({"field": "raw", "exists": True}, ALL),
    ({"field": "raw.u_vip", "eq": "true"}, ALL),  # untyped: any value type is allowed
    ({"field": "raw.u.sla", "between": [1, 3]}, ALL),
    ({"field": "kind", "eq": "change"}, CHANGE),
    ({"field": "reassignment_count", "gte": 3}, ALL),
    ({"not": {"any": [{"field": "priority", "eq": 1}, {"field": "impact", "eq": 1}]}}, ALL),
]


@pytest.mark.parametrize(("raw", "kinds"), CLEAN)
def test_well_typed_conditions_have_no_issues(raw: dict[str, Any], kinds: tuple[str, ...]):
    assert issues(raw, kinds) == []


FIELD_PROBLEMS = [
    ({"field": "prority", "eq": 1}, INCIDENT, error(
        ("field",), f"unknown field 'prority'; did you mean 'priority'? "
                    f"(valid: {VALID_INCIDENT_FIELDS})")),
    ({"field": "risk", "eq": "high"}, ("incident", "problem"), error(
        ("field",), "field 'risk' is only on change records; "
                    "this policy applies to incident, problem records")),
    ({"field": "approval", "eq": "approved"}, INCIDENT, error(
        ("field",), "field 'approval' is only on change, request records; "
                    "this policy applies to incident records")),
    ({"field": "priority.value", "eq": 1}, ALL, error(
        ("field",), "field 'priority' has no sub-fields, so 'priority.value' does not exist "
                    "(only raw.<name> paths are dotted)")),
]

OPERATOR_PROBLEMS = [
    ({"field": "priority", "matches": "^1"}, ALL, error(
        ("matches",), f"matches does not apply to priority (integer); "
                      f"integer fields take {INTEGER_OPS}")),
    ({"field": "labels", "lt": "x"}, ALL, error(
        ("lt",), "lt does not apply to labels (string[]); string[] fields take contains, exists")),
    ({"field": "priority", "contains": 1}, ALL, error(
        ("contains",), f"contains does not apply to priority (integer); "
                       f"integer fields take {INTEGER_OPS}")),
    ({"field": "labels", "eq": "vip"}, ALL, error(
        ("eq",), "eq does not apply to labels (string[]); string[] fields take contains, exists "
                 "(a list never equals a single value: test for an element with contains)")),
    ({"field": "cab_required", "gt": False}, CHANGE, error(
        ("gt",), "gt does not apply to cab_required (boolean); "
                 "boolean fields take eq, ne, in, not_in, exists")),
    ({"field": "raw", "eq": {}}, ALL, error(
        ("eq",), "eq does not apply to raw (object); object fields take exists")),
]

TYPE_PROBLEMS = [
    ({"field": "priority", "eq": "high"}, ALL, error(
        ("eq",), "priority is an integer field; 'high' is a string and can never equal it")),
    ({"field": "priority", "ne": "1"}, ALL, error(
        ("ne",), "priority is an integer field; '1' is a string and can never equal it")),
    ({"field": "priority", "eq": True}, ALL, error(
        ("eq",), "priority is an integer field; true is a boolean and can never equal it")),
    ({"field": "priority", "in": [1, "2"]}, ALL, error(
        ("in", 1), "priority is an integer field; '2' is a string and can never equal it")),
    ({"field": "age_seconds", "gt": "1h"}, ALL, error(
        ("gt",), "age_seconds is a number field; '1h' is a string and cannot be compared with it")),
    ({"field": "category", "eq": 5}, ALL, error(
        ("eq",), "category is a string field; 5 is a number and can never equal it")),
    ({"field": "labels", "contains": 3}, ALL, error(
        ("contains",),
        "labels is a string[] field; 3 is a number and can never be an element of it")),
    ({"field": "category", "contains": 3}, ALL, error(
        ("contains",),
        "category is a string field; 3 is a number and can never be a substring of it")),
    ({"field": "cab_required", "eq": "true"}, CHANGE, error(
        ("eq",), "cab_required is a boolean field; 'true' is a string and can never equal it")),
    ({"field": "opened_at", "gt": "yesterday"}, ALL, error(
        ("gt",), "opened_at is a date-time field; 'yesterday' is not an ISO 8601 date-time with "
                 "a UTC offset (e.g. '2024-05-01T09:00:00Z')")),
    ({"field": "opened_at", "lt": "2024-05-01T09:00:00"}, ALL, error(
        ("lt",), "opened_at is a date-time field; '2024-05-01T09:00:00' has no UTC offset "
                 "(add 'Z' or '+01:00')")),
    ({"field": "opened_at", "between": ["2024-05-01T00:00:00Z", "June"]}, ALL, error(
        ("between", 1), "opened_at is a date-time field; 'June' is not an ISO 8601 date-time with "
                        "a UTC offset (e.g. '2024-05-01T09:00:00Z')")),
    ({"field": "opened_at", "eq": 1714550400}, ALL, error(
        ("eq",), "opened_at is a date-time field; 1714550400 is a number and can never equal it")),
]

RANGE_PROBLEMS = [
    ({"field": "priority", "eq": 7}, ALL, error(
        ("eq",), "priority is an integer from 1 to 5; 7 can never equal it")),
    ({"field": "priority", "eq": 2.5}, ALL, error(
        ("eq",), "priority is an integer from 1 to 5; 2.5 can never equal it")),
    ({"field": "priority", "ne": 0}, ALL, [
        (("ne",), "priority is an integer from 1 to 5; 0 can never equal it", "error")]),
    ({"field": "priority", "in": [1, 7]}, ALL, [
        (("in", 1), "priority is an integer from 1 to 5; 7 can never equal it", "warning")]),
    ({"field": "priority", "in": [0, 7]}, ALL, [
        (("in", 0), "priority is an integer from 1 to 5; 0 can never equal it", "error"),
        (("in", 1), "priority is an integer from 1 to 5; 7 can never equal it", "error")]),
    ({"field": "priority", "not_in": [1, 9]}, ALL, [
        (("not_in", 1), "priority is an integer from 1 to 5; 9 can never equal it", "warning")]),
    ({"field": "priority", "lt": 1}, ALL, error(
        ("lt",), "priority lt 1 can never hold: priority is an integer from 1 to 5")),
    ({"field": "priority", "gt": 4.5}, ALL, []),
    ({"field": "priority", "between": [6, 9]}, ALL, error(
        ("between",),
        "priority between [6, 9] can never hold: priority is an integer from 1 to 5")),
    ({"field": "reopen_count", "lt": 0}, ALL, error(
        ("lt",), "reopen_count lt 0 can never hold: reopen_count is an integer of at least 0")),
    ({"field": "risk", "eq": "hgh"}, CHANGE, error(
        ("eq",), "unknown risk value 'hgh'; did you mean 'high'? "
                 "(valid: high, low, moderate, very_high)")),
    ({"field": "risk", "ne": "severe"}, CHANGE, [
        (("ne",), "unknown risk value 'severe' (valid: high, low, moderate, very_high)",
         "error")]),
    ({"field": "kind", "eq": "incident"}, CHANGE, error(
        ("eq",), "kind 'incident' is not among this policy's kinds (change)")),
    ({"field": "kind", "in": ["incident", "problem"]}, ("change", "incident"), [
        (("in", 1), "kind 'problem' is not among this policy's kinds (incident, change)",
         "warning")]),
]

STATE_WORDS = "(valid: canceled, closed, in_progress, new, on_hold, resolved)"
VOCABULARY_PROBLEMS = [
    ({"field": "state", "eq": "Resolved"}, INCIDENT, error(
        ("eq",), f"unknown state value 'Resolved'; did you mean 'resolved'? {STATE_WORDS}")),
    ({"field": "state", "eq": "In Progress"}, INCIDENT, error(
        ("eq",), f"unknown state value 'In Progress'; did you mean 'in_progress'? {STATE_WORDS}")),
    ({"field": "state", "in": ["resolved", "Closd"]}, INCIDENT, [
        (("in", 1), f"unknown state value 'Closd'; did you mean 'closed'? {STATE_WORDS}",
         "warning")]),
    ({"field": "state", "not_in": ["Resolved", "Closed"]}, INCIDENT, [
        (("not_in", 0), f"unknown state value 'Resolved'; did you mean 'resolved'? {STATE_WORDS}",
         "error"),
        (("not_in", 1), f"unknown state value 'Closed'; did you mean 'closed'? {STATE_WORDS}",
         "error")]),
    ({"field": "state", "matches": "^Awaiting"}, INCIDENT, error(
        ("matches",), "state matches '^Awaiting' can match no state value of incident "
                      "(valid: new, in_progress, on_hold, resolved, closed, canceled)")),
    ({"field": "state", "eq": "on_hold"}, CHANGE, error(
        ("eq",), "unknown state value 'on_hold' (valid: assess, authorize, "
                 "canceled, closed, implement, new, review, scheduled)")),
    ({"field": "state", "eq": "on_hold"}, ("change", "incident"), []),
    ({"field": "state", "eq": "code:9"}, INCIDENT, []),
    ({"field": "state", "matches": "^(on_hold|code:)"}, INCIDENT, []),
    ({"field": "hold_reason", "eq": "Awaiting Caller"}, INCIDENT, error(
        ("eq",), "unknown hold_reason value 'Awaiting Caller'; did you mean 'awaiting_caller'? "
                 "(valid: awaiting_approval, awaiting_caller, awaiting_change, awaiting_evidence, "
                 "awaiting_problem, awaiting_vendor, other)")),
]

SHAPE_PROBLEMS = [
    ({"field": "priority", "between": [5, 1]}, ALL, error(
        ("between",), "priority between [5, 1] can never hold: low is greater than high")),
    ({"field": "raw.sla", "between": [1]}, ALL, error(
        ("between",), "between takes [low, high], got [1]")),
    ({"field": "raw.sla", "between": [1, "3"]}, ALL, error(
        ("between",), "between bounds 1 and '3' have different types (a number, a string)")),
    ({"field": "raw.sla", "between": [True, 3]}, ALL, error(
        ("between", 0), "between bounds must be numbers, strings or date-times, got true")),
    ({"field": "raw.sla", "gt": [1]}, ALL, error(
        ("gt",), "gt compares with a number, string or date-time, got [1]")),
    ({"field": "category", "matches": "(db"}, ALL, error(
        ("matches",), "invalid regular expression '(db': "
                      "missing ), unterminated subpattern at position 0")),
    ({"field": "raw.x", "matches": "[a-"}, ALL, error(
        ("matches",), "invalid regular expression '[a-': "
                      "unterminated character set at position 0")),
    ({"field": "raw.x", "matches": 3}, ALL, error(
        ("matches",), "matches takes a regular expression, got 3")),
    ({"field": "priority", "in": []}, ALL, error(
        ("in",), "in [] can never hold: the list is empty")),
    ({"field": "priority", "not_in": []}, ALL, error(
        ("not_in",), "not_in [] always holds: the list is empty")),
    ({"field": "priority", "in": 1}, ALL, error(
        ("in",), "in takes a list of values, got 1")),
    ({"field": "priority", "exists": "yes"}, ALL, error(
        ("exists",), "exists takes true or false, got 'yes'")),
    ({"field": "assignee", "eq": None}, ALL, error(
        ("eq",), "eq null can never hold: a null field counts as missing; use exists: false")),
    ({"field": "assignee", "ne": None}, ALL, error(
        ("ne",), "ne null always holds: a null field counts as missing; use exists: true")),
    ({"field": "labels", "contains": ["a"]}, ALL, error(
        ("contains",), "contains takes a single value, got ['a']")),
    ({"any": []}, ALL, error((), "an empty 'any' can never hold")),
]


@pytest.mark.parametrize(("raw", "kinds", "expected"),
                         FIELD_PROBLEMS + OPERATOR_PROBLEMS + TYPE_PROBLEMS + RANGE_PROBLEMS
                         + VOCABULARY_PROBLEMS + SHAPE_PROBLEMS)
def test_problem_is_reported_where_it_is(raw, kinds, expected):
    assert issues(raw, kinds) == expected


def test_issues_point_into_nested_conditions_in_document_order():
    raw = {"all": [
        {"field": "priority", "eq": "1"},
        {"any": [{"field": "category", "eq": "network"}, {"not": {"field": "prio", "lt": 2}}]},
    ]}
    found = issues(raw)
    assert [pointer for pointer, _, _ in found] == [
        ("all", 0, "eq"),
        ("all", 1, "any", 1, "not", "field"),
    ]


def test_unknown_field_still_reports_a_broken_value():
    found = issues({"field": "prio", "matches": "("}, INCIDENT)
    assert [(pointer, severity) for pointer, _, severity in found] == [
        (("field",), "error"), (("matches",), "error")]
    assert found[1][1] == ("invalid regular expression '(': "
                           "missing ), unterminated subpattern at position 0")


def test_no_kinds_or_only_unknown_kinds_means_every_kind():
    change_field = {"field": "risk", "eq": "high"}
    assert issues(change_field, ()) == []
    assert issues(change_field, ("chnage",)) == []


def test_unknown_operator_on_a_hand_built_matcher():
    found = check_condition(Matcher("priority", "equals", 1, ("all", 0)), INCIDENT)
    assert found == [Issue(("all", 0), "unknown operator 'equals' (valid: between, contains, eq, "
                                       "exists, gt, gte, in, lt, lte, matches, ne, not_in)")]
