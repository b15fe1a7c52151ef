"""The encoded-query subset (`sysparm_query`) the emulator understands: parsed once, run per row.

Supported: `^` (AND), `^OR` (binds to the condition before it), `^NQ` (new OR'ed group), operators
= != < <= > >= IN, NOT IN, LIKE, NOT LIKE, STARTSWITH, ENDSWITH, ISEMPTY, ISNOTEMPTY, ANYTHING,
EMPTYSTRING, and ORDERBY / ORDERBYDESC. Like the platform, a condition naming an unknown field or
operator is ignored rather than rejected (c_TableAPI.md, sysparm_query). Values are compared
case-sensitively, as the docs say; numeric columns compare as numbers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from csi_rules_servicenow.emulator.tables import NUMERIC_FIELDS

# Longest operators first so that "NOT IN" wins over "IN" and "<=" over "<".
OPERATORS = ("ISNOTEMPTY", "ISEMPTY", "EMPTYSTRING", "ANYTHING", "NOT IN", "NOT LIKE",
             "STARTSWITH", "ENDSWITH", "LIKE", "IN", "!=", "<=", ">=", "=", "<", ">")
_FIELD = re.compile(r"[a-z0-9_.]+")

Getter = Callable[[str], "str | None"]
"""Looks a (possibly dot-walked) field up in a row; None when the field does not exist."""


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: str

    def matches(self, get: Getter) -> bool:
        actual = get(self.field)
        if actual is None:  # unknown field: the platform ignores the condition
            return True
        return _compare(self.op, actual, self.value, self.field.rsplit(".", 1)[-1])


@dataclass
class EncodedQuery:
    """Groups OR'ed by ^NQ; each group is an AND of terms; each term an OR of conditions."""

    groups: list[list[list[Condition]]] = field(default_factory=list)
    order_by: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)

    def matches(self, get: Getter) -> bool:
        if not self.groups:
            return True
        return any(all(any(c.matches(get) for c in term) for term in group)
                   for group in self.groups)


def parse_query(text: str) -> EncodedQuery:
    """Parse `sysparm_query`; malformed pieces are dropped, as the platform ignores them."""
    query = EncodedQuery()
    for group_text in text.split("^NQ") if text else []:
        group: list[list[Condition]] = []
        for part in group_text.split("^"):
            if not part:
                continue
            if part.startswith("ORDERBYDESC"):
                query.order_by.append((part[len("ORDERBYDESC"):], True))
                continue
            if part.startswith("ORDERBY"):
                query.order_by.append((part[len("ORDERBY"):], False))
                continue
            is_or = part.startswith("OR") and group and not _FIELD.match(part)
            condition = _parse_condition(part[2:] if is_or else part)
            if condition is None:
                continue
            if is_or and group:
                group[-1].append(condition)
            else:
                group.append([condition])
        if group:
            query.groups.append(group)
    return query


def _parse_condition(text: str) -> Condition | None:
    match = _FIELD.match(text)
    if not match:
        return None
    name, rest = match.group(0), text[match.end():]
    for op in OPERATORS:
        if rest.startswith(op):
            return Condition(name, op, rest[len(op):])
    return None


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _compare(op: str, actual: str, expected: str, column: str) -> bool:
    if op == "ISEMPTY":
        return actual == ""
    if op == "ISNOTEMPTY":
        return actual != ""
    if op == "ANYTHING":
        return True
    if op == "EMPTYSTRING":
        return actual == ""
    if op == "IN":
        return actual in expected.split(",")
    if op == "NOT IN":
        return actual not in expected.split(",")
    if op == "LIKE":
        return expected in actual
    if op == "NOT LIKE":
        return expected not in actual
    if op == "STARTSWITH":
        return actual.startswith(expected)
    if op == "ENDSWITH":
        return actual.endswith(expected)
    if op == "=":
        return _equal(actual, expected, column)
    if op == "!=":
        return not _equal(actual, expected, column)
    return _ordered(op, actual, expected, column)


def _equal(actual: str, expected: str, column: str) -> bool:
    if column in NUMERIC_FIELDS:
        a, e = _number(actual), _number(expected)
        if a is not None and e is not None:
            return a == e
    return actual == expected


def _ordered(op: str, actual: str, expected: str, column: str) -> bool:
    if actual == "":
        return False
    a: float | str = actual
    e: float | str = expected
    if column in NUMERIC_FIELDS:
        na, ne = _number(actual), _number(expected)
        if na is None or ne is None:
            return False
        a, e = na, ne
    if op == "<":
        return a < e  # type: ignore[operator]  # both str or both float, checked above
    if op == "<=":
        return a <= e  # type: ignore[operator]
    if op == ">":
        return a > e  # type: ignore[operator]
    return a >= e  # type: ignore[operator]


def sort_rows(rows: list[dict[str, str]], order_by: Sequence[tuple[str, bool]],
              getter_for: Callable[[dict[str, str]], Getter]) -> list[dict[str, str]]:
    """Stable multi-key sort: apply the keys last to first, each ascending or descending."""
    out = list(rows)
    for name, descending in reversed(order_by):
        column = name.rsplit(".", 1)[-1]

        def key(row: dict[str, str], name: str = name, column: str = column) -> tuple[int, object]:
            value = getter_for(row)(name) or ""
            if column in NUMERIC_FIELDS:
                number = _number(value)
                return (0, number) if number is not None else (-1, 0.0)
            return (0, value)

        out.sort(key=key, reverse=descending)
    return out
