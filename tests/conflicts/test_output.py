"""The two report formats: JSON (shape documented in docs/conflicts-mapping.md) and a table."""

from __future__ import annotations

import json
from typing import Any

from csi_rules.conflicts import format_table, report_to_json, run_conflicts, settings_from_spec
from csi_rules.conflicts.loading.result import SkippedRow
from csi_rules.records import parse_record


def _report() -> Any:
    changes = [parse_record({"id": f"c{n}", "number": f"CHG{n}", "kind": "change",
                             "configuration_items": ["db1"], "planned_start": start,
                             "planned_end": end})
               for n, (start, end) in enumerate([("2024-05-06T09:00:00Z", "2024-05-06T11:00:00Z"),
                                                 ("2024-05-06T10:00:00Z", "2024-05-06T12:00:00Z"),
                                                 ("2024-05-06T10:00:00Z", None)], start=1)]
    return run_conflicts(changes, settings_from_spec({"sameCi": {}}, "change-conflicts"))


def test_json_report_shape() -> None:
    skipped = [SkippedRow("changes.csv", 7, "column Start: 'x' is not a date-time")]
    data = report_to_json(_report(), "Europe/Amsterdam", skipped)
    json.dumps(data)  # plain JSON data all the way down
    assert data == {
        "format": "csi-rules.conflicts/v1",
        "policy": "change-conflicts",
        "time_zone": "Europe/Amsterdam",
        "summary": {"checks_run": ["sameCi"], "changes_checked": 2, "unchecked": 1,
                    "skipped_rows": 1, "rows_merged": 0, "excluded_by_policy": {},
                    "without_data": {}, "conflicts": 1, "blocking": 1, "advisory": 0,
                    "by_check": {"sameCi": 1}},
        "conflicts": [{
            "check": "sameCi", "severity": "blocking", "policy": "change-conflicts",
            "changes": [{"id": "c1", "number": "CHG1", "kind": "change"},
                        {"id": "c2", "number": "CHG2", "kind": "change"}],
            "subject_kind": "ci", "subjects": ["db1"],
            "start": "2024-05-06T12:00:00+02:00", "end": "2024-05-06T13:00:00+02:00",
            "duration_seconds": 3600,
            "explanation": "CHG1 and CHG2 are both planned on db1 at the same time, for 1 h.",
            "details": {}}],
        "unchecked": [{"change": {"id": "c3", "number": "CHG3", "kind": "change"},
                       "reason": "planned_end is missing"}],
        "skipped_rows": [{"file": "changes.csv", "line": 7,
                          "reason": "column Start: 'x' is not a date-time"}],
        "notes": [],
    }


def test_table_has_one_line_per_conflict_then_what_was_not_checked() -> None:
    lines = format_table(_report()).splitlines()
    assert lines[0].split() == ["SEVERITY", "CHECK", "START", "(UTC)", "END", "CHANGES", "ON",
                                "WHY"]
    assert lines[1].split()[:7] == ["blocking", "sameCi", "2024-05-06", "10:00", "2024-05-06",
                                    "11:00", "CHG1,"]
    assert lines[1].endswith("CHG1 and CHG2 are both planned on db1 at the same time, for 1 h.")
    assert lines[2:] == ["1 conflicts (1 blocking) among 2 changes checked; 1 not checked.",
                         "Not checked:", "  CHG3: planned_end is missing"]
