"""Project a record (at a given `now`) onto the flat integer fact one durable ruleset reads.

Why a projection at all: durable coerces types (`"9" > 10` is true, `1 == "1" == true`),
reserves `id`, `sid` and `$...`, allows at most 255 properties per message, misparses JSON
numbers written with an exponent (`1e-05` is read as 1), compares strings with `strncmp`
over the longer length (reading past the end of the shorter one), and keeps JSON escapes.
So a fact carries only generated property names and integers:

* one *value key* per field the ruleset reads: `band << 32 | rank`. The band is the type
  class (0 missing, 1 bool, 2 number, 3 string, 4 date-time, 5 anything else: lists,
  objects, NaN), so values of different types can never compare equal or ordered. The rank
  places the value among the constants of its class that the ruleset compares the field
  with: `2i+1` when it equals the i-th constant, `2i` when it lies between constants i-1
  and i. Python's own ordering decides the rank, so int/float, infinities, huge integers,
  any Unicode text and date-times in any UTC offset are exact; durable only ever compares
  two small integers. (A bool's key is its band plus 0 or 1; bools are never ordered.)
* for a field with positive ordering tests, a *class slot* too: the rank alone, present
  only when the value is of that class (absent properties never match in durable), so
  `x > 5` is one test instead of an interval of two.
* one 0/1 slot per matcher durable cannot express faithfully, evaluated here with the
  reference semantics (`conditions.evaluate.apply_operator`):
  - `matches`: Python `re.search`; durable's regex dialect is its own, not Python's.
  - `contains`: polymorphic (list element without coercion, or substring); durable has no
    substring test outside its regex dialect and coerces list elements.
  `exists` needs no precomputation: it is `key != 0`.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from csi_rules.conditions.evaluate import apply_operator
from csi_rules.engine.lowering import BandEnd, BandStart, Key
from csi_rules.engine.naming import MARKER
from csi_rules.engine.program import Slot
from csi_rules.errors import RecordError
from csi_rules.records.model import MISSING

BANDS: dict[str, int] = {
    "missing": 0, "bool": 1, "number": 2, "string": 3, "datetime": 4, "other": 5,
}
BAND_WIDTH = 1 << 32
_MISSING, _BOOL, _NUMBER, _STRING, _DATETIME, _OTHER = range(6)


def rank(keys: Sequence[Any], value: Any) -> int:
    """Position of `value` among sorted distinct `keys`: odd when equal to one, even between."""
    i = bisect_left(keys, value)
    return 2 * i + 1 if i < len(keys) and keys[i] == value else 2 * i


def band_of(value: Any) -> int:
    if value is MISSING:
        return _MISSING
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int | float):
        return _OTHER if isinstance(value, float) and math.isnan(value) else _NUMBER
    if isinstance(value, str):
        return _STRING
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise RecordError(f"date-time {value.isoformat()} has no UTC offset")
        return _DATETIME
    return _OTHER


def value_key(slot: Slot, value: Any) -> int:
    """The integer durable sees for `value` in a value slot."""
    band = band_of(value)
    base = band * BAND_WIDTH
    if band == _NUMBER:
        return base + rank(slot.numbers, value)
    if band == _STRING:
        return base + rank(slot.strings, value)
    if band == _DATETIME:
        return base + rank(slot.datetimes, value)
    if band == _BOOL:
        return base + int(value)
    return base


_CLASS_BAND = {"number": _NUMBER, "string": _STRING, "datetime": _DATETIME}


def class_rank(slot: Slot, value: Any) -> int:
    keys = {"number": slot.numbers, "string": slot.strings, "datetime": slot.datetimes}
    return rank(keys[slot.kind], value)


def encode_operand(slot: Slot, operand: Key | BandStart | BandEnd | int) -> int:
    """The integer a rule compares `slot` with (the compiler's half of the encoding)."""
    if slot.kind in _CLASS_BAND:
        assert isinstance(operand, Key)
        return class_rank(slot, operand.value)
    if isinstance(operand, BandStart):
        return BANDS[operand.cls] * BAND_WIDTH
    if isinstance(operand, BandEnd):
        return (BANDS[operand.cls] + 1) * BAND_WIDTH
    if isinstance(operand, Key):
        return 0 if operand.cls == "missing" else value_key(slot, operand.value)
    return operand  # 0/1 for precomputed slots


Projector = Callable[[Sequence[Any]], dict[str, Any]]


def projector(slots: Sequence[Slot], index: dict[str, int]) -> Projector:
    """A function values -> fact dict for a ruleset with these slots.

    `values[index[path]]` is the record's value at `path`; the caller looks every path up
    once per record, however many rulesets read it.
    """
    steps = [(s, s.name, index[s.path], s.kind, _CLASS_BAND.get(s.kind)) for s in slots]

    def project(values: Sequence[Any]) -> dict[str, Any]:
        fact: dict[str, Any] = {MARKER: 1}
        for slot, name, i, kind, band in steps:
            value = values[i]
            if kind == "value":
                fact[name] = value_key(slot, value)
            elif kind == "pre":
                fact[name] = 1 if apply_operator(slot.op, value, slot.expected) else 0
            elif band_of(value) == band:
                fact[name] = class_rank(slot, value)
        return fact

    return project
