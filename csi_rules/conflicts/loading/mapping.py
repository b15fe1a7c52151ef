"""The CSV column mapping now lives in csi_rules/ingest/mapping.py (change files and ticket
snapshot logs share it); this name is kept so existing imports keep working."""

from __future__ import annotations

from csi_rules.ingest.mapping import (
    NO_VALUE,
    CsvMapping,
    FieldRule,
    SnapshotRules,
    Source,
    load_mapping,
)

__all__ = ["NO_VALUE", "CsvMapping", "FieldRule", "SnapshotRules", "Source", "load_mapping"]
