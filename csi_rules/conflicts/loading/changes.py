"""Load a change schedule from any supported file: pick the reader from the file name."""

from __future__ import annotations

from pathlib import Path

from csi_rules.conflicts.loading.csv_changes import load_changes_csv
from csi_rules.conflicts.loading.jsonl import load_changes_jsonl
from csi_rules.conflicts.loading.mapping import CsvMapping, load_mapping
from csi_rules.conflicts.loading.result import LoadResult, OnError
from csi_rules.errors import UsageError

JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv", ".zip")


def load_changes(path: str | Path, mapping: CsvMapping | str | Path | None = None,
                 on_error: OnError = "fail") -> LoadResult:
    """JSON lines (.jsonl/.ndjson) as records; CSV (.csv, or a .zip holding one) via `mapping`."""
    suffix = Path(path).suffix.lower()
    if suffix in JSONL_SUFFIXES:
        if mapping is not None:
            raise UsageError(f"{path}: a column mapping applies to CSV input only")
        return load_changes_jsonl(path, on_error)
    if suffix in CSV_SUFFIXES:
        if mapping is None:
            raise UsageError(f"{path}: CSV input needs a column mapping (--mapping FILE); "
                             f"see docs/conflicts-mapping.md")
        if not isinstance(mapping, CsvMapping):
            mapping = load_mapping(mapping)
        return load_changes_csv(path, mapping, on_error)
    raise UsageError(f"{path}: unknown change file type {suffix or '(none)'!r} "
                     f"(use .jsonl/.ndjson, .csv or .zip)")
