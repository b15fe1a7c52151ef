"""Project a record (at a given `now`) onto the flat, typed fact one durable ruleset reads.

Why a projection at all: durable coerces types (`"9" > 10` is true, `1 == "1" == true`),
reserves `id`, `sid` and `$...`, allows at most 255 properties per message, misparses JSON
numbers written with an exponent (`1e-05` is read as 1), compares strings with `strncmp`
over the longer length (reading past the end of the shorter one), and keeps JSON escapes.
The fact therefore carries only generated property names and small integers or booleans:

* `type` slot, one per field that a negated test needs: 0 missing, 1 bool, 2 number,
  3 string, 4 date-time, 5 anything else (lists, objects, NaN).
* `number` / `string` slot: present only when the value is a number / a string, holding its
  *rank* among the constants the ruleset compares that field with: `2i+1` when it equals the
  i-th constant, `2i` when it lies between constants i-1 and i. Ranks keep every `<`, `==`,
  `>` against those constants exactly (Python's own ordering decides them, so int/float,
  infinities, huge integers and any Unicode text are exact) and are always plain integers.
* `datetime` slot: present only for an aware date-time, as integer microseconds since the
  epoch (exact; equal instants in different offsets are equal).
* `bool` slot: present only for a real bool, as a JSON boolean.
* `pre` slot: 0/1, the result of a matcher durable cannot express faithfully, evaluated here
  with the reference semantics (`conditions.evaluate.apply_operator`):
  - `matches`: Python `re.search`; durable's regex dialect is its own and not PCRE/Python.
  - `contains`: polymorphic (list element without coercion, or substring); durable would
    need its own regex dialect for substrings and coerces list elements.
  `exists` needs no precomputation: it is a test on the type slot.

NaN is tagged "other": it equals and orders with nothing, like in Python.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from csi_rules.conditions.evaluate import apply_operator
from csi_rules.engine.lowering import TYPE_CODES
from csi_rules.engine.naming import MARKER
from csi_rules.engine.program import Slot
from csi_rules.errors import RecordError
from csi_rules.records.model import MISSING

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
_MISSING, _BOOL, _NUMBER, _STRING, _DATETIME, _OTHER = (
    TYPE_CODES[k] for k in ("missing", "bool", "number", "string", "datetime", "other")
)
_KIND_CODE = {"bool": _BOOL, "number": _NUMBER, "string": _STRING, "datetime": _DATETIME}


def epoch_micros(value: datetime) -> int:
    if value.utcoffset() is None:
        raise RecordError(f"date-time {value.isoformat()} has no UTC offset")
    return (value - EPOCH) // MICROSECOND


def rank(keys: Sequence[Any], value: Any) -> int:
    """Position of `value` among sorted distinct `keys`: odd when equal to one, even between."""
    i = bisect_left(keys, value)
    return 2 * i + 1 if i < len(keys) and keys[i] == value else 2 * i


def type_code(value: Any) -> int:
    if value is MISSING:
        return _MISSING
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int | float):
        return _OTHER if isinstance(value, float) and math.isnan(value) else _NUMBER
    if isinstance(value, str):
        return _STRING
    if isinstance(value, datetime):
        return _DATETIME
    return _OTHER


def encode_constant(slot: Slot, value: Any) -> Any:
    """The JSON value a rule compares `slot` with (the compiler's half of the encoding)."""
    if slot.kind in ("number", "string"):
        return rank(slot.keys, value)
    if slot.kind == "datetime":
        return epoch_micros(value)
    return value  # type codes, 0/1 for pre, booleans


Projector = Callable[[Sequence[Any], Sequence[int]], dict[str, Any]]


def projector(slots: Sequence[Slot], index: dict[str, int]) -> Projector:
    """A function (values, type codes) -> fact dict for a ruleset with these slots.

    `values[index[path]]` is the record's value at `path`, `codes[...]` its `type_code`; the
    caller looks every path up once per record, however many rulesets read it.
    """
    steps = [(s.name, index[s.path], s.kind, s.keys, s.op, s.expected) for s in slots]

    def project(values: Sequence[Any], codes: Sequence[int]) -> dict[str, Any]:
        fact: dict[str, Any] = {MARKER: 1}
        for name, i, kind, keys, op, expected in steps:
            code = codes[i]
            if kind == "type":
                fact[name] = code
            elif kind == "pre":
                fact[name] = 1 if apply_operator(op, values[i], expected) else 0
            elif code == _KIND_CODE[kind]:
                if kind == "number" or kind == "string":
                    fact[name] = rank(keys, values[i])
                elif kind == "datetime":
                    fact[name] = epoch_micros(values[i])
                else:
                    fact[name] = values[i]
        return fact

    return project
