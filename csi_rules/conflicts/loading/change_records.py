"""Change Records from a change's merged values, checked one field at a time and remembered.

The record check (`parse_record`) judges each field of a record of one kind on its own: the
per-kind schema is a set of independent property rules, plus `id` required and no unknown
field (`field_by_field` reads that shape off the schema, and the builder takes the
whole-record path for every change should it ever change). So a field's verdict, and the value
`parse_record` makes of it, depend only on the field and its value: they are worked out once,
on a one-field record (by a walk of the schema that calls valid only what jsonschema does, as
parse_record then accepts, else by `parse_record` itself), and remembered: by the value for fields whose
rule reads values (enums, bounds, date-time text), by the value's type alone for fields whose
rule asks only for a JSON type (ids, numbers, names, lists of CIs). Date-times stay the typed
values they were read as, instead of being written as ISO text and parsed back.

A change with a field the record check refuses, or one not checked alone, is built by the
whole-record path (`checked_record`), so what is accepted and every message stay exactly what
they are for any other input.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from functools import cache
from typing import Any

from csi_rules.errors import RecordError
from csi_rules.ingest.date_cells import CACHE_LIMIT
from csi_rules.ingest.record_check import PLAIN_TYPES as _PLAIN
from csi_rules.ingest.record_check import checked_record, json_value, record_data
from csi_rules.policy.schema_verdict import SchemaVerdict
from csi_rules.records import Record, parse_record
from csi_rules.records.fields import FIELDS
from csi_rules.records.model import parse_datetime
from csi_rules.records.schema import record_schema_for_kind

_SCALARS = frozenset({str, int, float, bool, type(None)})
_REFUSED: Any = object()
_AS_GIVEN: Any = object()
_MISS: Any = object()
_GENERAL: Any = object()
_DATETIME_FIELDS = frozenset(n for n, s in FIELDS.items() if s.type == "datetime")
_PARSED_FIELDS = frozenset(n for n, s in FIELDS.items() if s.type == "datetime" and not s.derived)
"""The fields whose ISO text parse_record reads into datetimes (records/model.py's list)."""
_TYPE_ONLY = ({"type"}, {"type", "description"})
_BLIND_TYPES = ("string", "boolean", "object", "null")


@cache
def _verdict() -> SchemaVerdict:
    """"Is this change record valid?" by a walk of its schema, without jsonschema or
    fastjsonschema (see SchemaVerdict)."""
    return SchemaVerdict(record_schema_for_kind("change"))


def field_by_field(kind: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(fields judged alone, those among them whose rule asks only for a JSON type) for
    records of `kind`, or None when the schema judges fields together.

    Fields judged alone: every property but `kind` (it picks the schema) and `raw` (built
    here from raw.NAME fields; it must be type-only); anything else, such as an unknown or
    engine-derived name, is left to the whole-record path and its message."""
    schema = record_schema_for_kind(kind)
    rules = schema.get("allOf", [])
    if set(schema) - {"$schema", "$id", "title", "type", "required", "additionalProperties",
                      "properties", "allOf"} or schema.get("type") != "object" \
            or schema.get("required") != ["id", "kind"] \
            or schema.get("additionalProperties") is not False \
            or any(set(rule) != {"properties"} or len(rule["properties"]) != 1
                   for rule in rules):
        return None
    ruled = {name for rule in rules for name in rule["properties"]}
    props = schema["properties"]
    blind = frozenset(name for name, rule in props.items()
                      if name not in ruled and all(map(_type_only, rule.get("anyOf", [rule]))))
    if "raw" not in blind:
        return None
    return frozenset(props) - {"kind", "raw"}, blind


def _type_only(rule: dict[str, Any]) -> bool:
    """True when `rule` asks of a value only its JSON type (string, boolean, object, null, or
    an array of strings), so every value of one Python type gets the same verdict."""
    if rule.get("type") == "array":
        return set(rule) - {"description"} == {"type", "items"} and _type_only(rule["items"]) \
            and rule["items"]["type"] == "string"
    return set(rule) in _TYPE_ONLY and rule["type"] in _BLIND_TYPES


class ChangeRecords:
    """Builds the change Records of one file; remembers each field value's verdict."""

    def __init__(self) -> None:
        shape = field_by_field("change")
        self._alone, self._blind = shape or (frozenset(), frozenset())
        self._checked: dict[tuple[Any, ...], Any] = {}
        self._steps: dict[tuple[str, type], Any] = {}  # (field, value type) -> how, see _step
        self._zone_names: dict[Any, str] = {}
        # (field, id of a fixed-offset tzinfo, no microseconds) -> (that tzinfo, refused, kept)
        self._by_zone: dict[tuple[str, int, bool], tuple[Any, bool, bool]] = {}

    def build(self, values: Mapping[str, Any], fresh: bool = False) -> Record:
        """The Record `checked_record(record_data("change", values))` gives, or its
        RecordError. `fresh`: the lists in `values` are the caller's to give away (made for
        this record and used by nothing else), so the record takes them instead of copies."""
        data: dict[str, Any] = {"kind": "change"}
        raw: dict[str, Any] | None = None
        steps = self._steps
        for name, value in values.items():
            kind = type(value)
            step = steps.get((name, kind))
            if step is None:
                step = self._step(name, kind, value)
            if step is _AS_GIVEN:
                data[name] = value
                continue
            if step is not _GENERAL:  # a raw.NAME field: its NAME under raw
                if raw is None:
                    raw = data["raw"] = {}
                if kind in _SCALARS:
                    raw[step] = value
                elif kind is datetime:
                    raw[step] = value.isoformat()
                elif fresh and kind is list and _PLAIN.issuperset(map(type, value)):
                    raw[step] = value  # what json_value gives, but not copied
                else:
                    raw[step] = json_value(value)
                continue
            if kind is datetime:
                if name in _DATETIME_FIELDS:
                    found = self._datetime(name, value)
                    if found is _REFUSED:
                        return self._whole(values)
                    data[name] = found
                    continue
                value, kind = value.isoformat(), str  # as the record check is given it
            found = self._judged(name, kind, value)
            if found is _AS_GIVEN:
                data[name] = list(value) if kind is list and not fresh else value
            elif found is _REFUSED:
                return self._whole(values)
            else:
                data[name] = found
        if "id" not in data:
            return self._whole(values)
        return Record(data)

    def _step(self, name: str, kind: type, value: Any) -> Any:
        """How `build` takes a field's value of type `kind`, remembered: a raw.NAME field's
        NAME, _AS_GIVEN for a type-only field whose values of this type all pass as they are,
        else _GENERAL (judged by value, `_judged`)."""
        role = name[4:] if name.startswith("raw.") else ""
        step: Any = role or _GENERAL
        if not role and name in self._blind and kind in _SCALARS \
                and self._judged(name, kind, value) is _AS_GIVEN:
            step = _AS_GIVEN  # the verdict of (name, kind) never depends on the value
        self._steps[(name, kind)] = step
        return step

    def _judged(self, name: str, kind: type, value: Any) -> Any:
        """The remembered verdict on field `name`'s `value` (see `_check_alone`)."""
        key: tuple[Any, ...] | None
        if kind is list:
            types = frozenset(map(type, value))
            if not _SCALARS.issuperset(types):
                key = None
            elif name in self._blind:
                key = (name, kind, types)
            else:
                key = (name, kind, tuple(map(type, value)), tuple(value))
        elif name in self._blind and (kind in _SCALARS or kind is dict):
            key = (name, kind)
        else:
            key = (name, kind, value) if kind in _SCALARS else None
        found = _MISS if key is None else self._checked.get(key, _MISS)
        if found is _MISS:
            found = self._check_alone(name, value, key)
        return found

    def _datetime(self, name: str, value: datetime) -> Any:
        """A date-time field's typed value as the record check leaves it, or _REFUSED.

        Its ISO text differs from another's only in digits, the UTC offset and whether it
        has microseconds, so the verdict is remembered by those. A value on a nameless fixed
        offset (what csi_rules/ingest/date_cells.py makes) is what writing it as ISO text and
        parsing it back would give, so it is kept; any other is written and parsed back.

        On a fixed offset all of that but the fold is a fact about the tzinfo object, so it
        is remembered by that object (kept alive with its answer, so its id is not reused)."""
        zone = value.tzinfo
        if type(zone) is timezone:
            hit = self._by_zone.get((name, id(zone), value.microsecond == 0))
            if hit is not None and hit[0] is zone:
                if hit[1]:
                    return _REFUSED
                if hit[2] and value.fold == 0:
                    return value
                return datetime.fromisoformat(value.isoformat())
        offset = value.utcoffset()
        key = (name, datetime, offset, value.microsecond == 0)
        verdict = self._checked.get(key, _MISS)
        if verdict is _MISS:
            verdict = self._check_alone(name, value, None)
            verdict = self._checked[key] = _REFUSED if verdict is _REFUSED else _AS_GIVEN
        keep = type(zone) is timezone and zone.tzname(None) == self._nameless(offset)
        if type(zone) is timezone:
            if len(self._by_zone) >= CACHE_LIMIT:
                self._by_zone.clear()
            self._by_zone[(name, id(zone), value.microsecond == 0)] = (
                zone, verdict is _REFUSED, keep)
        if verdict is _REFUSED:
            return _REFUSED
        if keep and value.fold == 0:
            return value
        return datetime.fromisoformat(value.isoformat())

    def _nameless(self, offset: Any) -> str:
        """The name a fixed offset has when it is given none (as fromisoformat gives it)."""
        name = self._zone_names.get(offset)
        if name is None:
            name = self._zone_names[offset] = str(timezone(offset).tzname(None))
        return name

    def _check_alone(self, name: str, value: Any, key: tuple[Any, ...] | None) -> Any:
        """What `parse_record` makes of field `name` alone: _REFUSED, _AS_GIVEN (the value
        itself, a list copied: values with equal keys may still differ, as 0.0 and -0.0 do)
        or the value it converted (text in a date-time field, parsed)."""
        if name not in self._alone:
            return _REFUSED
        given = json_value(value)
        probe = {"kind": "change", "id": "probe", name: given}
        try:
            if name != "history" and _verdict().certainly_valid(probe):
                # parse_record's answer without compiling its quick check (~30 ms, for a few
                # probes): the walk calls valid only what jsonschema does, which parse_record
                # accepts; then it parses ISO text in a date-time field, as here
                found = parse_datetime(given, f"record field {name}") \
                    if name in _PARSED_FIELDS and isinstance(given, str) else given
            else:
                found = parse_record(probe).data[name]
        except RecordError:
            return _REFUSED
        if key is None:
            return found
        if found is given and name not in _DATETIME_FIELDS:
            found = _AS_GIVEN
        if len(self._checked) >= CACHE_LIMIT:
            self._checked.clear()
        self._checked[key] = found
        return found

    @staticmethod
    def _whole(values: Mapping[str, Any]) -> Record:
        """The whole-record path: the same verdict, and the message naming every field."""
        return checked_record(record_data("change", values))
