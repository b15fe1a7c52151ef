"""Answers about a record remembered by the values the conditions behind them read.

SLA clocks and escalation ladders ask the same questions of every snapshot of every ticket,
and the answers depend only on the few fields their conditions name (state, priority, ...).
Across thousands of tickets the same combinations come back, so each is computed once and
looked up after that. Values are keyed with their exact type (conditions never coerce: 1, 1.0
and True differ); a value of any other type than text, number, boolean or missing (a list, a
date-time) is computed afresh every time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from csi_rules.conditions.ast import Condition, matchers
from csi_rules.records.model import MISSING, Record, path_value

T = TypeVar("T")

MEMO_LIMIT = 1 << 16
"""Combinations kept per memo; it starts over when full."""
TEXT_KEPT = 256
"""Longest text a combination is kept for: a condition on free text (a description) sees a new
value per ticket, which would only fill a long-running memo with ticket texts."""

_KEYED_TYPES = frozenset({str, int, float, bool, type(MISSING)})
_NOT_KNOWN = object()

KeyMaker = Callable[[dict[str, Any]], "tuple[Any, ...] | None"]


def key_maker(paths: Sequence[tuple[str, ...]]) -> KeyMaker:
    """A function of a record's data giving the (type, value, type, value, ...) key of `paths`,
    or None when a value is of a type not keyed or a text longer than TEXT_KEPT. Generated for
    the paths (straight-line code: a loop over the paths with a branch per path was most of a
    memo lookup's time); the path names are bound as constants, never written into the
    source."""
    names: dict[str, Any] = {"MISSING": MISSING, "KEYED": _KEYED_TYPES, "LONG": TEXT_KEPT,
                             "path_value": path_value}
    lines = ["def key(data):"]
    for i, parts in enumerate(paths):
        names[f"P{i}"] = parts[0] if len(parts) == 1 else tuple(parts)
        if len(parts) == 1:  # path_value's answer for a top-level field, inlined
            lines += [f"    v{i} = data.get(P{i})",
                      f"    if v{i} is None:",
                      f"        v{i} = MISSING"]
        else:
            lines.append(f"    v{i} = path_value(data, P{i})")
        lines += [f"    t{i} = type(v{i})",
                  f"    if t{i} not in KEYED or t{i} is str and len(v{i}) > LONG:",
                  "        return None"]
    lines.append("    return (" + "".join(f"t{i}, v{i}, " for i in range(len(paths))) + ")")
    exec("\n".join(lines), names)  # generated from the path count alone
    made: KeyMaker = names.pop("key")  # not kept in its own globals: no reference cycle
    return made


class ValueMemo(Generic[T]):
    """`compute(record)`, remembered by the (type, value) of every path `conditions` read."""

    def __init__(self, conditions: Iterable[Condition], compute: Callable[[Record], T]):
        paths = sorted({m.path for c in conditions for m in matchers(c)})
        self._key = key_maker([tuple(p.split(".")) for p in paths])
        self._compute = compute
        self._memo: dict[tuple[Any, ...], T] = {}

    def __call__(self, record: Record) -> T:
        key = self._key(record.data)
        if key is None:
            return self._compute(record)
        found = self._memo.get(key, _NOT_KNOWN)
        if found is _NOT_KNOWN:
            found = self._compute(record)
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            self._memo[key] = found
        return found  # type: ignore[return-value]
