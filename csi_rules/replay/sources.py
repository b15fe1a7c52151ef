"""Load a ticket history from any supported file: the reader is picked from the file name."""

from __future__ import annotations

from pathlib import Path

from csi_rules.ingest.formats import csv_mapping_for
from csi_rules.ingest.mapping import CsvMapping
from csi_rules.ingest.problems import OnError
from csi_rules.replay.history_jsonl import load_history_jsonl
from csi_rules.replay.loaded import LoadedHistory
from csi_rules.replay.snapshot_log import load_snapshot_log


def load_history(path: str | Path, mapping: CsvMapping | str | Path | None = None,
                 on_error: OnError = "fail") -> LoadedHistory:
    """JSON lines (.jsonl/.ndjson) of records with `history`; a snapshot log (.csv, or a .zip
    holding one) through a SnapshotCsvMapping."""
    csv_mapping = csv_mapping_for(
        path, mapping, what="history", mapping_kind="SnapshotCsvMapping",
        needs_mapping="a snapshot log needs a column mapping (--mapping FILE, kind "
                      "SnapshotCsvMapping); see docs/replay.md")
    if csv_mapping is None:
        return load_history_jsonl(path, on_error)
    return load_snapshot_log(path, csv_mapping, on_error)
