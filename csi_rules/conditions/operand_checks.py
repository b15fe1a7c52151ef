"""Checks on a matcher's value: its shape for the operator, its type for the field, its range.

Severity rule: an error when the value makes the matcher impossible (or always true, which is
just as surely a mistake: `ne 'high'` on an integer field); a warning when only part of it is
dead, such as one list entry outside the field's enum while the others can still match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from csi_rules.conditions.ast import Matcher
from csi_rules.conditions.domains import domain_for
from csi_rules.conditions.evaluate import type_class
from csi_rules.conditions.issues import Issue, format_value, value_kind
from csi_rules.conditions.normal_form import Literal
from csi_rules.conditions.regex import UnboundedPattern, compile_pattern
from csi_rules.conditions.solver import UNSAT, solve_path
from csi_rules.records.fields import FieldSpec
from csi_rules.records.vocabulary import UNMAPPED_PREFIX, is_unmapped, state_values
from csi_rules.suggest import unknown_name

_ORDERED = ("number", "string", "datetime")
_COMPARISONS = ("lt", "lte", "gt", "gte")
_EQUALITY = ("eq", "ne", "in", "not_in")
_LISTED = ("in", "not_in", "between")
TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "datetime": "a date-time",
    "boolean": "a boolean",
    "string[]": "a string[]",
    "object": "an object",
}
_EXAMPLE_TIME = "2024-05-01T09:00:00Z"


def check_shape(m: Matcher) -> list[Issue]:
    """What the operator needs whatever the field: lists, booleans, regexes, comparable values."""
    at, op, value = (*m.pointer, m.op), m.op, m.value
    if op == "exists" and not isinstance(value, bool):
        return [Issue(at, f"exists takes true or false, got {format_value(value)}")]
    if op in ("in", "not_in"):
        if not isinstance(value, list | tuple):
            return [Issue(at, f"{op} takes a list of values, got {format_value(value)}")]
        if not value:
            effect = "can never hold" if op == "in" else "always holds"
            return [Issue(at, f"{op} [] {effect}: the list is empty")]
    if op == "between" and not (isinstance(value, list | tuple) and len(value) == 2):
        return [Issue(at, f"between takes [low, high], got {format_value(value)}")]
    if op == "matches":
        if not isinstance(value, str):
            return [Issue(at, f"matches takes a regular expression, got {format_value(value)}")]
        try:
            compile_pattern(value)
        except UnboundedPattern as err:
            return [Issue(at, f"regular expression {value!r} {err}")]
        except re.error as err:
            return [Issue(at, f"invalid regular expression {value!r}: {err}")]
    if value is None and op in ("eq", "ne"):
        effect, hint = ("can never hold", "false") if op == "eq" else ("always holds", "true")
        return [Issue(at, f"{op} null {effect}: a null field counts as missing; "
                          f"use exists: {hint}")]
    if op == "contains" and isinstance(value, list | tuple | dict):
        return [Issue(at, f"contains takes a single value, got {format_value(value)}")]
    return []


def check_bounds(m: Matcher) -> list[Issue]:
    """Ordering operands must be comparable, and `between` needs low <= high of one type."""
    at = (*m.pointer, m.op)
    if m.op in _COMPARISONS and type_class(m.value) not in _ORDERED:
        return [Issue(at, f"{m.op} compares with a number, string or date-time, "
                          f"got {format_value(m.value)}")]
    if m.op != "between":
        return []
    low, high = m.value
    for index, bound in enumerate((low, high)):
        if type_class(bound) not in _ORDERED:
            return [Issue((*at, index), f"between bounds must be numbers, strings or date-times, "
                                        f"got {format_value(bound)}")]
    if type_class(low) != type_class(high):
        return [Issue(at, f"between bounds {format_value(low)} and {format_value(high)} have "
                          f"different types ({value_kind(low)}, {value_kind(high)})")]
    if _naive(low) != _naive(high):
        return [Issue(at, "between bounds mix date-times with and without a UTC offset")]
    if low > high:
        return [Issue(at, f"{m.path} between {format_value(m.value)} can never hold: "
                          "low is greater than high")]
    return []


def check_types(m: Matcher, spec: FieldSpec) -> list[Issue]:
    """Every operand must be a value the field's type can equal or be compared with."""
    if m.op in ("exists", "matches"):  # a flag and a pattern, not values of the field
        return []
    issues = []
    for at, value in _operands(m):
        if not _fits_type(value, spec.type, m.op):
            issues.append(Issue(at, _type_message(m, spec, value)))
    return issues


