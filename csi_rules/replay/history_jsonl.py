"""Ticket records that already carry their history, one JSON object per line.

This is what adapters and `csi-rules evaluate` read (the record model with `history`), so a
history exported from Jira changelogs or ServiceNow sys_audit can be replayed without a mapping.
"""

from __future__ import annotations

from pathlib import Path

from csi_rules.ingest.problems import OnError
from csi_rules.ingest.record_lines import read_record_lines
from csi_rules.replay.loaded import LoadedHistory


def load_history_jsonl(path: str | Path, on_error: OnError = "fail") -> LoadedHistory:
    """Every record in the file (blank lines allowed); a bad line is `file:line: ...`, or with
    on_error='skip' it is listed in `skipped`. Ids must be unique."""
    lines = read_record_lines(path, on_error)
    return LoadedHistory(records=lines.records, skipped=lines.skipped, rows_read=lines.rows_read)
