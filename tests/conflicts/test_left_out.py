"""`csi-rules conflicts` says what it left out: changes excluded by policy, checks with no data,
rows merged on load, windows beyond the policy's bound; a change's separate windows stay apart."""

from __future__ import annotations

import json

from tests.conftest import POLICIES, ROOT

EXTRACT = ROOT / "tests" / "conflicts" / "data" / "rabobank-detail-change-extract.csv"
MAPPING = POLICIES / "mappings" / "rabobank-changes.yaml"


def policy(tmp_path, spec: str):
    folder = tmp_path / "policies"
    folder.mkdir(exist_ok=True)
    (folder / "conflicts.yaml").write_text(
        "apiVersion: csi-rules/v1\nkind: ConflictPolicy\nmetadata: {name: p}\nspec:\n" + spec)
    return folder


def run(cli, folder, changes, *extra):
    result = cli("conflicts", "--policies", str(folder), "--changes", str(changes), *extra)
    assert result.code in (0, 1), result.err
    return result


def test_summary_counts_exclusions_missing_data_and_merged_rows(cli, tmp_path):
    folder = policy(tmp_path, "  sameCi: {ignoreChangeTypes: [standard]}\n"
                              "  capacity: {resources: [{field: assignee}]}\n")
    out = json.loads(run(cli, folder, EXTRACT, "--mapping", str(MAPPING), "--format",
                         "json").out)["summary"]
    # 133 changes from 200 rows; the extract has no assignee column at all
    assert out["rows_merged"] == 200 - 133
    assert out["excluded_by_policy"]["sameCi"] > 0
    assert out["without_data"] == {"capacity": out["changes_checked"]}
    table = run(cli, folder, EXTRACT, "--mapping", str(MAPPING)).out
    assert f"Excluded by policy from sameCi: {out['excluded_by_policy']['sameCi']} changes" in table
    assert "Merged on load: 67 rows" in table


def test_a_change_with_two_windows_on_a_ci_meets_only_what_overlaps_each(cli, tmp_path):
    # C00002746 has windows 29 Oct - 6 Nov 2013 and 23 Jan 2014 on SSW000034: a change on that
    # CI in December sits in the gap, which the hull used to cover.
    rows = EXTRACT.read_text(encoding="utf-8").splitlines()
    header = rows[0]
    c2746 = [r for r in rows if ";C00002746;" in r]
    assert len(c2746) == 2, "the extract holds C00002746's two rows"
    fields = header.split(";")
    i_id, i_start, i_end = (fields.index(n) for n in ("Change ID", "Planned Start", "Planned End"))
    in_gap = c2746[0].split(";")
    in_gap[i_id], in_gap[i_start], in_gap[i_end] = "C09999999", "10-12-2013 10:00", "10-12-2013 12:00"
    in_first = [*in_gap]
    in_first[i_id], in_first[i_start], in_first[i_end] = "C09999998", "1-11-2013 10:00", "1-11-2013 12:00"
    changes = tmp_path / "gap.csv"
    changes.write_text("\n".join([header, *c2746, ";".join(in_gap), ";".join(in_first)]) + "\n")
    folder = policy(tmp_path, "  sameCi: {}\n")
    out = json.loads(run(cli, folder, changes, "--mapping", str(MAPPING), "--format",
                         "json").out)
    pairs = [[c["id"] for c in conflict["changes"]] for conflict in out["conflicts"]]
    assert pairs == [["C00002746", "C09999998"]]  # the one inside a real window, not the gap


def test_a_policy_bounds_the_window_length_it_considers(cli, tmp_path):
    changes = tmp_path / "s.jsonl"
    long = {"id": "l", "number": "CHGL", "kind": "change", "configuration_items": ["db1"],
            "planned_start": "2026-01-01T00:00:00Z", "planned_end": "2026-03-01T00:00:00Z"}
    short = {**long, "id": "s", "number": "CHGS", "planned_start": "2026-02-01T10:00:00Z",
             "planned_end": "2026-02-01T12:00:00Z"}
    changes.write_text(json.dumps(long) + "\n" + json.dumps(short) + "\n")
    unbounded = json.loads(run(cli, policy(tmp_path, "  sameCi: {}\n"), changes,
                               "--format", "json").out)
    assert unbounded["summary"]["conflicts"] == 1
    bounded = json.loads(run(cli, policy(tmp_path, "  maxWindowHours: 72\n  sameCi: {}\n"),
                             changes, "--format", "json").out)
    assert bounded["summary"]["conflicts"] == 0
    assert bounded["summary"]["excluded_by_policy"] == {"maxWindowHours": 1}
    assert bounded["unchecked"][0]["reason"].startswith(
        "planned window of 1416 h is longer than the policy's maxWindowHours (72 h)")
