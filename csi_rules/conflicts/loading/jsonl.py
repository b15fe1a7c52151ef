"""Change records from JSON lines: one record object per line, validated by parse_record."""

from __future__ import annotations

import json
from pathlib import Path

from csi_rules.conflicts.loading.result import LoadResult, OnError, RowProblems
from csi_rules.conflicts.loading.sources import open_text
from csi_rules.errors import RecordError
from csi_rules.records import parse_record


def load_changes_jsonl(path: str | Path, on_error: OnError = "fail") -> LoadResult:
    """Every change record in the file; blank lines are allowed.

    Errors read `changes.jsonl:4: ...` and name the field; with on_error='skip' the line is
    reported in `skipped` instead. Records must be of kind change and have unique ids.
    """
    result = LoadResult()
    first_line: dict[str, int] = {}
    with open_text(path) as (stream, name):
        problems = RowProblems(name, on_error)
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            result.rows_read += 1
            try:
                obj = json.loads(line.rstrip("\r\n"))
            except json.JSONDecodeError as exc:
                problems.report(number, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            try:
                record = parse_record(obj, where=f"{name}:{number}")
            except RecordError as exc:
                problems.report(number, _without_prefix(str(exc), f"{name}:{number}"))
                continue
            if record.kind != "change":
                problems.report(number, f"field kind: {record.kind!r} is not a change record")
                continue
            if record.id in first_line:
                problems.report(number, f"field id: duplicate change id {record.id!r} "
                                        f"(first on line {first_line[record.id]})")
                continue
            first_line[record.id] = number
            result.changes.append(record)
    result.skipped = problems.skipped
    return result


def _without_prefix(message: str, prefix: str) -> str:
    """parse_record puts `where` first; RowProblems adds file:line itself."""
    return message[len(prefix):].lstrip(" :") if message.startswith(prefix) else message
