"""The reference's comparison classes, computed fast and used as index keys.

`conditions.evaluate.type_class` decides what may be compared with what (bool is not a
number, "1" is not 1). `klass` gives the same answer with one dict lookup for the exact
built-in types and falls back to the reference for anything else (subclasses, MISSING).
Two values are `equals` in the reference exactly when their `key`s are equal, which is what
makes hash indexes on equality and membership exact.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from csi_rules.conditions.evaluate import type_class

UNKNOWN = object()
CLASS_OF: dict[type, str | None] = {bool: "bool", int: "number", float: "number",
                                    str: "string", datetime: "datetime"}


def klass(value: Any) -> str | None:
    found = CLASS_OF.get(value.__class__, UNKNOWN)
    return type_class(value) if found is UNKNOWN else found  # type: ignore[return-value]


def is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def index_key(value: Any) -> tuple[str, Any] | None:
    """(class, value) when `value` can equal anything at all; None otherwise (lists, objects,
    NaN: `equals` is false for every pairing, so no index bucket may hold them)."""
    cls = type_class(value)
    if cls is None or is_nan(value):
        return None
    return (cls, value)


def contains(actual: Any, expected: Any, expected_class: str | None) -> bool:
    """`contains` as the reference defines it (list element, or substring of a string)."""
    if isinstance(actual, list | tuple):
        return expected_class is not None and any(
            klass(item) == expected_class and item == expected for item in actual)
    return isinstance(actual, str) and isinstance(expected, str) and expected in actual
