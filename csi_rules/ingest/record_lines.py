"""Records from JSON lines: one record object per line, validated by parse_record.

Change files and ticket histories in the record model share this reader, so both report a
broken line the same way: `file:line: ...` naming the field, or a SkippedRow with that reason.
Lines are parsed by `csi_rules.safe_json` (bounded nesting and numbers, no lone surrogates).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from csi_rules import safe_json
from csi_rules.errors import RecordError
from csi_rules.ingest.problems import OnError, RowProblems, SkippedRow
from csi_rules.ingest.sources import open_text
from csi_rules.records import Record, parse_record


@dataclass
class RecordLines:
    """The records read, in file order, every line left out, and how many lines held data."""

    records: list[Record] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    rows_read: int = 0


def read_record_lines(path: str | Path, on_error: OnError = "fail",
                      kind: str | None = None) -> RecordLines:
    """Every record in the file (blank lines allowed); ids must be unique, and with `kind`
    every record must be of that kind."""
    noun = kind or "record"
    result = RecordLines()
    first_line: dict[str, int] = {}
    with open_text(path) as (stream, name):
        problems = RowProblems(name, on_error)
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            result.rows_read += 1
            where = f"{name}:{number}"
            try:
                record = parse_record(safe_json.loads(line.rstrip("\r\n")), where=where)
            except safe_json.JsonRefused as exc:  # too deep, number too large, lone surrogate
                problems.report(number, f"{exc.msg} (column {exc.colno})")
                continue
            except json.JSONDecodeError as exc:
                problems.report(number, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            except RecordError as exc:
                problems.report(number, _without_prefix(str(exc), where))
                continue
            if kind is not None and record.kind != kind:
                problems.report(number, f"field kind: {record.kind!r} is not a {kind} record")
                continue
            if record.id in first_line:
                problems.report(number, f"field id: duplicate {noun} id {record.id!r} "
                                        f"(first on line {first_line[record.id]})")
                continue
            first_line[record.id] = number
            result.records.append(record)
    result.skipped = problems.skipped
    return result


def _without_prefix(message: str, prefix: str) -> str:
    """parse_record puts `where` first; RowProblems adds file:line itself."""
    return message[len(prefix):].lstrip(" :") if message.startswith(prefix) else message
