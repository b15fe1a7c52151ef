"""Resource conflicts in a change schedule (`kind: ConflictPolicy`).

Data flows one way: a change file is loaded into records (loading/), the policy spec becomes
typed settings (settings.py), records become bookings with integer windows (bookings.py), each
check sweeps them (checks/, on the primitives in sweep.py) and the report is rendered
(output.py). `reference.py` is the all-pairs version the tests and benchmark compare against.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csi_rules.lazy_exports import lazy_getattr

if TYPE_CHECKING:
    from csi_rules.conflicts.cmdb import Relationship, RelationshipGraph
    from csi_rules.conflicts.loading.changes import load_changes
    from csi_rules.conflicts.loading.cmdb_file import load_cmdb
    from csi_rules.conflicts.loading.csv_changes import load_changes_csv
    from csi_rules.conflicts.loading.jsonl import load_changes_jsonl
    from csi_rules.conflicts.loading.result import LoadResult, SkippedRow
    from csi_rules.conflicts.model import ChangeRef, Conflict, ConflictReport, UncheckedChange
    from csi_rules.conflicts.output import format_table, report_to_json
    from csi_rules.conflicts.run import run_conflicts
    from csi_rules.conflicts.schema import CONFLICT_POLICY_SPEC_SCHEMA
    from csi_rules.conflicts.settings import ConflictSettings, settings_from_spec, spec_problems
    from csi_rules.ingest.mapping import CsvMapping, load_mapping
    from csi_rules.ingest.mapping_schema import MAPPING_SCHEMA

_WHERE = {
    "Relationship": "csi_rules.conflicts.cmdb",
    "RelationshipGraph": "csi_rules.conflicts.cmdb",
    "load_changes": "csi_rules.conflicts.loading.changes",
    "load_cmdb": "csi_rules.conflicts.loading.cmdb_file",
    "load_changes_csv": "csi_rules.conflicts.loading.csv_changes",
    "load_changes_jsonl": "csi_rules.conflicts.loading.jsonl",
    "LoadResult": "csi_rules.conflicts.loading.result",
    "SkippedRow": "csi_rules.conflicts.loading.result",
    "ChangeRef": "csi_rules.conflicts.model",
    "Conflict": "csi_rules.conflicts.model",
    "ConflictReport": "csi_rules.conflicts.model",
    "UncheckedChange": "csi_rules.conflicts.model",
    "format_table": "csi_rules.conflicts.output",
    "report_to_json": "csi_rules.conflicts.output",
    "run_conflicts": "csi_rules.conflicts.run",
    "CONFLICT_POLICY_SPEC_SCHEMA": "csi_rules.conflicts.schema",
    "ConflictSettings": "csi_rules.conflicts.settings",
    "settings_from_spec": "csi_rules.conflicts.settings",
    "spec_problems": "csi_rules.conflicts.settings",
    "CsvMapping": "csi_rules.ingest.mapping",
    "load_mapping": "csi_rules.ingest.mapping",
    "MAPPING_SCHEMA": "csi_rules.ingest.mapping_schema",
}
"""Name -> its module, imported on first use (PEP 562): validating a ConflictPolicy needs the
schema and settings, not the CSV loaders, the sweep or the CMDB (CLI start-up time)."""


__getattr__ = lazy_getattr(__name__, _WHERE, globals())


__all__ = [
    "CONFLICT_POLICY_SPEC_SCHEMA", "MAPPING_SCHEMA", "ChangeRef", "Conflict", "ConflictReport",
    "ConflictSettings", "CsvMapping", "LoadResult", "Relationship", "RelationshipGraph",
    "SkippedRow", "UncheckedChange", "format_table", "load_changes", "load_changes_csv",
    "load_changes_jsonl", "load_cmdb", "load_mapping", "report_to_json", "run_conflicts",
    "settings_from_spec", "spec_problems",
]
