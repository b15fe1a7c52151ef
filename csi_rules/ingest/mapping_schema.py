"""JSON Schema of a CSV column mapping file, documented in docs/conflicts-mapping.md.

`kind: ChangeCsvMapping` turns rows (or groups of rows) into change records for `conflicts`;
`kind: SnapshotCsvMapping` reads an audit log of full ticket snapshots (docs/replay.md), where
the rows of one ticket become one record with a field history. Semantic checks (field names,
value types, merge rules) are in mapping.py."""

from __future__ import annotations

from typing import Any

MERGES = ("same", "first", "last", "min", "max", "collect")

_VALUE_MAP = {"type": "object", "additionalProperties": True,
              "description": "Cell text -> field value; null means 'no value here' (the next "
                             "firstOf source is tried)."}
_PATTERNS = {"type": "array",
             "description": "Regular expressions tried in order (re.search); the first match "
                            "gives the value.",
             "items": {"type": "object", "additionalProperties": False,
                       "required": ["match", "value"],
                       "properties": {
                           "match": {"type": "string", "description": "Python regular expression."},
                           "value": {"description": "Field value when the expression matches."}}}}

_SOURCE_PROPS: dict[str, Any] = {
    "column": {"type": "string", "minLength": 1, "description": "CSV header of the column."},
    "value": {"description": "A constant instead of a column (e.g. platform: rabobank)."},
    "values": _VALUE_MAP,
    "patterns": _PATTERNS,
    "default": {"description": "Value for cell text that no value map or pattern covers "
                               "(without it such text is an error naming the column)."},
}

_SOURCE = {"type": "object", "additionalProperties": False, "properties": _SOURCE_PROPS}

_RULE = {
    "type": "object", "additionalProperties": False,
    "description": "Where one record field comes from.",
    "properties": {
        **_SOURCE_PROPS,
        "firstOf": {"type": "array", "items": _SOURCE, "minItems": 1,
                    "description": "Several sources tried in order; the first that gives a "
                                   "value wins."},
        "required": {"type": "boolean", "default": False,
                     "description": "An empty cell is an error instead of a missing value."},
        "merge": {"enum": list(MERGES),
                  "description": "How rows of the same change combine: same (all rows must "
                                 "agree; the default), first, last, min, max (times, numbers, "
                                 "or ordered values such as risk), collect (a list of distinct "
                                 "values; the default for list fields). In a snapshot log, "
                                 "which snapshot gives the value: last (the default) or first "
                                 "(the default for opened_at)."},
        "split": {"type": "string", "minLength": 1,
                  "description": "Split the cell on this separator (list fields only)."},
        "type": {"enum": ["string", "integer", "number", "boolean", "datetime"],
                 "description": "Type of a raw.<name> field (record fields have their own)."},
    },
}

MAPPING_KINDS = ("ChangeCsvMapping", "SnapshotCsvMapping")

_SNAPSHOTS = {
    "type": "object", "additionalProperties": False, "required": ["recordKind", "orderBy", "track"],
    "description": "How the rows of one ticket (same groupBy value) become one record with "
                   "a history (SnapshotCsvMapping only).",
    "properties": {
        "recordKind": {"enum": ["incident", "change", "problem", "request"],
                       "description": "Kind of the records the log holds."},
        "orderBy": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
                    "description": "Mapped fields that put a ticket's snapshots in order "
                                   "(e.g. updated_at, then a modification counter); rows "
                                   "equal on all of them keep their file order."},
        "track": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1},
                  "description": "Mapped fields whose changes between consecutive snapshots "
                                 "become history entries {at, field, from, to}."},
        "at": {"type": "string", "minLength": 1, "default": "updated_at",
               "description": "Mapped date-time field giving the instant of each snapshot."},
    },
}

MAPPING_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "csi-rules CSV column mapping (change records or ticket snapshot logs)",
    "type": "object",
    "additionalProperties": False,
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "csi-rules/v1", "description": "Format version."},
        "kind": {"enum": list(MAPPING_KINDS), "description": "What this document is: "
                 "ChangeCsvMapping (change records) or SnapshotCsvMapping (ticket snapshot "
                 "logs)."},
        "metadata": {
            "type": "object", "additionalProperties": False, "required": ["name"],
            "description": "Name and provenance.",
            "properties": {
                "name": {"type": "string", "minLength": 1, "description": "Mapping name."},
                "description": {"type": "string", "description": "What the CSV is."},
                "source": {"type": "string", "description": "Where the CSV comes from."},
            },
        },
        "spec": {
            "type": "object", "additionalProperties": False, "required": ["fields"],
            "description": "How CSV rows become records.",
            "properties": {
                "csv": {
                    "type": "object", "additionalProperties": False,
                    "description": "How to read the file.",
                    "properties": {
                        "delimiter": {"type": "string", "minLength": 1, "maxLength": 1,
                                      "default": ",", "description": "Field separator."},
                        "quotechar": {"type": "string", "minLength": 1, "maxLength": 1,
                                      "default": "\"", "description": "Quote character."},
                        "encoding": {"type": "string", "default": "utf-8",
                                     "description": "Text encoding (utf-8-sig skips a BOM)."},
                        "archiveMember": {"type": "string", "description": "File to read when "
                                          "the input is a .zip holding several files."},
                        "nullValues": {"type": "array", "items": {"type": "string"},
                                       "description": "Cell texts that mean 'no value', like "
                                                      "an empty cell (e.g. '?' or 'NULL')."},
                    },
                },
                "timeZone": {"type": "string", "minLength": 1,
                             "description": "IANA zone for date-times without an offset."},
                "dateFormats": {"type": "array", "minItems": 1,
                                "items": {"type": "string", "minLength": 1},
                                "description": "strptime formats tried in order; without "
                                               "them date-times must be ISO 8601."},
                "groupBy": {"type": "string", "minLength": 1,
                            "description": "Column whose equal values make one record (rows "
                                           "of a change x CI table, snapshots of a ticket); "
                                           "without it every row is one change."},
                "snapshots": _SNAPSHOTS,
                "fields": {"type": "object", "minProperties": 1,
                           "additionalProperties": _RULE,
                           "description": "Record field (or raw.<name>) -> where it comes "
                                          "from."},
            },
        },
    },
}
