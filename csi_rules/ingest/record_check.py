"""Build a change Record from CSV-derived values without a JSON Schema pass per change.

parse_record's schema validation costs ~0.4 ms a record, most of the load time for the 18,000
Rabobank changes. Values from a mapping are already typed (cells are converted by type, value
maps were checked against the field catalogue when the mapping loaded), so what is left to
check here is cheap: types, fixed levels and ranges from the same catalogue. A test holds this
to parse_record's verdict on the committed Rabobank extract.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from csi_rules.errors import RecordError
from csi_rules.records import Record
from csi_rules.records.fields import FIELDS

_PYTHON_TYPES: dict[str, Any] = {  # Any: isinstance must not narrow `value` to object
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "datetime": (datetime,), "object": (dict,), "string[]": (list,),
}


def checked_record(data: dict[str, Any]) -> Record:
    """A Record from typed values (datetimes as aware datetime objects); RecordError names the
    field, as parse_record would."""
    if not isinstance(data.get("id"), str) or not data["id"]:
        raise RecordError("field id: a change needs a non-empty id")
    for name in data:
        value: Any = data[name]
        spec = FIELDS.get(name)
        if spec is None or spec.derived:
            raise RecordError(f"field {name}: not a record field")
        if value is None:
            continue
        if not isinstance(value, _PYTHON_TYPES[spec.type]) or (
                spec.type in ("integer", "number") and isinstance(value, bool)):
            raise RecordError(f"field {name}: {value!r} is not of type {spec.type}")
        if spec.type == "datetime" and value.tzinfo is None:
            raise RecordError(f"field {name}: {value.isoformat()} has no UTC offset")
        if spec.type == "string[]" and not all(isinstance(v, str) for v in value):
            raise RecordError(f"field {name}: every item must be a string")
        if spec.enum and value not in spec.enum:
            raise RecordError(f"field {name}: {value!r} is not one of {list(spec.enum)}")
        if spec.minimum is not None and value < spec.minimum:
            raise RecordError(f"field {name}: {value} is less than the minimum of {spec.minimum}")
        if spec.maximum is not None and value > spec.maximum:
            raise RecordError(f"field {name}: {value} is more than the maximum of {spec.maximum}")
    return Record(data)


def record_data(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Record fields of `kind` from mapped values; `raw.NAME` values go under `raw`, made
    JSON-ready since raw is kept as given."""
    data: dict[str, Any] = {"kind": kind}
    for name, value in values.items():
        if name.startswith("raw."):
            data.setdefault("raw", {})[name[4:]] = json_value(value)
        else:
            data[name] = value
    return data


def json_value(value: Any) -> Any:
    """`value` with datetimes (also inside lists) as ISO 8601 text."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return [json_value(v) for v in value]
    return value
