"""The real Rabobank change table (BPI Challenge 2014) loads with the documented mapping, and the
conflicts found in the committed extract are the ones worked out by hand from its rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from csi_rules.conflicts import ConflictReport, load_changes, run_conflicts, settings_from_spec
from csi_rules.conflicts.loading.result import LoadResult

REPO = Path(__file__).resolve().parents[2]
MAPPING = REPO / "policies" / "mappings" / "rabobank-changes.yaml"
EXTRACT = Path(__file__).parent / "data" / "rabobank-detail-change-extract.csv"
FULL_TABLE = REPO.parent / "shared" / "data" / "bpi2014_rabobank_itsm" / "detail_change.zip"

# changes with "CAB-approval needed" = Y (column 9) in the extract, found with awk
CAB_Y_IN_EXTRACT = ["C00002750", "C00002834", "C00002838", "C00002840"]
FREEZE = {"name": "year-end freeze", "start": "2013-12-20T00:00:00+01:00",
          "end": "2014-01-06T00:00:00+01:00"}


@pytest.fixture(scope="module")
def extract() -> LoadResult:
    return load_changes(EXTRACT, MAPPING)


@pytest.fixture(scope="module")
def report(extract: LoadResult) -> ConflictReport:
    spec = {"sameCi": {}, "blackouts": {"windows": [FREEZE], "exemptChangeTypes": ["emergency"]}}
    return run_conflicts(extract.changes, settings_from_spec(spec, "rabobank"))


def _by_pair(report: ConflictReport, one: str, two: str) -> list[tuple[str, ...]]:
    return [(c.check, *c.subjects, c.start.isoformat(), c.end.isoformat())
            for c in report.conflicts if [r.id for r in c.changes] == [one, two]]


def test_every_row_of_the_extract_loads(extract: LoadResult) -> None:
    assert extract.rows_read == 200 and extract.skipped == []
    assert len(extract.changes) == 133
    first = extract.changes[0]
    assert first.id == "C00002744" and first.data["configuration_items"] == [
        "LSR000168", "LSR000169", "SBA000577"]
    assert first.data["change_type"] == "standard" and first.data["risk"] == "low"
    assert first.data["raw"]["change_type"] == "Standard Change Type 06"


def test_emergency_flag_and_cab_column_map_onto_the_record_model(extract: LoadResult) -> None:
    by_id = {c.id: c for c in extract.changes}
    # line 17: "Release Type 13;Business Change;Y;Y" -> emergency (the flag wins), moderate, CAB
    assert (by_id["C00002750"].data["change_type"], by_id["C00002750"].data["risk"],
            by_id["C00002750"].data["cab_required"]) == ("emergency", "moderate", True)
    # line 50: "Standard Change Type 18;Minor Change;Y;N"
    assert (by_id["C00002784"].data["change_type"], by_id["C00002784"].data["risk"],
            by_id["C00002784"].data["cab_required"]) == ("emergency", "low", False)
    cab = sorted(c.id for c in extract.changes if c.data["cab_required"])
    assert cab == CAB_Y_IN_EXTRACT


def test_rows_that_disagree_on_the_window_merge_into_its_hull(extract: LoadResult) -> None:
    # lines 7 and 8: C00002746 on SSW000034, 29-10-2013 8:00-6-11-2013 17:00 and
    # 23-1-2014 10:00-17:00 (local time)
    change = next(c for c in extract.changes if c.id == "C00002746")
    assert change.data["planned_start"].isoformat() == "2013-10-29T08:00:00+01:00"
    assert change.data["planned_end"].isoformat() == "2014-01-23T17:00:00+01:00"


def test_hand_checked_same_ci_overlaps(report: ConflictReport) -> None:
    # lines 4-5: C00002744 15-10-2013 0:00-18:00 and C00002745 14-10 8:00-18-10 18:00, both on
    # SBA000577 -> they overlap all of 15 October 0:00-18:00 (CEST, UTC+2).
    assert _by_pair(report, "C00002744", "C00002745") == [
        ("sameCi", "SBA000577", "2013-10-14T22:00:00+00:00", "2013-10-15T16:00:00+00:00")]
    # lines 11 and 41: C00002748 10-10 14:50-16:50 and C00002777 14:01-16:01 on NET000217.
    assert _by_pair(report, "C00002748", "C00002777") == [
        ("sameCi", "NET000217", "2013-10-10T12:50:00+00:00", "2013-10-10T14:01:00+00:00")]
    # line 180: C00002872 15:28-15:29 sits inside both of them: a one-minute overlap each.
    assert _by_pair(report, "C00002777", "C00002872") == [
        ("sameCi", "NET000217", "2013-10-10T13:28:00+00:00", "2013-10-10T13:29:00+00:00")]
    assert sum(c.check == "sameCi" for c in report.conflicts) == 24


def test_separate_windows_stay_separate_so_the_gap_never_meets_the_freeze(
        report: ConflictReport, extract: LoadResult) -> None:
    # Neither row of C00002746 touches the freeze; their hull (29 Oct - 23 Jan) did, and was
    # reported until each window was kept apart.
    change = next(c for c in extract.changes if c.id == "C00002746")
    assert [(w["start"], w["end"]) for w in change.data["raw"]["planned_windows"]] == [
        ("2013-10-29T08:00:00+01:00", "2013-11-06T17:00:00+01:00"),
        ("2014-01-23T10:00:00+01:00", "2014-01-23T17:00:00+01:00")]
    assert [c for c in report.conflicts if c.check == "blackouts"] == []


def test_zero_length_windows_are_reported_not_dropped(report: ConflictReport) -> None:
    assert report.changes_checked + len(report.unchecked) == 133
    assert len(report.unchecked) == 20
    first = report.unchecked[0]
    assert (first.change.id, first.reason) == (
        "C00002752", "empty planned window: planned_end equals planned_start "
                     "(2013-10-09T15:40:00+02:00)")


@pytest.mark.skipif(not FULL_TABLE.is_file(), reason="shared Rabobank data not present")
def test_the_whole_table_loads_straight_from_the_zip() -> None:
    result = load_changes(FULL_TABLE, MAPPING)
    assert result.rows_read == 30_275 and result.skipped == []
    assert len(result.changes) == 18_000
    assert sum(len(c.data["configuration_items"]) for c in result.changes) == 30_124  # 151 repeats
