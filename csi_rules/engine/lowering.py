"""Lower condition trees to negation-free trees of typed slot tests that durable can evaluate.

durable-rules has no expression-level `not`, compares across types ("9" > 10), and a test on
an absent property is simply false. So every matcher becomes tests on *typed* slots (a value
only reaches the number slot when it is a number, the string slot when it is a string, ...),
and `not` is pushed down to the leaves with De Morgan. Negating a typed test needs the
field's type tag: `not (x == "a")` is `type(x) != string  or  x_string != "a"`.

The result keeps the Python constants; `compiler` encodes them per shard. Every rewrite here
must agree with `conditions.evaluate.apply_operator` (the differential tests check it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from csi_rules.conditions.ast import AllOf, AnyOf, Condition, Matcher, Not
from csi_rules.conditions.evaluate import type_class
from csi_rules.errors import EngineError

# type tag codes carried in each field's "type" slot
TYPE_CODES: dict[str, int] = {
    "missing": 0, "bool": 1, "number": 2, "string": 3, "datetime": 4, "other": 5,
}
ORDER_OPS = ("lt", "lte", "gt", "gte")
FLIP = {"lt": "gte", "lte": "gt", "gt": "lte", "gte": "lt"}
PRECOMPUTED_OPS = ("matches", "contains")


@dataclass(frozen=True)
class Precomputed:
    """A matcher Python evaluates during projection; durable sees its 0/1 result."""

    op: str
    key: str  # repr of the expected value: identifies the slot
    expected: Any = field(default=None, compare=False)


@dataclass(frozen=True)
class Test:
    """`slot(path, kind) OP value`; kind is a type class, "type", or a Precomputed."""

    path: str
    kind: str | Precomputed
    op: str  # eq neq lt lte gt gte
    value: Any


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


def _type_is_not(path: str, cls: str) -> Test:
    return Test(path, "type", "neq", TYPE_CODES[cls])


def _eq(path: str, value: Any) -> Node:
    cls = comparable_class(value)
    return FALSE if cls is None else Test(path, cls, "eq", value)


def _not_eq(path: str, value: Any) -> Node:
    cls = comparable_class(value)
    if cls is None:
        return TRUE
    return make_or([_type_is_not(path, cls), Test(path, cls, "neq", value)])


def _ordered(path: str, op: str, value: Any) -> Node:
    cls = comparable_class(value)
    return FALSE if cls in (None, "bool") else Test(path, str(cls), op, value)


def _not_ordered(path: str, op: str, value: Any) -> Node:
    cls = comparable_class(value)
    if cls in (None, "bool"):
        return TRUE
    return make_or([_type_is_not(path, str(cls)), Test(path, str(cls), FLIP[op], value)])


def _bounds(m: Matcher) -> tuple[Any, Any, str | None]:
    if not isinstance(m.value, list | tuple) or len(m.value) != 2:
        raise EngineError(f"{m.describe()}: 'between' needs [low, high]")
    low, high = m.value
    c_low, c_high = comparable_class(low), comparable_class(high)
    cls = c_low if c_low == c_high and c_low not in (None, "bool") else None
    return low, high, cls


def _values(m: Matcher) -> list[Any]:
    if not isinstance(m.value, list | tuple):
        raise EngineError(f"{m.describe()}: '{m.op}' needs a list of values")
    return list(m.value)


def _precomputed(m: Matcher) -> Precomputed:
    if m.op == "matches":
        if not isinstance(m.value, str):
            raise EngineError(f"{m.describe()}: 'matches' needs a regular expression string")
        try:
            re.compile(m.value)
        except re.error as exc:
            raise EngineError(f"{m.describe()}: invalid regular expression: {exc}") from None
    return Precomputed(m.op, repr(m.value), m.value)


def lower_matcher(m: Matcher, positive: bool) -> Node:
    """One matcher (or its negation) as typed slot tests."""
    op, path = m.op, m.path
    if op == "exists":
        present = bool(m.value) == positive
        return Test(path, "type", "neq" if present else "eq", TYPE_CODES["missing"])
    if op in ("eq", "ne"):
        return _eq(path, m.value) if (op == "eq") == positive else _not_eq(path, m.value)
    if op in ("in", "not_in"):
        values = _values(m)
        if (op == "in") == positive:
            return make_or([_eq(path, v) for v in values])
        return make_and([_not_eq(path, v) for v in values])
    if op in ORDER_OPS:
        return _ordered(path, op, m.value) if positive else _not_ordered(path, op, m.value)
    if op == "between":
        low, high, cls = _bounds(m)
        if cls is None:
            return FALSE if positive else TRUE
        if positive:
            return make_and([Test(path, cls, "gte", low), Test(path, cls, "lte", high)])
        return make_or([_type_is_not(path, cls), Test(path, cls, "lt", low),
                        Test(path, cls, "gt", high)])
    if op in PRECOMPUTED_OPS:
        return Test(path, _precomputed(m), "eq", 1 if positive else 0)
    raise EngineError(f"{m.describe()}: unknown operator {op!r}")


def lower(cond: Condition, positive: bool = True) -> Node:
    """The condition (or its negation) as an and/or tree of typed tests, constants folded."""
    if isinstance(cond, Matcher):
        return lower_matcher(cond, positive)
    if isinstance(cond, Not):
        return lower(cond.item, not positive)
    if isinstance(cond, AllOf | AnyOf):
        parts = [lower(c, positive) for c in cond.items]
        conjunction = isinstance(cond, AllOf) == positive
        return make_and(parts) if conjunction else make_or(parts)
    raise EngineError(f"not a condition node: {cond!r}")
