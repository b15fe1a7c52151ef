"""Read a CMDB relationship file: JSON lines, a JSON array, or CSV with a header.

Each relationship has a source, a type and a target; `parent`/`child` (ServiceNow cmdb_rel_ci)
are accepted for source/target, and ServiceNow type names such as 'Depends on::Used by' are
normalised to depends_on.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from csi_rules import safe_json
from csi_rules.conflicts.cmdb import Relationship, RelationshipGraph, normalize_type
from csi_rules.errors import RecordError
from csi_rules.ingest.sources import open_text

_SOURCE_KEYS = ("source", "parent")
_TARGET_KEYS = ("target", "child")


def load_cmdb(path: str | Path) -> RelationshipGraph:
    """The relationship graph in `path`; a bad entry is an error `file:line: ...`."""
    with open_text(path) as (stream, name):
        suffix = Path(str(path)).suffix.lower()
        if suffix == ".csv":
            entries = _csv_entries(stream, name)
        elif suffix == ".json":
            entries = _json_array_entries(stream.read(), name)
        else:
            entries = _jsonl_entries(stream, name)
        return RelationshipGraph(_relationship(obj, name, line) for line, obj in entries)


def _pick(obj: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        if obj.get(key) not in (None, ""):
            value = obj[key]
            if isinstance(value, Mapping):
                # ServiceNow reference fields: {"value": sys_id, "display_value": name}
                return value.get("display_value") or value.get("value")
            return value
    return None


def _relationship(obj: Any, name: str, line: int) -> Relationship:
    if not isinstance(obj, Mapping):
        raise RecordError(f"{name}:{line}: a relationship must be an object with source, type, "
                          f"target")
    source, target, rel_type = _pick(obj, _SOURCE_KEYS), _pick(obj, _TARGET_KEYS), _pick(obj, ("type",))
    for label, value in (("source (or parent)", source), ("target (or child)", target),
                         ("type", rel_type)):
        if not isinstance(value, str) or not value.strip():
            raise RecordError(f"{name}:{line}: relationship has no {label}")
    return Relationship(source.strip(), normalize_type(rel_type), target.strip())


def _jsonl_entries(stream: Any, name: str) -> Iterator[tuple[int, Any]]:
    for line, text in enumerate(stream, start=1):
        if text.strip():
            try:
                yield line, safe_json.loads(text)  # bounded depth and numbers
            except json.JSONDecodeError as exc:
                raise RecordError(f"{name}:{line}: invalid JSON: {exc.msg}") from None


def _json_array_entries(text: str, name: str) -> Iterator[tuple[int, Any]]:
    try:
        data = safe_json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(f"{name}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    if isinstance(data, Mapping):
        data = data.get("relationships", data.get("result"))
    if not isinstance(data, list):
        raise RecordError(f"{name}:1: expected a list of relationships (or "
                          f"{{\"relationships\": [...]}})")
    for item in data:
        yield 1, item  # a JSON array gives no per-item line; JSON lines do


def _csv_entries(stream: Any, name: str) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(stream)
    for row in reader:
        yield reader.line_num, row