def check_domain(m: Matcher, spec: FieldSpec, kinds: Sequence[str]) -> list[Issue]:
    """Values the field can never hold: outside its enum, its min/max, or the policy's kinds."""
    if m.op in _EQUALITY:
        return _dead_values(m, spec, kinds)
    if m.op == "matches" and spec.vocabulary and isinstance(m.value, str):
        return _dead_pattern(m, spec, kinds)
    if m.op in (*_COMPARISONS, "between") and spec.type in ("integer", "number"):
        domain = domain_for(m.path)
        if solve_path(m.path, [Literal(m)]).status == UNSAT:
            return [Issue((*m.pointer, m.op), f"{m.path} {m.op} {format_value(m.value)} can never "
                                              f"hold: {m.path} is {domain.describe()}")]
    return []


def _dead_values(m: Matcher, spec: FieldSpec, kinds: Sequence[str]) -> list[Issue]:
    found = []
    operands = _operands(m)
    for at, value in operands:
        message = _why_never_equal(m.path, spec, value, kinds)
        if message is not None:
            found.append((at, message))
    # a dead value kills eq (never holds) and ne (always holds), and in / not_in when all their
    # values are dead; a dead entry beside live ones is only noise
    fatal = m.op in ("eq", "ne") or (m.op in ("in", "not_in") and len(found) == len(operands))
    return [Issue(at, message, "error" if fatal else "warning") for at, message in found]


def _dead_pattern(m: Matcher, spec: FieldSpec, kinds: Sequence[str]) -> list[Issue]:
    """A pattern on a vocabulary field that no canonical value matches can only match by accident."""
    values = state_values(k for k in kinds if k in (spec.vocabulary or {}))
    try:
        pattern = compile_pattern(m.value)
    except re.error:
        return []  # check_shape reports it
    if not values or any(pattern.search(v) for v in values) or UNMAPPED_PREFIX in m.value:
        return []
    return [Issue((*m.pointer, m.op), f"{m.path} matches {m.value!r} can match no {m.path} value of "
                                      f"{', '.join(kinds)} (valid: {', '.join(values)})")]


def _why_never_equal(path: str, spec: FieldSpec, value: Any, kinds: Sequence[str]) -> str | None:
    if spec.vocabulary and isinstance(value, str) and not is_unmapped(value):
        values = state_values(k for k in kinds if k in spec.vocabulary)
        if values and value not in values:
            return unknown_name(f"{path} value", value, values)
    if spec.enum is not None and isinstance(value, str):
        if value not in spec.enum:
            return unknown_name(f"{path} value", value, spec.enum)
        if spec.name == "kind" and value not in kinds:
            return f"kind {value!r} is not among this policy's kinds ({', '.join(kinds)})"
    if spec.type in ("integer", "number") and type_class(value) == "number":
        matcher = Matcher(path, "eq", value)
        if solve_path(path, [Literal(matcher)]).status == UNSAT:
            domain = domain_for(path).describe()
            return f"{path} is {domain}; {format_value(value)} can never equal it"
    return None


def _operands(m: Matcher) -> list[tuple[tuple[Any, ...], Any]]:
    """(pointer, value) for each value the matcher compares with; list items point at the item."""
    at = (*m.pointer, m.op)
    if m.op in _LISTED:
        return [((*at, i), v) for i, v in enumerate(m.value)]
    return [(at, m.value)]


def _fits_type(value: Any, field_type: str, op: str) -> bool:
    if field_type == "datetime":
        return isinstance(value, datetime) and value.tzinfo is not None
    if field_type in ("string", "string[]"):
        return isinstance(value, str)
    if field_type in ("integer", "number"):
        return type_class(value) == "number"
    if field_type == "boolean":
        return isinstance(value, bool)
    return False


def _type_message(m: Matcher, spec: FieldSpec, value: Any) -> str:
    field = f"{m.path} is {TYPE_NAMES[spec.type]} field"
    if spec.type == "datetime" and isinstance(value, str | datetime):
        text = value if isinstance(value, str) else value.isoformat()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return (f"{field}; {text!r} is not an ISO 8601 date-time with a UTC offset "
                    f"(e.g. {_EXAMPLE_TIME!r})")
        if parsed.tzinfo is None:
            return f"{field}; {text!r} has no UTC offset (add 'Z' or '+01:00')"
    if m.op in _EQUALITY:
        relation = "can never equal it"
    elif m.op == "contains" and spec.type == "string[]":
        relation = "can never be an element of it"
    elif m.op == "contains":
        relation = "can never be a substring of it"
    else:
        relation = "cannot be compared with it"
    return f"{field}; {format_value(value)} is {value_kind(value)} and {relation}"


def _naive(value: Any) -> bool:
    return isinstance(value, datetime) and value.tzinfo is None
