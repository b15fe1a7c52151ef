"""The plain-Python meaning of every operator: the reference the durable-rules engine must agree with.

Comparison never coerces: numbers compare with numbers (bool is not a number), strings with
strings, date-times with date-times; any other pairing is simply false.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.conditions.ast import AllOf, AnyOf, Condition, Matcher, Not
from csi_rules.conditions.regex import compile_pattern
from csi_rules.records.model import MISSING

Lookup = Callable[[str], Any]


def type_class(value: Any) -> str | None:
    """The comparison class of a value, or None when it is not comparable."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        return "datetime"
    return None


def same_class(a: Any, b: Any) -> bool:
    ca = type_class(a)
    return ca is not None and ca == type_class(b)


def equals(a: Any, b: Any) -> bool:
    return same_class(a, b) and a == b


def _ordered(a: Any, b: Any, cmp: Callable[[Any, Any], bool]) -> bool:
    return same_class(a, b) and type_class(a) != "bool" and cmp(a, b)


def compiled_regex(pattern: str) -> Any:
    """The policy pattern compiled for linear-time search (RE2; see conditions.regex)."""
    return compile_pattern(pattern)


def apply_operator(op: str, actual: Any, expected: Any) -> bool:
    """Truth of `actual OP expected` under the no-coercion rules above."""
    if op == "exists":
        return (actual is not MISSING) == bool(expected)
    if op == "ne":
        return not equals(actual, expected)
    if op == "not_in":
        return not any(equals(actual, v) for v in expected)
    if actual is MISSING:
        return False
    if op == "eq":
        return equals(actual, expected)
    if op == "in":
        return any(equals(actual, v) for v in expected)
    if op == "lt":
        return _ordered(actual, expected, lambda a, b: a < b)
    if op == "lte":
        return _ordered(actual, expected, lambda a, b: a <= b)
    if op == "gt":
        return _ordered(actual, expected, lambda a, b: a > b)
    if op == "gte":
        return _ordered(actual, expected, lambda a, b: a >= b)
    if op == "between":
        low, high = expected
        return _ordered(actual, low, lambda a, b: a >= b) and _ordered(
            actual, high, lambda a, b: a <= b
        )
    if op == "matches":
        return isinstance(actual, str) and compiled_regex(expected).search(actual) is not None
    if op == "contains":
        if isinstance(actual, list | tuple):
            return any(equals(item, expected) for item in actual)
        return isinstance(actual, str) and isinstance(expected, str) and expected in actual
    raise ValueError(f"unknown operator {op!r}")


def evaluate(cond: Condition, lookup: Lookup) -> bool:
    """Truth of a condition tree, short-circuiting like `all()`/`any()`."""
    if isinstance(cond, Matcher):
        return apply_operator(cond.op, lookup(cond.path), cond.value)
    if isinstance(cond, AllOf):
        return all(evaluate(c, lookup) for c in cond.items)
    if isinstance(cond, AnyOf):
        return any(evaluate(c, lookup) for c in cond.items)
    return not evaluate(cond.item, lookup)


@dataclass(frozen=True)
class Reason:
    """One matcher as evaluated: what it wanted, what it saw, and whether it held."""

    path: str
    op: str
    expected: Any
    actual: Any
    result: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "field": self.path,
            "op": self.op,
            "expected": _jsonable(self.expected),
            "actual": None if self.actual is MISSING else _jsonable(self.actual),
            "missing": self.actual is MISSING,
            "result": self.result,
        }

    def format(self) -> str:
        seen = "<missing>" if self.actual is MISSING else repr(_jsonable(self.actual))
        mark = "ok" if self.result else "no"
        return f"[{mark}] {self.path} {self.op} {_jsonable(self.expected)!r} (saw {seen})"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    return value


def explain(cond: Condition, lookup: Lookup) -> list[Reason]:
    """Every matcher in the tree with the value it saw (no short-circuit: reasons are complete)."""
    out: list[Reason] = []

    def walk(c: Condition) -> None:
        if isinstance(c, Matcher):
            actual = lookup(c.path)
            out.append(Reason(c.path, c.op, c.value, actual, apply_operator(c.op, actual, c.value)))
        elif isinstance(c, Not):
            walk(c.item)
        else:
            for item in c.items:
                walk(item)

    walk(cond)
    return out
