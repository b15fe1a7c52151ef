"""Load a ticket history from any supported file: the reader is picked from the file name."""

from __future__ import annotations

from pathlib import Path

from csi_rules.conflicts.loading.mapping import CsvMapping, load_mapping
from csi_rules.conflicts.loading.result import OnError
from csi_rules.errors import UsageError
from csi_rules.replay.history_jsonl import load_history_jsonl
from csi_rules.replay.loaded import LoadedHistory
from csi_rules.replay.snapshot_log import load_snapshot_log

JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv", ".zip")


def load_history(path: str | Path, mapping: CsvMapping | str | Path | None = None,
                 on_error: OnError = "fail") -> LoadedHistory:
    """JSON lines (.jsonl/.ndjson) of records with `history`; a snapshot log (.csv, or a .zip
    holding one) through a SnapshotCsvMapping."""
    suffix = Path(path).suffix.lower()
    if suffix in JSONL_SUFFIXES:
        if mapping is not None:
            raise UsageError(f"{path}: a column mapping applies to CSV input only")
        return load_history_jsonl(path, on_error)
    if suffix in CSV_SUFFIXES:
        if mapping is None:
            raise UsageError(f"{path}: a snapshot log needs a column mapping (--mapping FILE, "
                             f"kind SnapshotCsvMapping); see docs/replay.md")
        if not isinstance(mapping, CsvMapping):
            mapping = load_mapping(mapping, kind="SnapshotCsvMapping")
        return load_snapshot_log(path, mapping, on_error)
    raise UsageError(f"{path}: unknown history file type {suffix or '(none)'!r} "
                     f"(use .jsonl/.ndjson, .csv or .zip)")
