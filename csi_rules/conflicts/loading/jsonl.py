"""Change records from JSON lines: one record object per line, validated by parse_record."""

from __future__ import annotations

from pathlib import Path

from csi_rules.conflicts.loading.result import LoadResult
from csi_rules.ingest.problems import OnError
from csi_rules.ingest.record_lines import read_record_lines


def load_changes_jsonl(path: str | Path, on_error: OnError = "fail") -> LoadResult:
    """Every change record in the file; blank lines are allowed.

    Errors read `changes.jsonl:4: ...` and name the field; with on_error='skip' the line is
    reported in `skipped` instead. Records must be of kind change and have unique ids.
    """
    lines = read_record_lines(path, on_error, kind="change")
    return LoadResult(changes=lines.records, skipped=lines.skipped, rows_read=lines.rows_read)
