"""The conflicts command's JSON report is written conflict by conflict: it must be the very bytes
json.dumps(report_to_json(...)) gives, whatever the checks, names and zones."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from csi_rules.conflicts import RelationshipGraph, report_to_json, run_conflicts, settings_from_spec
from csi_rules.conflicts.cmdb import Relationship
from csi_rules.conflicts.json_text import report_json_chunks, report_json_text
from csi_rules.conflicts.loading.result import SkippedRow
from csi_rules.records import parse_record

CIS = ["db1", "app1", "wëb-01", "日本", 'q"uote\\', "tab\there", "emoji-\U0001f600"]
SPEC: dict[str, Any] = {
    "sameCi": {},
    "relatedCi": {"relationshipTypes": ["runs_on"], "depth": 2},
    "capacity": {"resources": [{"field": "raw.team", "capacity": 1}]},
    "blackouts": {"windows": [{"name": "freeze \u00e9t\u00e9", "start": "2024-05-06T12:00:00Z",
                               "end": "2024-05-06T14:00:00Z"}]},
    "maintenanceWindows": {"timeZone": "Europe/Amsterdam", "default": {"weekly": [
        {"days": ["mon"], "start": "09:00", "end": "12:00"}]}},
    "initiatives": {"items": [{"id": "INIT-1", "title": "löad test", "start": "2024-05-06T08:00:00Z",
                               "end": "2024-05-06T18:00:00Z",
                               "configurationItems": ["db1", "日本"]}]},
}


def _schedule(seed: int) -> list[Any]:
    rnd = random.Random(seed)
    changes = []
    for n in range(40):
        start = rnd.randrange(0, 20 * 60)
        end = start + rnd.choice([0, 7, 45, 90, 600, 1500])
        data: dict[str, Any] = {
            "id": f"c{n}", "kind": "change", "number": rnd.choice([f"CHG{n}", "", "Ü-{n}"]),
            "configuration_items": rnd.sample(CIS, rnd.randrange(0, 3)),
            "raw": {"team": rnd.choice(["a", "b", "é"])}}
        if rnd.random() > 0.1:
            data["planned_start"] = f"2024-05-06T{start // 60:02d}:{start % 60:02d}:00Z"
            data["planned_end"] = (f"2024-05-0{6 + end // 1440}T{end % 1440 // 60:02d}:"
                                   f"{end % 60:02d}:30.25+00:00")
        changes.append(parse_record(data))
    return changes


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("zone", ["UTC", "Europe/Amsterdam", "Asia/Kolkata"])
def test_the_text_is_json_dumps_of_the_report_data(seed: int, zone: str) -> None:
    graph = RelationshipGraph([Relationship("app1", "runs_on", "db1"),
                               Relationship("wëb-01", "runs_on", "日本")])
    report = run_conflicts(_schedule(seed), settings_from_spec(SPEC, "pölicy"), graph)
    assert {c.check for c in report.conflicts} == set(SPEC)
    skipped = [SkippedRow("x.csv", 3, "column A: 'ß' is not a date-time")]
    text = report_json_text(report, zone, skipped, rows_merged=7)
    assert text == json.dumps(report_to_json(report, zone, skipped, 7))
    for batch in (1, 7):  # written out in pieces, as the command does
        assert "".join(report_json_chunks(report, zone, skipped, 7, batch)) == text


def test_an_empty_report_too() -> None:
    report = run_conflicts([], settings_from_spec({"sameCi": {}}))
    assert report_json_text(report) == json.dumps(report_to_json(report))
