"""Turn schema-valid condition mappings into condition trees, typing the values on the way.

Values compared with date-time fields are parsed here, once, so neither evaluator has to.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from csi_rules.conditions.ast import OPERATORS, AllOf, AnyOf, Condition, Matcher, Not, Pointer
from csi_rules.records.fields import field_spec


def _typed(path: str, value: Any) -> Any:
    spec = field_spec(path)
    if spec is not None and spec.type == "datetime" and isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value  # the type checker reports it with its location
        return parsed if parsed.tzinfo is not None else value
    if isinstance(value, list):
        return tuple(_typed(path, v) for v in value)
    return value


def parse_condition(raw: Mapping[str, Any], pointer: Pointer = ()) -> Condition:
    """Build the tree for one condition mapping (already validated against the schema)."""
    if "all" in raw:
        return AllOf(tuple(parse_condition(c, (*pointer, "all", i))
                           for i, c in enumerate(raw["all"])), pointer)
    if "any" in raw:
        return AnyOf(tuple(parse_condition(c, (*pointer, "any", i))
                           for i, c in enumerate(raw["any"])), pointer)
    if "not" in raw:
        return Not(parse_condition(raw["not"], (*pointer, "not")), pointer)
    path = raw["field"]
    (op,) = (k for k in raw if k in OPERATORS)
    return Matcher(path, op, _typed(path, raw[op]), pointer)
