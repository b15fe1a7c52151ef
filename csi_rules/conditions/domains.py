"""The values a field path can hold in a validated record, and the few worth trying against a test.

A conjunction of literals on one path splits the path's values into regions (below, at and
between the constants it mentions, missing, of another type) on which every literal is constant.
One representative per region is enough to decide the conjunction exactly: that is what
`candidates` returns, together with whether the set is complete for the literals given.
Operators that look inside strings (`matches`, and `contains` on a string) do not split values
that way, so with them a failed search proves nothing.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from typing import Any

from csi_rules.conditions.evaluate import type_class
from csi_rules.conditions.normal_form import Literal
from csi_rules.records.fields import RECORD_KINDS, FieldType, field_spec
from csi_rules.records.model import MISSING

_ANY_DATETIME = datetime(2000, 1, 1, tzinfo=UTC)
_REGEX_SYNTAX = re.compile(r"\\[AbBdDsSwWZ]|[\\^$.|?*+()\[\]{}]")
_TYPE_PHRASES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "datetime": "a date-time",
    "boolean": "true or false",
    "string[]": "a list of strings",
    "object": "a mapping",
}


@dataclass(frozen=True)
class Domain:
    """The non-missing values of one path; `type` None means untyped (raw.* and unknown paths)."""

    type: FieldType | None = None
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None

    def fits(self, value: Any) -> bool:
        """Whether a validated record can hold `value` here (MISSING always fits)."""
        if value is MISSING or self.type is None:
            return True
        if self.type in ("integer", "number"):
            if type_class(value) != "number" or not _finite(value):
                return False
            if self.type == "integer" and value != int(value):
                return False
            low_ok = self.minimum is None or value >= self.minimum
            return low_ok and (self.maximum is None or value <= self.maximum)
        if self.type == "string":
            return isinstance(value, str) and (self.enum is None or value in self.enum)
        if self.type == "datetime":
            return isinstance(value, datetime) and value.tzinfo is not None
        if self.type == "boolean":
            return isinstance(value, bool)
        if self.type == "string[]":
            return isinstance(value, list) and all(isinstance(v, str) for v in value)
        return isinstance(value, dict)

    def describe(self) -> str:
        """`an integer from 1 to 5`, `one of 'low', 'high'`: why a value cannot occur here."""
        if self.type is None:
            return "untyped"
        if self.enum is not None:
            return "one of " + ", ".join(repr(v) for v in self.enum)
        text = _TYPE_PHRASES[self.type]
        if self.minimum is not None and self.maximum is not None:
            return f"{text} from {self.minimum} to {self.maximum}"
        if self.minimum is not None:
            return f"{text} of at least {self.minimum}"
        if self.maximum is not None:
            return f"{text} of at most {self.maximum}"
        return text

    def candidates(self, lits: Sequence[Literal]) -> tuple[list[Any], bool]:
        """Values to try (present ones first, MISSING last) and whether they decide `lits`."""
        finite = _forced_values(lits)
        if finite is not None:
            return [v for v in finite if self.fits(v)], True
        try:
            values, complete = self._representatives(lits)
        except (OverflowError, ValueError):  # constants at the edge of float or datetime range
            values, complete = [], False
        return [v for v in values if self.fits(v)] + [MISSING], complete

    def _representatives(self, lits: Sequence[Literal]) -> tuple[list[Any], bool]:
        consts = list(constants(lits))
        if self.type == "boolean":
            return [True, False], True
        if self.type == "string" and self.enum is not None:
            return list(self.enum), True
        if self.type == "object":
            return [{}], True
        if self.type == "string[]":
            wanted = [m.value for m in _positive(lits, "contains")]
            return [wanted, []], True
        if self.type == "integer":
            return _integer_points(consts, self.minimum, self.maximum)
        if self.type == "number":
            return _number_points(consts)
        if self.type == "datetime":
            return _datetime_points(consts)
        peeks_inside = any(lit.matcher.op in ("matches", "contains") for lit in lits)
        strings, _ = _string_points(consts)
        guesses = _string_guesses(lits)
        if self.type == "string":
            return strings + guesses, not peeks_inside
        # untyped: every type the literals mention, plus one value no literal can compare with
        numbers, numbers_ok = _number_points(consts) if _has(consts, "number") else ([], True)
        times, times_ok = _datetime_points(consts) if _has(consts, "datetime") else ([], True)
        flags = [True, False] if _has(consts, "bool") else []
        listed = [m.value for m in _positive(lits, "contains")]
        values = [*strings, *guesses, *numbers, *times, *flags, listed, {}]
        return values, numbers_ok and times_ok and not peeks_inside


def domain_for(path: str) -> Domain:
    """The domain of a condition path; unknown paths are untyped so nothing is assumed of them."""
    spec = field_spec(path)
    if spec is None or "." in path:
        return Domain()
    enum = RECORD_KINDS if spec.name == "kind" else spec.enum
    return Domain(spec.type, enum, spec.minimum, spec.maximum)


def constants(lits: Iterable[Literal]) -> Iterable[Any]:
    """Every value the literals compare the field with (list operands are opened up)."""
    for lit in lits:
        op, value = lit.matcher.op, lit.matcher.value
        if op in ("in", "not_in", "between") and isinstance(value, list | tuple):
            yield from value
        elif op not in ("matches", "exists"):
            yield value


def _positive(lits: Iterable[Literal], op: str) -> Iterable[Any]:
    return (lit.matcher for lit in lits if lit.matcher.op == op and not lit.negated)


def _forced_values(lits: Sequence[Literal]) -> list[Any] | None:
    """When a literal pins the field to a finite set (eq, in, exists false), just that set."""
    for m in _positive(lits, "eq"):
        return [m.value]
    for m in _positive(lits, "in"):
        if isinstance(m.value, list | tuple):
            return list(m.value)
    for m in _positive(lits, "exists"):
        if not m.value:
            return [MISSING]
    return None


def _has(consts: Iterable[Any], cls: str) -> bool:
    return any(type_class(c) == cls for c in consts)


def _finite_numbers(consts: Iterable[Any]) -> tuple[list[int | float], bool]:
    numbers = [c for c in consts if type_class(c) == "number"]
    finite = [c for c in numbers if _finite(c)]
    return sorted(set(finite)), len(finite) == len(numbers)


def _integer_points(
    consts: Iterable[Any], minimum: int | None, maximum: int | None
) -> tuple[list[Any], bool]:
    """Integers around every constant: a literal's truth over the integers only changes at
    floor(c) or floor(c) + 1, so with the bounds these hit every region."""
    numbers, complete = _finite_numbers(consts)
    points = {math.floor(c) + d for c in numbers for d in (-1, 0, 1)}
    points.update(b for b in (minimum, maximum) if b is not None)
    if not points:
        points.add(0)
    return sorted(points), complete


def _number_points(consts: Iterable[Any]) -> tuple[list[Any], bool]:
    """Each constant, something inside every gap between neighbours, and beyond both ends."""
    numbers, complete = _finite_numbers(consts)
    if not numbers:
        return [0], complete
    first, last = numbers[0], numbers[-1]
    points: list[Any] = [first - 1, math.nextafter(float(first), -math.inf), *numbers,
                         last + 1, math.nextafter(float(last), math.inf)]
    for low, high in itertools.pairwise(numbers):
        mid = (Fraction(low) + Fraction(high)) / 2
        # the first float above `low` exists in the gap whenever any float does; the floor of the
        # exact midpoint (or the integer after it) whenever any integer does
        points += [float(mid), math.floor(mid), math.floor(mid) + 1, float(low),
                   math.nextafter(float(low), math.inf)]
    return [p for p in points if _finite(p)], complete


def _finite(number: Any) -> bool:
    return isinstance(number, int) or math.isfinite(number)


def _datetime_points(consts: Iterable[Any]) -> tuple[list[Any], bool]:
    times = [c for c in consts if isinstance(c, datetime)]
    aware = sorted({t for t in times if t.tzinfo is not None})
    complete = all(t.tzinfo is not None for t in times)  # naive ones raise when compared
    if not aware:
        return [_ANY_DATETIME], complete
    tick = timedelta(microseconds=1)
    points = [aware[0] - timedelta(days=1), *aware, aware[-1] + timedelta(days=1)]
    points += [low + tick for low in aware]
    return points, complete


def _string_points(consts: Iterable[Any]) -> tuple[list[Any], bool]:
    """The empty string sorts first and `s + NUL` is the very next string after `s`."""
    strings = sorted({c for c in consts if isinstance(c, str)})
    return ["", *strings, *(s + "\0" for s in strings)], True


def _string_guesses(lits: Sequence[Literal]) -> list[str]:
    """Strings that may satisfy matches/contains; they can prove a match, never rule one out."""
    parts = [m.value for m in _positive(lits, "contains") if isinstance(m.value, str)]
    for m in _positive(lits, "matches"):
        if isinstance(m.value, str):
            parts.append(_REGEX_SYNTAX.sub("", m.value))
    guesses = [*parts, "".join(parts)]
    guesses += [m.value for m in _positive(lits, "matches") if isinstance(m.value, str)]
    return guesses
