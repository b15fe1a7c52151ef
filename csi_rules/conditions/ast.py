"""Condition tree nodes. Each node remembers where in the policy document it came from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

# operator -> one-line meaning (the docs reference and the schema are generated from this)
OPERATORS: dict[str, str] = {
    "eq": "field equals the value (no type coercion: the string '1' is not the number 1)",
    "ne": "field does not equal the value (true when the field is missing)",
    "lt": "field is less than the value (numbers, strings or date-times of the same type)",
    "lte": "field is less than or equal to the value",
    "gt": "field is greater than the value",
    "gte": "field is greater than or equal to the value",
    "in": "field equals one of the listed values",
    "not_in": "field equals none of the listed values (true when the field is missing)",
    "matches": "string field matches the regular expression (RE2 syntax, searched anywhere)",
    "exists": "true: field is present and not null; false: field is missing or null",
    "contains": "list field has the value as an element, or string field has it as a substring",
    "between": "field lies in [low, high], both ends included",
}

Pointer = tuple[str | int, ...]


@dataclass(frozen=True)
class Matcher:
    """`field OP value`; `pointer` is the JSON path of the matcher inside its document."""

    path: str
    op: str
    value: Any
    pointer: Pointer = field(default=(), compare=False)

    def describe(self) -> str:
        return f"{self.path} {self.op} {self.value!r}"


@dataclass(frozen=True)
class AllOf:
    items: tuple[Condition, ...]
    pointer: Pointer = field(default=(), compare=False)


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Condition, ...]
    pointer: Pointer = field(default=(), compare=False)


@dataclass(frozen=True)
class Not:
    item: Condition
    pointer: Pointer = field(default=(), compare=False)


Condition = Matcher | AllOf | AnyOf | Not

ALWAYS = AllOf(())  # the empty conjunction: matches every record


def matchers(cond: Condition) -> Iterator[Matcher]:
    """Every matcher in the tree, in document order."""
    if isinstance(cond, Matcher):
        yield cond
    elif isinstance(cond, Not):
        yield from matchers(cond.item)
    else:
        for item in cond.items:
            yield from matchers(item)
