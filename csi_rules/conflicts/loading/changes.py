"""Load a change schedule from any supported file: pick the reader from the file name."""

from __future__ import annotations

from pathlib import Path

from csi_rules.conflicts.loading.csv_changes import load_changes_csv
from csi_rules.conflicts.loading.jsonl import load_changes_jsonl
from csi_rules.conflicts.loading.result import LoadResult
from csi_rules.ingest.formats import csv_mapping_for
from csi_rules.ingest.mapping import CsvMapping
from csi_rules.ingest.problems import OnError


def load_changes(path: str | Path, mapping: CsvMapping | str | Path | None = None,
                 on_error: OnError = "fail") -> LoadResult:
    """JSON lines (.jsonl/.ndjson) as records; CSV (.csv, or a .zip holding one) via `mapping`."""
    csv_mapping = csv_mapping_for(
        path, mapping, what="change", mapping_kind="ChangeCsvMapping",
        needs_mapping="CSV input needs a column mapping (--mapping FILE); "
                      "see docs/conflicts-mapping.md")
    if csv_mapping is None:
        return load_changes_jsonl(path, on_error)
    return load_changes_csv(path, csv_mapping, on_error)
