"""Reasoning across conditions for hit-policy validation: dead conditions, overlaps, shadowed rules.

Every answer errs on the safe side. A condition is only called contradictory, two conditions
only disjoint, and a rule only unreachable, when that is proven; anything the analysis cannot
decide (regexes, substrings, untyped raw fields, very large conditions) counts as "may match".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from csi_rules.conditions.ast import ALWAYS, AnyOf, Condition, Matcher, Not, Pointer
from csi_rules.conditions.domains import Domain, domain_for
from csi_rules.conditions.evaluate import type_class
from csi_rules.conditions.issues import Issue, format_value
from csi_rules.conditions.normal_form import (
    DNF_LIMIT,
    Conjunct,
    Literal,
    TooComplex,
    extend_dnf,
    to_dnf,
)
from csi_rules.conditions.solver import SAT, UNSAT, Solution, contradicts, minimal_core, solve
from csi_rules.conditions.solver import solve_path as _solve_path
from csi_rules.records.model import MISSING

__all__ = [
    "DNF_LIMIT",
    "covering_rules",
    "is_contradictory",
    "may_overlap",
    "subsumed_by",
    "to_dnf",
]

_RANGE_OPS = frozenset({"lt", "lte", "gt", "gte", "between"})
_VALUE_OPS = frozenset({"eq", "in"})
_SHOWN_ALTERNATIVES = 3
_ORDERED = ("number", "string", "datetime")


def is_contradictory(cond: Condition, limit: int = DNF_LIMIT) -> Issue | None:
    """An error when no record can ever satisfy `cond`, saying which tests clash; else None."""
    conflicts: list[tuple[str, tuple[Literal, ...]]] = []

    def keep(conjunct: Conjunct, added: Literal) -> bool:
        if contradicts(conjunct, added):
            conflicts.append((added.path, tuple(x for x in conjunct if x.path == added.path)))
            return False
        return True

    try:
        if extend_dnf([()], cond, limit=limit, keep=keep):
            return None
    except TooComplex:
        return None
    explained: dict[str, Pointer] = {}
    seen: set[tuple[Any, ...]] = set()
    for path, lits in conflicts:
        key = (path, *(lit.key for lit in lits))
        if key in seen:
            continue
        seen.add(key)
        pointer, message = _explain(path, lits)
        explained.setdefault(message, pointer)
        if len(explained) > _SHOWN_ALTERNATIVES:
            break
    if not explained:
        empty = _empty_group(cond) or cond
        what = "an empty 'any'" if isinstance(empty, AnyOf) else "'not' of an empty 'all'"
        return Issue(empty.pointer, f"{what} can never hold")
    if len(explained) == 1:
        ((message, pointer),) = explained.items()
        return Issue(pointer, message)
    shown = list(explained)[:_SHOWN_ALTERNATIVES]
    more = "; ..." if len(explained) > _SHOWN_ALTERNATIVES else ""
    return Issue(cond.pointer, "no alternative can ever hold: " + "; ".join(shown) + more)


def may_overlap(a: Condition, b: Condition, limit: int = DNF_LIMIT) -> str | None:
    """None when no record can satisfy both; otherwise a short description of one that may.

    Undecided parts are named with "(undecided)", so a caller can tell a proven overlap
    ("category='network', priority=1") from one that is only assumed.
    """
    try:
        left = extend_dnf([()], a, limit=limit, keep=_possible)
        both = extend_dnf(left, b, limit=limit, keep=_possible)
    except TooComplex:
        return f"undecided: the conditions have more than {limit} alternatives"
    assumed: Solution | None = None
    for conjunct in both:
        solution = solve(conjunct)
        if solution.status == SAT:
            return describe_witness(solution)
        assumed = assumed or solution
    return None if assumed is None else describe_witness(assumed)


def covering_rules(
    later: Condition, earlier: Sequence[Condition | None], limit: int = DNF_LIMIT
) -> tuple[int, ...] | None:
    """Indices of earlier rules that together match every record `later` matches, or None.

    A single covering rule is preferred; otherwise the smallest set found by dropping rules
    that are not needed. None also when `later` can never hold (is_contradictory says so) or
    when the proof is out of reach — a rule is never called unreachable on a guess.
    """
    try:
        alternatives = extend_dnf([()], later, limit=limit, keep=_possible)
    except TooComplex:
        return None
    if not alternatives:
        return None
    rules = [ALWAYS if rule is None else rule for rule in earlier]
    for index, rule in enumerate(rules):
        if _covered(alternatives, [rule], limit):
            return (index,)
    remaining = alternatives
    for index, rule in enumerate(rules):
        try:
            remaining = extend_dnf(remaining, rule, True, limit=limit, keep=_possible)
        except TooComplex:
            return None
        if not remaining:
            used = list(range(index + 1))
            for drop in range(index):
                trial = [i for i in used if i != drop]
                if _covered(alternatives, [rules[i] for i in trial], limit):
                    used = trial
            return tuple(used)
    return None


def subsumed_by(
    later: Condition, earlier: Sequence[Condition | None], limit: int = DNF_LIMIT
) -> int | None:
    """For hit policy 'first': the earlier rule that leaves `later` unreachable, or None.

    `earlier` holds the conditions of the rules before it, in order (None or ALWAYS is a
    catch-all). When only several rules together cover it, this is the last of them: the
    point from which it can no longer fire; covering_rules() gives the whole set.
    """
    covering = covering_rules(later, earlier, limit)
    return None if covering is None else covering[-1]


def describe_witness(solution: Solution) -> str:
    """`category='network', priority=1, labels missing`; undecided paths list their tests."""
    parts = []
    for path, value in solution.values.items():
        parts.append(f"{path} missing" if value is MISSING else f"{path}={format_value(value)}")
    for path, lits in solution.undecided.items():
        parts.append(f"{path} {' and '.join(lit.describe() for lit in lits)} (undecided)")
    return ", ".join(parts) or "any record"


def _possible(conjunct: Conjunct, added: Literal) -> bool:
    return not contradicts(conjunct, added)


def _covered(alternatives: list[Conjunct], rules: Sequence[Condition], limit: int) -> bool:
    """Whether `alternatives AND NOT rule1 AND NOT rule2 ...` is proven impossible."""
    remaining = alternatives
    try:
        for rule in rules:
            remaining = extend_dnf(remaining, rule, True, limit=limit, keep=_possible)
            if not remaining:
                return True
    except TooComplex:
        return False
    return not remaining


def _explain(path: str, lits: Sequence[Literal]) -> tuple[Pointer, str]:
    """The message for literals on `path` that can never all hold, pointing at the last one."""
    core = minimal_core(path, lits)
    reason = _reason(path, core)
    suffix = f" ({reason})" if reason else ""
    pointer = core[-1].matcher.pointer
    if len(core) == 1:
        return pointer, f"{path} {core[0].describe()} can never hold{suffix}"
    ops = {lit.matcher.op for lit in core}
    positive = not any(lit.negated for lit in core)
    noun = "conditions"
    if positive and ops <= _RANGE_OPS:
        noun = "ranges"
    elif positive and ops <= _VALUE_OPS:
        noun = "values"
    tests = " and ".join(lit.describe() for lit in core)
    quantifier = "both" if len(core) == 2 else "all"
    return pointer, f"contradictory {noun} on {path}: {tests} can never {quantifier} hold{suffix}"


def _reason(path: str, core: Sequence[Literal]) -> str:
    """Why, when it is not plain from the tests: the field's own range, or a malformed operand."""
    if len(core) == 1 and not core[0].negated:
        op, value = core[0].matcher.op, core[0].matcher.value
        if op in ("in", "between") and isinstance(value, list | tuple) and not value:
            return "the list is empty"
        if op == "between" and isinstance(value, list | tuple) and len(value) == 2:
            low, high = value
            if type_class(low) != type_class(high):
                return "its bounds have different types"
            try:
                if type_class(low) in _ORDERED and low > high:
                    return "low is greater than high"
            except TypeError:  # date-times with and without an offset
                return "its bounds cannot be compared"
    domain = domain_for(path)
    if domain.type is not None and _solve_path(path, core, Domain()).status != UNSAT:
        return f"{path} is {domain.describe()}"
    compared = {type_class(_first(lit.matcher.value)) for lit in core
                if lit.matcher.op in _RANGE_OPS}
    if len(core) > 1 and len(compared) > 1:
        return "they compare with values of different types"
    return ""


def _first(value: Any) -> Any:
    """The value a range test compares with (the low end for between)."""
    return value[0] if isinstance(value, list | tuple) and value else value


def _empty_group(cond: Condition, negated: bool = False) -> Condition | None:
    """An `any: []` (or a negated `all: []`): the only way to be impossible without a field."""
    if isinstance(cond, Matcher):
        return None
    if isinstance(cond, Not):
        return _empty_group(cond.item, not negated)
    if not cond.items and isinstance(cond, AnyOf) != negated:
        return cond
    for item in cond.items:
        found = _empty_group(item, negated)
        if found is not None:
            return found
    return None
