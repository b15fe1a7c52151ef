"""Lower condition trees to negation-free trees of integer tests that durable can evaluate.

Every field a ruleset reads becomes one integer "value key" in the fact (see `facts`):
`band(type) + rank`, where the bands keep types apart (missing < bool < number < string <
date-time < other) and the rank orders a value among the constants the ruleset compares
that field with. In key space, "x is a string < 'b'" is the interval
`[band(string), key('b'))`, so durable's integer comparisons decide every operator without
ever comparing across types, and a negation is the complement of an interval. A positive
ordering test reads the field's class slot instead (the rank alone, present only when the
value is of that class), which makes it one test rather than two: durable allows only 15
`$and`/`$or` groups per rule.

durable-rules has no expression-level `not`, so `not` is pushed down to the leaves with
De Morgan. Every rewrite here must agree with `conditions.evaluate.apply_operator` (the
differential tests check it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from csi_rules.conditions.ast import AllOf, AnyOf, Condition, Matcher, Not
from csi_rules.conditions.evaluate import type_class
from csi_rules.conditions.regex import compile_pattern
from csi_rules.errors import EngineError

ORDER_OPS = ("lt", "lte", "gt", "gte")
PRECOMPUTED_OPS = ("matches", "contains")


@dataclass(frozen=True)
class Key:
    """The key of a constant of type class `cls` ("missing" has no constant)."""

    cls: str
    value: Any = None


@dataclass(frozen=True)
class BandEnd:
    """The first key above every value of type class `cls`."""

    cls: str


@dataclass(frozen=True)
class BandStart:
    """The lowest key of type class `cls`."""

    cls: str


@dataclass(frozen=True)
class Precomputed:
    """A matcher Python evaluates during projection; durable sees its 0/1 result."""

    op: str
    key: str  # repr of the expected value: identifies the slot
    expected: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class Test:
    """`slot OP operand`: the value key of `path` (kind "value"), its class slot (kind
    "number", "string" or "datetime"), or a precomputed 0/1."""

    path: str
    kind: str | Precomputed
    op: str  # eq neq lt lte gt gte
    operand: Key | BandStart | BandEnd | int


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


class _Const:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


TRUE: Any = _Const("TRUE")
FALSE: Any = _Const("FALSE")
Node = Test | And | Or | _Const


def make_and(items: list[Node] | tuple[Node, ...]) -> Node:
    flat: list[Node] = []
    for item in items:
        if item is FALSE:
            return FALSE
        parts = item.items if isinstance(item, And) else (item,)
        for part in parts:
            if part is not TRUE and part not in flat:
                flat.append(part)
    if not flat:
        return TRUE
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def make_or(items: list[Node] | tuple[Node, ...]) -> Node:
    flat: list[Node] = []
    for item in items:
        if item is TRUE:
            return TRUE
        parts = item.items if isinstance(item, Or) else (item,)
        for part in parts:
            if part is not FALSE and part not in flat:
                flat.append(part)
    if not flat:
        return FALSE
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def comparable_class(value: Any) -> str | None:
    """Type class of a constant, or None when no record value can ever equal or order with it."""
    cls = type_class(value)
    if cls == "number" and math.isnan(value):
        return None  # NaN equals nothing and orders with nothing
    if cls == "datetime" and value.utcoffset() is None:
        raise EngineError(f"date-time constant {value.isoformat()} has no UTC offset")
    return cls


def _test(path: str, op: str, operand: Key | BandStart | BandEnd) -> Test:
    return Test(path, "value", op, operand)


def _eq(path: str, value: Any, positive: bool) -> Node:
    cls = comparable_class(value)
    if cls is None:
        return FALSE if positive else TRUE
    return _test(path, "eq" if positive else "neq", Key(cls, value))


def _ordered(path: str, op: str, value: Any, positive: bool) -> Node:
    """`x OP value` for x of value's (orderable) class; the negation is its complement."""
    cls = comparable_class(value)
    if cls in (None, "bool"):
        return FALSE if positive else TRUE
    key = Key(str(cls), value)
    if positive:  # the class's own slot: present only when x is of that class
        return Test(path, str(cls), op, key)
    if op in ("lt", "lte"):
        return make_or([_test(path, "lt", BandStart(str(cls))),
                        _test(path, "gte" if op == "lt" else "gt", key)])
    return make_or([_test(path, "lte" if op == "gt" else "lt", key),
                    _test(path, "gte", BandEnd(str(cls)))])


def _between(m: Matcher, positive: bool) -> Node:
    if not isinstance(m.value, list | tuple) or len(m.value) != 2:
        raise EngineError(f"{m.describe()}: 'between' needs [low, high]")
    low, high = m.value
    c_low, c_high = comparable_class(low), comparable_class(high)
    if c_low != c_high or c_low in (None, "bool"):
        return FALSE if positive else TRUE
    k_low, k_high = Key(str(c_low), low), Key(str(c_low), high)
    if positive:  # one band, so no type test is needed
        return make_and([_test(m.path, "gte", k_low), _test(m.path, "lte", k_high)])
    return make_or([_test(m.path, "lt", k_low), _test(m.path, "gt", k_high)])


def _values(m: Matcher) -> list[Any]:
    if not isinstance(m.value, list | tuple):
        raise EngineError(f"{m.describe()}: '{m.op}' needs a list of values")
    return list(m.value)


def _precomputed(m: Matcher) -> Precomputed:
    if m.op == "matches":
        if not isinstance(m.value, str):
            raise EngineError(f"{m.describe()}: 'matches' needs a regular expression string")
        try:
            compile_pattern(m.value)
        except re.error as exc:
            raise EngineError(f"{m.describe()}: invalid regular expression: {exc}") from None
    return Precomputed(m.op, repr(m.value), m.value)


def lower_matcher(m: Matcher, positive: bool) -> Node:
    """One matcher (or its negation) as integer tests."""
    op, path = m.op, m.path
    if op == "exists":
        present = bool(m.value) == positive
        return _test(path, "neq" if present else "eq", Key("missing"))
    if op in ("eq", "ne"):
        return _eq(path, m.value, (op == "eq") == positive)
    if op in ("in", "not_in"):
        if (op == "in") == positive:
            return make_or([_eq(path, v, True) for v in _values(m)])
        return make_and([_eq(path, v, False) for v in _values(m)])
    if op in ORDER_OPS:
        return _ordered(path, op, m.value, positive)
    if op == "between":
        return _between(m, positive)
    if op in PRECOMPUTED_OPS:
        return Test(path, _precomputed(m), "eq", 1 if positive else 0)
    raise EngineError(f"{m.describe()}: unknown operator {op!r}")


def lower(cond: Condition, positive: bool = True) -> Node:
    """The condition (or its negation) as an and/or tree of integer tests, constants folded."""
    if isinstance(cond, Matcher):
        return lower_matcher(cond, positive)
    if isinstance(cond, Not):
        return lower(cond.item, not positive)
    if isinstance(cond, AllOf | AnyOf):
        parts = [lower(c, positive) for c in cond.items]
        conjunction = isinstance(cond, AllOf) == positive
        return make_and(parts) if conjunction else make_or(parts)
    raise EngineError(f"not a condition node: {cond!r}")
