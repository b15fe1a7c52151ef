"""Resource conflicts in a change schedule (`kind: ConflictPolicy`).

Data flows one way: a change file is loaded into records (loading/), the policy spec becomes
typed settings (settings.py), records become bookings with integer windows (bookings.py), each
check sweeps them (checks/, on the primitives in sweep.py) and the report is rendered
(output.py). `reference.py` is the all-pairs version the tests and benchmark compare against.
"""

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

__all__ = [
    "CONFLICT_POLICY_SPEC_SCHEMA", "MAPPING_SCHEMA", "ChangeRef", "Conflict", "ConflictReport",
    "ConflictSettings", "CsvMapping", "LoadResult", "Relationship", "RelationshipGraph",
    "SkippedRow", "UncheckedChange", "format_table", "load_changes", "load_changes_csv",
    "load_changes_jsonl", "load_cmdb", "load_mapping", "report_to_json", "run_conflicts",
    "settings_from_spec", "spec_problems",
]
