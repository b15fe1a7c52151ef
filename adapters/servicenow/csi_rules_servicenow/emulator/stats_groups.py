"""Aggregate API groups: `sysparm_having` filters them, `sysparm_order_by` orders them.

As c_AggregateAPI.md (ServiceNowDocs, yokohama) documents them: `sysparm_having` is a comma
list of `aggregate^field^operator^value` (`count^priority^>^3`, `avg^priority^>^3`; count
ignores its field), `sysparm_order_by` a comma list of a field or an aggregate (`AVG^state`,
`COUNT`), ascending unless followed by `^DESC`. A part that does not follow the syntax is a
`StatsParamError` (answered 400; the platform's wording for it is *unverified*).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

Row = dict[str, str]
Aggregate = Callable[[str, list[str]], str]   # (kind, values) -> the answer's string
AGGREGATES = ("count", "avg", "min", "max", "sum")
_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq, "!=": operator.ne, ">": operator.gt, "<": operator.lt,
    ">=": operator.ge, "<=": operator.le}


class StatsParamError(ValueError):
    """A `sysparm_having` or `sysparm_order_by` part the emulator cannot read."""


@dataclass(frozen=True)
class Having:
    aggregate: str
    field: str
    compare: Callable[[float, float], bool]
    value: float


def parse_having(text: str) -> list[Having]:
    out = []
    for part in (p for p in text.split(",") if p.strip()):
        pieces = part.strip().split("^")
        if len(pieces) != 4 or pieces[0].lower() not in AGGREGATES or pieces[2] not in _COMPARE:
            raise StatsParamError(f"Invalid sysparm_having: {part}")
        try:
            value = float(pieces[3])
        except ValueError:
            raise StatsParamError(f"Invalid sysparm_having: {part}") from None
        out.append(Having(pieces[0].lower(), pieces[1], _COMPARE[pieces[2]], value))
    return out


def parse_order(text: str) -> list[tuple[str, str, bool]]:
    """(aggregate or "", field or "", descending) for each comma-separated part."""
    out = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        pieces = part.split("^")
        descending = pieces[-1].upper() == "DESC"
        if pieces[-1].upper() in ("DESC", "ASC"):
            pieces = pieces[:-1]
        head = pieces[0].lower() if pieces else ""
        if head in AGGREGATES and (len(pieces) == 2 or (head == "count" and len(pieces) == 1)):
            out.append((head, pieces[1] if len(pieces) == 2 else "", descending))
        elif len(pieces) == 1 and pieces[0]:
            out.append(("", pieces[0], descending))
        else:
            raise StatsParamError(f"Invalid sysparm_order_by: {part}")
    return out


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def measure(members: list[Row], aggregate: str, field: str, compute: Aggregate) -> float | None:
    if aggregate == "count":
        return float(len(members))
    return _number(compute(aggregate, [r.get(field, "") for r in members]))


def keep(members: list[Row], having: Sequence[Having], compute: Aggregate) -> bool:
    for clause in having:
        found = measure(members, clause.aggregate, clause.field, compute)
        if found is None or not clause.compare(found, clause.value):
            return False
    return True


def ordered(groups: list[list[Row]], order: Sequence[tuple[str, str, bool]],
            compute: Aggregate) -> list[list[Row]]:
    """Stable multi-key sort, keys applied last to first; numbers as numbers, before text."""
    out = list(groups)
    for aggregate, field, descending in reversed(order):
        def key(members: list[Row], aggregate: str = aggregate,
                field: str = field) -> tuple[int, float, str]:
            if aggregate:
                found = measure(members, aggregate, field, compute)
                return (0, found, "") if found is not None else (-1, 0.0, "")
            text = members[0].get(field, "")
            number = _number(text)
            return (1, 0.0, text) if number is None else (0, number, "")
        out.sort(key=key, reverse=descending)
    return out
