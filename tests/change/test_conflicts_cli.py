"""`csi-rules conflicts` as a change manager runs it on a schedule file."""

from __future__ import annotations

import json

from tests.conftest import POLICIES, ROOT

EXTRACT = ROOT / "tests" / "conflicts" / "data" / "rabobank-detail-change-extract.csv"
MAPPING = POLICIES / "mappings" / "rabobank-changes.yaml"


def change(i: int, start: str, end: str, ci: str, assignee: str = "") -> str:
    rec = {"id": f"c{i}", "number": f"CHG{i}", "kind": "change", "change_type": "normal",
           "planned_start": start, "planned_end": end, "configuration_items": [ci]}
    if assignee:
        rec["assignee"] = assignee
    return json.dumps(rec)


def test_same_ci_overlap_is_blocking_and_exits_1(cli, tmp_path):
    schedule = tmp_path / "s.jsonl"
    schedule.write_text("\n".join([
        change(1, "2026-03-10T20:00:00Z", "2026-03-10T23:00:00Z", "db01", "ann"),
        change(2, "2026-03-10T22:00:00Z", "2026-03-11T01:00:00Z", "db01", "bob"),
        change(3, "2026-03-10T23:00:00Z", "2026-03-11T01:00:00Z", "web01", "ann"),
    ]) + "\n")
    result = cli("conflicts", "--policies", str(POLICIES), "--changes", str(schedule),
                 "--format", "json")
    assert result.code == 1
    report = json.loads(result.out)
    pairs = [(c["check"], [x["number"] for x in c["changes"]], c["severity"])
             for c in report["conflicts"]]
    assert pairs == [("sameCi", ["CHG1", "CHG2"], "blocking")]  # CHG1/CHG3 only touch


def test_double_booked_person_is_advisory_and_exits_0(cli, tmp_path):
    schedule = tmp_path / "s.jsonl"
    schedule.write_text("\n".join([
        change(1, "2026-03-10T20:00:00Z", "2026-03-10T23:00:00Z", "db01", "ann"),
        change(2, "2026-03-10T22:00:00Z", "2026-03-11T01:00:00Z", "web01", "ann"),
    ]) + "\n")
    result = cli("conflicts", "--policies", str(POLICIES), "--changes", str(schedule))
    assert result.code == 0
    assert "advisory  capacity" in result.out
    assert "ann" in result.out


def test_rabobank_extract_loads_with_the_documented_mapping(cli):
    result = cli("conflicts", "--policies", str(POLICIES), "--changes", str(EXTRACT),
                 "--mapping", str(MAPPING), "--format", "json")
    assert result.code in (0, 1), result.err
    report = json.loads(result.out)
    assert report["summary"]["changes_checked"] + report["summary"]["unchecked"] > 50


def test_csv_without_a_mapping_is_a_usage_error(cli):
    result = cli("conflicts", "--policies", str(POLICIES), "--changes", str(EXTRACT))
    assert result.code == 2
    assert "CSV input needs a column mapping (--mapping FILE)" in result.err
