"""Static type checking of a condition against the field catalogue, before anything runs.

The evaluator never coerces, so a condition that compares an integer field with a string, or
runs a regex over a list, is silently false (or, for ne/not_in, silently true) on every record.
This module turns such mistakes into findings that point at the offending node.

Pointers: field problems point at `(..., "field")`, operator and value problems at
`(..., op)`, and a bad entry of an in/not_in/between list at `(..., op, index)`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from csi_rules.conditions.ast import OPERATORS, AnyOf, Condition, Matcher, Not
from csi_rules.conditions.issues import Issue
from csi_rules.conditions.operand_checks import (
    check_bounds,
    check_domain,
    check_shape,
    check_types,
)
from csi_rules.records.fields import FIELDS, RECORD_KINDS, FieldSpec
from csi_rules.suggest import unknown_name

__all__ = [
    "OPERATORS_BY_TYPE",
    "check_condition",
    "check_matcher",
    "policy_kinds_of",
    "resolve_field",
]

_ORDERED_OPS = ("eq", "ne", "in", "not_in", "lt", "lte", "gt", "gte", "between", "exists")
# per field type, the operators whose result depends on the value; under evaluate.py the rest
# are constant for that type (always false, or always true for ne/not_in)
OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "string": (*_ORDERED_OPS[:-1], "matches", "contains", "exists"),
    "integer": _ORDERED_OPS,
    "number": _ORDERED_OPS,
    "datetime": _ORDERED_OPS,
    "boolean": ("eq", "ne", "in", "not_in", "exists"),
    "string[]": ("contains", "exists"),
    "object": ("exists",),
}


def check_condition(cond: Condition, kinds: Iterable[str]) -> list[Issue]:
    """Every type problem in `cond` for a policy over record `kinds` (empty: all kinds).

    Issues come in document order; a matcher reports its most basic problem (field, then
    operator, then value) rather than a cascade of consequences.
    """
    policy_kinds = policy_kinds_of(kinds)
    issues: list[Issue] = []
    _walk(cond, policy_kinds, issues)
    return issues


def policy_kinds_of(kinds: Iterable[str]) -> tuple[str, ...]:
    """Known kinds in catalogue order; none known means every kind (bad kind names are the
    policy loader's finding, not a reason to call every field unknown)."""
    given = set(kinds)
    known = tuple(k for k in RECORD_KINDS if k in given)
    return known or RECORD_KINDS


def check_matcher(m: Matcher, kinds: Sequence[str]) -> list[Issue]:
    """The problems of one matcher: its field, its operator, then its value.

    `kinds` as policy_kinds_of() returns them.
    """
    if m.op not in OPERATORS:
        return [Issue(m.pointer, unknown_name("operator", m.op, OPERATORS))]
    spec, field_problem = resolve_field(m.path, kinds)
    if field_problem is not None:
        return [Issue((*m.pointer, "field"), field_problem), *check_shape(m)]
    if spec is not None and m.op not in OPERATORS_BY_TYPE[spec.type]:
        return [Issue((*m.pointer, m.op), _inapplicable(m, spec))]
    shape = check_shape(m)
    if shape:
        return shape
    if spec is None:  # raw.<name>: the platform's own field, of no known type
        return check_bounds(m)
    return check_types(m, spec) or check_bounds(m) or check_domain(m, spec, kinds)


def resolve_field(path: str, kinds: Sequence[str]) -> tuple[FieldSpec | None, str | None]:
    """(spec, None) for a usable typed path, (None, None) for raw.<name>, else (None, problem)."""
    head, dot, _ = path.partition(".")
    spec = FIELDS.get(head)
    if spec is None:
        valid = [name for name, s in FIELDS.items() if s.kinds.intersection(kinds)]
        return None, unknown_name("field", head, valid)
    if dot and spec.type != "object":
        return None, (f"field {head!r} has no sub-fields, so {path!r} does not exist "
                      "(only raw.<name> paths are dotted)")
    if not spec.kinds.intersection(kinds):
        carriers = ", ".join(k for k in RECORD_KINDS if k in spec.kinds)
        return None, (f"field {head!r} is only on {carriers} records; "
                      f"this policy applies to {', '.join(kinds)} records")
    if dot:
        return None, None
    return spec, None


def _inapplicable(m: Matcher, spec: FieldSpec) -> str:
    allowed = ", ".join(OPERATORS_BY_TYPE[spec.type])
    text = f"{m.op} does not apply to {m.path} ({spec.type}); {spec.type} fields take {allowed}"
    if spec.type == "string[]" and m.op in ("eq", "ne", "in", "not_in", "matches"):
        text += " (a list never equals a single value: test for an element with contains)"
    return text


def _walk(cond: Condition, kinds: Sequence[str], issues: list[Issue]) -> None:
    if isinstance(cond, Matcher):
        issues.extend(check_matcher(cond, kinds))
    elif isinstance(cond, Not):
        _walk(cond.item, kinds, issues)
    else:
        if isinstance(cond, AnyOf) and not cond.items:
            issues.append(Issue(cond.pointer, "an empty 'any' can never hold"))
        for item in cond.items:
            _walk(item, kinds, issues)

