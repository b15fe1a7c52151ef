"""Ticket records that already carry their history, one JSON object per line.

This is what adapters and `csi-rules evaluate` read (the record model with `history`), so a
history exported from Jira changelogs or ServiceNow sys_audit can be replayed without a mapping.
"""

from __future__ import annotations

import json
from pathlib import Path

from csi_rules.conflicts.loading.result import OnError, RowProblems
from csi_rules.conflicts.loading.sources import open_text
from csi_rules.errors import RecordError
from csi_rules.records import parse_record
from csi_rules.replay.loaded import LoadedHistory


def load_history_jsonl(path: str | Path, on_error: OnError = "fail") -> LoadedHistory:
    """Every record in the file (blank lines allowed); a bad line is `file:line: ...`, or with
    on_error='skip' it is listed in `skipped`. Ids must be unique."""
    result = LoadedHistory()
    first_line: dict[str, int] = {}
    with open_text(path) as (stream, name):
        problems = RowProblems(name, on_error)
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            result.rows_read += 1
            where = f"{name}:{number}"
            try:
                record = parse_record(json.loads(line), where=where)
            except json.JSONDecodeError as exc:
                problems.report(number, f"invalid JSON: {exc.msg} (column {exc.colno})")
                continue
            except RecordError as exc:
                text = str(exc)
                problems.report(number, text[len(where):].lstrip(" :") if text.startswith(where)
                                else text)
                continue
            if record.id in first_line:
                problems.report(number, f"field id: duplicate record id {record.id!r} (first on "
                                        f"line {first_line[record.id]})")
                continue
            first_line[record.id] = number
            result.records.append(record)
    result.skipped = problems.skipped
    return result
