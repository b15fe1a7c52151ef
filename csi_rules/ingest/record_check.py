"""Build Records from mapped CSV values through the one record validator, `parse_record`.

Mapped values are typed (datetimes as aware datetime objects); they are written back as JSON
values so that `parse_record` checks them exactly as it checks any other input (its compiled
fast path makes this cheap: ~20 us a record). Plain values (text, numbers, lists of them) are
recognised by their type alone and taken as they are, without a call or a walk per value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from csi_rules.records import Record, parse_record


def checked_record(data: dict[str, Any]) -> Record:
    """A Record from typed values; RecordError names the field, as for any record."""
    return parse_record({name: value if type(value) in _PLAIN else json_value(value)
                         for name, value in data.items()}, "record")


def record_data(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Record fields of `kind` from mapped values; `raw.NAME` values go under `raw`, made
    JSON-ready since raw is kept as given."""
    data: dict[str, Any] = {"kind": kind}
    for name, value in values.items():
        raw_name = _RAW_NAMES.get(name)
        if raw_name is None:
            raw_name = _RAW_NAMES[name] = name[4:] if name.startswith("raw.") else ""
        if raw_name:
            data.setdefault("raw", {})[raw_name] = (
                value if type(value) in _PLAIN else json_value(value))
        else:
            data[name] = value
    return data


_RAW_NAMES: dict[str, str] = {}
"""Field name -> its name under `raw` ("" for a record field); mappings name few fields."""
_PLAIN = frozenset({str, int, float, bool, type(None), dict})


def json_value(value: Any) -> Any:
    """`value` with datetimes (also inside lists) as ISO 8601 text; a list is copied."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is list and _PLAIN.issuperset(map(type, value)):
        return list(value)  # the mapping's usual list (of text): no call per element
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [json_value(v) for v in value]
    return value
