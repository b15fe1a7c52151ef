"""Records for `csi-rules evaluate`: JSON (a record, an array, JSON lines) as written, or a CSV
export (or a .zip of one) through a column mapping, read by the same code replay and conflicts
use (csi_rules/ingest), so a broken row is reported the same way: `file:line: ...`.

A SnapshotCsvMapping (a ticket audit log such as the UCI export) gives one record per ticket
with its history; a ChangeCsvMapping gives one change record per change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from csi_rules.errors import UsageError
from csi_rules.ingest.formats import CSV_SUFFIXES
from csi_rules.ingest.problems import OnError, SkippedRow
from csi_rules.records import Record

MAPPING_KINDS = ("SnapshotCsvMapping", "ChangeCsvMapping")


@dataclass
class EvaluateInput:
    records: list[Record]
    skipped: list[SkippedRow] = field(default_factory=list)
    rows_read: int = 0


def _mapping_kind(path: str) -> str:
    """The mapping file's `kind`, so the right loader reads the CSV (the loader checks the rest)."""
    try:
        with open(path, encoding="utf-8") as stream:
            doc = yaml.safe_load(stream)
    except OSError as exc:
        raise UsageError(f"{path}: cannot read mapping: {exc.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError, ValueError, RecursionError):
        return MAPPING_KINDS[0]  # the loader reports it (too deep, too large a number) at file:line
    kind = doc.get("kind") if isinstance(doc, dict) else None
    return kind if kind in MAPPING_KINDS else MAPPING_KINDS[0]


def read_input(source: str, mapping: str | None, on_error: OnError) -> EvaluateInput:
    """Records from `source`; CSV (.csv/.zip) needs `mapping`, JSON takes none."""
    is_csv = source != "-" and Path(source).suffix.lower() in CSV_SUFFIXES
    if mapping is None and not is_csv:
        from csi_rules.records.io import read_records

        records = read_records(source)
        return EvaluateInput(records, rows_read=len(records))
    if not is_csv:
        raise UsageError(f"{source}: --mapping applies to CSV input (.csv, or a .zip of one)")
    if mapping is None:
        raise UsageError(f"{source}: CSV input needs a column mapping (--mapping FILE: a "
                         f"SnapshotCsvMapping or ChangeCsvMapping, e.g. policies/mappings/)")
    if _mapping_kind(mapping) == "ChangeCsvMapping":
        from csi_rules.conflicts.loading.changes import load_changes

        changes = load_changes(source, mapping, on_error)
        return EvaluateInput(list(changes.changes), list(changes.skipped), changes.rows_read)
    from csi_rules.replay.sources import load_history

    loaded = load_history(source, mapping, on_error)
    return EvaluateInput(loaded.records, loaded.skipped, loaded.rows_read)
