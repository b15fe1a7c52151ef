"""Build Records from mapped CSV values through the one record validator, `parse_record`.

Mapped values are typed (datetimes as aware datetime objects); they are written back as JSON
values so that `parse_record` checks them exactly as it checks any other input (its compiled
fast path makes this cheap: ~20 us a record). Plain values (text, numbers, lists of them) are
recognised by their type alone and taken as they are, without a call or a walk per value.

A loader making many records of one kind checks them with a RecordCheck: the record schema
for one kind judges each field's value on its own (see RecordCheck), so a record whose every
value is of a class already judged valid needs no second look; anything new goes through
`checked_record`, which gives the verdict and, for a broken record, the message.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import NoneType
from typing import Any

from csi_rules.records import Record, parse_record
from csi_rules.records.fields import FIELDS
from csi_rules.records.schema import record_schema_for_kind


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
PLAIN_TYPES = _PLAIN = frozenset({str, int, float, bool, type(None), dict})


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


_DATETIME_FIELDS = frozenset(n for n, s in FIELDS.items() if s.type == "datetime" and not s.derived)
"""The fields parse_record reads ISO text into datetimes for (records/model.py's own list)."""
_SCALARS = _PLAIN - {dict}
_BY_TYPE, _BY_OFFSET, _BY_ITEM_TYPES = "type", "offset", "item types"
_SCHEMA_KEYS = {"$schema", "$id", "title", "type", "required", "additionalProperties",
                "properties", "allOf"}


def _field_classes(schema: dict[str, Any]) -> dict[str, str] | None:
    """For each field whose verdict depends on less than its value, what it depends on:
    the value's type (a plain typed field), a datetime's UTC offset (a date-time field: its
    ISO text differs only there in shape), or a list's item types (a list of strings). None
    when the schema is not the per-field conjunction RecordCheck relies on."""
    if set(schema) - _SCHEMA_KEYS or schema.get("type") != "object" \
            or schema.get("additionalProperties") is not False:
        return None
    constrained = set()
    for rule in schema.get("allOf", ()):
        if set(rule) != {"properties"}:
            return None
        constrained |= set(rule["properties"])
    out = {}
    for name, prop in schema["properties"].items():
        prop = {k: v for k, v in prop.items() if k != "description"}
        if name in constrained:
            continue
        branches = prop.get("anyOf", [prop])
        if len(prop) != 1 or branches[1:] not in ([], [{"type": "null"}]):
            continue
        (only,) = branches[:1]
        if set(only) == {"type"}:
            out[name] = _BY_TYPE
        elif only == {"type": "string", "format": "date-time"} and name in _DATETIME_FIELDS:
            out[name] = _BY_OFFSET
        elif only == {"type": "array", "items": {"type": "string"}}:
            out[name] = _BY_ITEM_TYPES
    return out


class RecordCheck:
    """`checked_record` for many records of one kind, asking the schema once per class of value.

    The record schema for one kind is a conjunction over fields (required fields, no unknown
    field, and each field's own rule: its type, enum, bounds, vocabulary, format), so a record
    is valid when its required fields are there and each (field, value) is one a valid record
    already had, or one of the same class: for a field checked by type alone, a str, a dict or
    None is judged by its type; a datetime in a date-time field by its UTC offset (its ISO text
    differs only there in shape); a list of strings by its item types. Any other value is known
    by itself. A record with anything new goes through `checked_record` (same verdict, same
    message); only what passed is remembered. Values are taken as they are (datetimes stay
    datetime objects), which gives the same record as `checked_record` builds from them.
    """

    def __init__(self, kind: str):
        schema = record_schema_for_kind(kind)
        self._classes = _field_classes(schema)
        self._required = tuple(schema["required"])
        self._known: set[Any] = set()

    def __call__(self, data: dict[str, Any]) -> Record:
        keys = self._keys(data)
        if keys is not None and self._known.issuperset(keys) \
                and all(name in data for name in self._required):
            return Record(data)
        record = checked_record(data)
        if keys is not None:
            self._known.update(keys)
        return record

    def _keys(self, data: dict[str, Any]) -> list[Any] | None:
        """The class of each (field, value); None when a value is not taken as it is."""
        classes = self._classes
        if classes is None:
            return None
        keys: list[tuple[Any, ...]] = []
        for name, value in data.items():
            kind: type = type(value)
            how = classes.get(name)
            if kind is str or kind is dict or kind is NoneType:
                if kind is str and name in _DATETIME_FIELDS:
                    return None  # ISO text that parse_record turns into a datetime
                if how is _BY_TYPE:
                    keys.append((name, kind))
                elif kind is dict:
                    return None
                else:
                    keys.append((name, kind, value))
            elif kind in _SCALARS:  # int, float, bool: judged by value (1.0 is an integer)
                keys.append((name, kind, value))
            elif kind is datetime and how is _BY_OFFSET:
                keys.append((name, kind, value.utcoffset()))
            elif kind is list and _SCALARS.issuperset(items := set(map(type, value))):
                keys.append((name, kind, frozenset(items)) if how is _BY_ITEM_TYPES
                            else (name, kind, tuple(value)))
            else:
                return None
        return keys
