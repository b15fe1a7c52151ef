"""Record: a validated, typed ticket, with dotted-path access for conditions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import fastjsonschema

from csi_rules.errors import RecordError
from csi_rules.records.fields import ALL_KINDS, FIELDS
from csi_rules.records.schema import record_schema, record_schema_for_kind
from csi_rules.records.vocabulary import UNMAPPED_PREFIX
from csi_rules.suggest import unknown_name

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator


class _Missing:
    """Marker for a path that is absent or null (distinct from any real value)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<missing>"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()


@cache
def _validator() -> Draft202012Validator:
    """Slow, but explains every problem; built on first use (not at import: start-up time),
    and jsonschema imported then: a valid record never needs it."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(record_schema())


@cache
def _fast_check(kind: str | None = None) -> Callable[[Any], Any]:
    """40x faster yes/no for the common case; compiling it takes ~50 ms, so on first use.

    One check per record kind (`record_schema_for_kind`: 2.3x faster than the whole schema,
    whose per-kind `if` rules each fail, raising inside the check, on every other kind's
    record); the whole schema's for a record with no or an unknown kind (it then fails, and
    the explaining validator reports why)."""
    return fastjsonschema.compile(record_schema() if kind is None else record_schema_for_kind(kind))


def _fast_check_for(kind: Any) -> Callable[[Any], Any]:
    """The yes/no check for a record whose `kind` field holds `kind`."""
    return _fast_check(kind if type(kind) is str and kind in ALL_KINDS else None)


_DATETIME_FIELDS = tuple(n for n, s in FIELDS.items() if s.type == "datetime" and not s.derived)


def path_value(data: Any, parts: Iterable[str]) -> Any:
    """The value at a path already split into parts; MISSING when a step is absent or null."""
    value = data
    for part in parts:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            return MISSING
        if value is None:
            return MISSING
    return value


def parse_datetime(text: str, what: str) -> datetime:
    """ISO 8601 with an explicit offset; naive times are refused because they are ambiguous."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"{what}: {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise RecordError(f"{what}: {text!r} has no UTC offset (add 'Z' or '+01:00')")
    return value


class Record:
    """A ticket of kind incident/change/problem/request in the platform-neutral model."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]):
        self.data = data

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def kind(self) -> str:
        return str(self.data["kind"])

    @property
    def label(self) -> str:
        """How messages name the record: its number when it has one."""
        return str(self.data.get("number") or self.data["id"])

    def get(self, path: str) -> Any:
        """Value at a dotted path, or MISSING when any step is absent or null."""
        return path_value(self.data, path.split("."))

    def to_json(self) -> dict[str, Any]:
        out = dict(self.data)
        for name in _DATETIME_FIELDS:
            if isinstance(out.get(name), datetime):
                out[name] = out[name].isoformat()
        return out

    def __repr__(self) -> str:
        return f"Record({self.kind} {self.label})"


def _field(error: Any) -> str:
    parts = [str(p) for p in error.absolute_path]
    if error.validator == "required":
        parts.append(str(error.message).split("'")[1])
    return ".".join(parts) if parts else "(record)"


def parse_record(obj: Any, where: str = "record") -> Record:
    """Validate `obj` against the record schema and convert its times; errors name the field."""
    if not isinstance(obj, Mapping):
        raise RecordError(f"{where}: a record must be a JSON object, got {type(obj).__name__}")
    try:
        _fast_check_for(obj.get("kind"))(obj)
        errors = []
    except fastjsonschema.JsonSchemaException:
        errors = sorted(_validator().iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        label = obj.get("number") or obj.get("id") or ""
        who = f"{where} {label}".strip()
        details = "; ".join(f"field {_field(e)}: {_message(e, obj)}" for e in errors)
        raise RecordError(f"{who}: {details}")
    data = dict(obj)
    for name in _DATETIME_FIELDS:
        if isinstance(data.get(name), str):
            data[name] = parse_datetime(data[name], f"{where} field {name}")
    for i, entry in enumerate(data.get("history") or ()):
        parse_datetime(entry["at"], f"{where} field history.{i}.at")
    return Record(data)


def _message(error: Any, obj: Mapping[str, Any]) -> str:
    if error.validator == "required":
        return "is required"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"unknown field(s) {', '.join(extra)} (platform fields go under 'raw')"
    vocabulary = _vocabulary_miss(error, obj.get("kind"))
    if vocabulary:
        return vocabulary
    if error.validator == "anyOf":
        # "x is not valid under any of the given schemas" hides the real reason: report the first branch's
        sub = [e for e in error.context if e.validator != "type" or e.validator_value != "null"]
        if sub:
            return str(sub[0].message)
    return str(error.message)


def _vocabulary_miss(error: Any, kind: Any) -> str | None:
    """`unknown incident state 'Resolved'; did you mean 'resolved'?` for contract fields."""
    path = list(error.absolute_path)
    if error.validator != "anyOf" or len(path) != 1 or not isinstance(error.instance, str):
        return None
    spec = FIELDS.get(str(path[0]))
    if spec is None or not spec.vocabulary or kind not in spec.vocabulary:
        return None
    return (unknown_name(f"{kind} {spec.name}", error.instance, spec.vocabulary[kind])
            + f"; a platform value with no mapping is written {UNMAPPED_PREFIX}<value>")
