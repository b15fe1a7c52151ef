"""Pick how an input file is read from its name: JSON lines of records, or mapped CSV."""

from __future__ import annotations

from pathlib import Path

from csi_rules.errors import UsageError
from csi_rules.ingest.mapping import CsvMapping, load_mapping

JSONL_SUFFIXES = (".jsonl", ".ndjson")
CSV_SUFFIXES = (".csv", ".zip")


def csv_mapping_for(path: str | Path, mapping: CsvMapping | str | Path | None, *, what: str,
                    mapping_kind: str, needs_mapping: str) -> CsvMapping | None:
    """None for JSON lines (.jsonl/.ndjson); for CSV (.csv, or a .zip holding one) the column
    mapping to read it with, loaded as `mapping_kind` when given as a file.

    A mapping given for JSON lines, or missing for CSV, is a UsageError (`needs_mapping` says
    which mapping to give); `what` names the content in the message for an unknown file type.
    """
    suffix = Path(path).suffix.lower()
    if suffix in JSONL_SUFFIXES:
        if mapping is not None:
            raise UsageError(f"{path}: a column mapping applies to CSV input only")
        return None
    if suffix in CSV_SUFFIXES:
        if mapping is None:
            raise UsageError(f"{path}: {needs_mapping}")
        return mapping if isinstance(mapping, CsvMapping) else load_mapping(mapping, mapping_kind)
    raise UsageError(f"{path}: unknown {what} file type {suffix or '(none)'!r} "
                     f"(use .jsonl/.ndjson, .csv or .zip)")
