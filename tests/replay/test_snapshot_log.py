"""Snapshot logs become one record per ticket with the history a replay needs."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime

import pytest

from csi_rules.conflicts.loading.mapping import load_mapping
from csi_rules.errors import PolicyError, RecordError, UsageError
from csi_rules.replay import load_history
from csi_rules.sla.timeline import snapshots
from tests.replay.conftest import EXTRACT, UCI_MAPPING


def load(path, on_error="fail"):
    return load_history(path, UCI_MAPPING, on_error=on_error)


def test_consecutive_snapshots_become_history_and_the_last_one_the_record(write_log):
    path = write_log([
        {"sys_updated_at": "1/3/2016 09:05", "sys_mod_count": "0"},
        {"sys_updated_at": "1/3/2016 09:30", "sys_mod_count": "1", "incident_state": "Active",
         "assigned_to": "Resolver 7", "priority": "2 - High"},
        {"sys_updated_at": "1/3/2016 11:00", "sys_mod_count": "2",
         "incident_state": "Awaiting User Info", "assigned_to": "Resolver 7",
         "priority": "2 - High"},
        {"sys_updated_at": "1/3/2016 12:00", "sys_mod_count": "3", "incident_state": "Resolved",
         "assigned_to": "Resolver 7", "priority": "2 - High", "made_sla": "false",
         "resolved_at": "1/3/2016 12:00"},
    ])
    (record,) = load(path).records
    assert (record.id, record.kind, record.get("state"), record.get("priority")) == (
        "INC1", "incident", "resolved", 2)
    assert record.get("assignee") == "Resolver 7"
    assert record.get("raw.made_sla") is False
    assert record.get("resolved_at").isoformat() == "2016-03-01T12:00:00+01:00"
    assert record.data["history"] == [
        {"at": "2016-03-01T09:30:00+01:00", "field": "state", "from": "new", "to": "in_progress"},
        {"at": "2016-03-01T09:30:00+01:00", "field": "priority", "from": 3, "to": 2},
        {"at": "2016-03-01T09:30:00+01:00", "field": "assignee", "from": None,
         "to": "Resolver 7"},
        {"at": "2016-03-01T11:00:00+01:00", "field": "state", "from": "in_progress",
         "to": "on_hold"},
        {"at": "2016-03-01T11:00:00+01:00", "field": "hold_reason", "from": None,
         "to": "awaiting_caller"},
        {"at": "2016-03-01T12:00:00+01:00", "field": "state", "from": "on_hold",
         "to": "resolved"},
        {"at": "2016-03-01T12:00:00+01:00", "field": "hold_reason", "from": "awaiting_caller",
         "to": None},
    ]
    # the clock sees the ticket as it was: P3, unassigned, New from the opening on
    first = next(iter(snapshots(record, datetime.fromisoformat("2016-03-02T00:00+01:00"))))
    assert first.at.isoformat() == "2016-03-01T09:00:00+01:00"
    assert (first.record.get("state"), first.record.get("priority")) == ("new", 3)
    assert not first.record.get("assignee")


def test_snapshots_in_one_minute_are_ordered_by_mod_count_not_file_order(write_log):
    path = write_log([
        {"sys_updated_at": "1/3/2016 10:00", "sys_mod_count": "2", "incident_state": "Resolved"},
        {"sys_updated_at": "1/3/2016 10:00", "sys_mod_count": "1", "incident_state": "Active"},
        {"sys_updated_at": "1/3/2016 09:00", "sys_mod_count": "0", "incident_state": "New"},
    ])
    (record,) = load(path).records
    assert record.get("state") == "resolved"
    assert [(h["from"], h["to"]) for h in record.data["history"]] == [
        ("new", "in_progress"), ("in_progress", "resolved")]


def test_rows_equal_on_time_and_mod_count_keep_their_file_order(write_log):
    path = write_log([
        {"sys_updated_at": "1/3/2016 10:00", "sys_mod_count": "1", "incident_state": "Active"},
        {"sys_updated_at": "1/3/2016 10:00", "sys_mod_count": "1", "incident_state": "Resolved"},
    ])
    (record,) = load(path).records
    assert record.get("state") == "resolved"
    assert [(h["from"], h["to"]) for h in record.data["history"]] == [("in_progress", "resolved")]


def test_tickets_come_out_in_order_of_first_appearance_even_when_rows_interleave(write_log):
    path = write_log([
        {"number": "INC2", "sys_mod_count": "0"},
        {"number": "INC1", "sys_mod_count": "0"},
        {"number": "INC2", "sys_mod_count": "1", "sys_updated_at": "1/3/2016 10:00",
         "incident_state": "Closed"},
    ])
    records = load(path).records
    assert [r.id for r in records] == ["INC2", "INC1"]
    assert records[0].data["history"] == [{"at": "2016-03-01T10:00:00+01:00", "field": "state",
                                           "from": "new", "to": "closed"}]
    assert records[1].data["history"] == []


def test_question_marks_are_missing_values_not_text(write_log):
    path = write_log([{"assigned_to": "?", "resolved_at": "?", "cmdb_ci": "?", "vendor": "?"}])
    (record,) = load(path).records
    assert "assignee" not in record.data and "resolved_at" not in record.data
    assert "configuration_items" not in record.data and "vendor" not in record.data["raw"]


@pytest.mark.parametrize(("cells", "message"), [
    ({"sys_updated_at": "2016-03-01 10:00"},
     "column sys_updated_at: '2016-03-01 10:00' is not a date-time in the format "
     "%d/%m/%Y %H:%M"),
    ({"priority": "3 - Medium"},
     "column priority: '3 - Medium' is not in the value map for priority (known: "
     "'1 - Critical', '2 - High', '3 - Moderate', '4 - Low', '5 - Planning')"),
    ({"sys_mod_count": "?"}, "column sys_mod_count: empty, but the mapping requires "
                             "raw.sys_mod_count"),
    ({"number": "?"}, "column number: empty, but it identifies the ticket"),
    ({"made_sla": "maybe"}, "column made_sla: 'maybe' is not a yes/no value (map it with "
                            "values:)"),
])
def test_a_broken_row_is_one_line_naming_file_line_and_column(write_log, cells, message):
    path = write_log([{}, cells])
    with pytest.raises(RecordError) as info:
        load(path)
    assert str(info.value) == f"{path}:3: {message}"


def test_a_row_with_a_missing_cell_names_its_line(write_log, tmp_path):
    path = write_log([{}])
    path.write_text(path.read_text() + "INC9,New\n")
    with pytest.raises(RecordError, match=r":3: has 2 cells, the header has 36$"):
        load(path)


def test_skip_mode_reports_each_broken_row_and_keeps_the_ticket_from_its_other_rows(write_log):
    path = write_log([
        {"sys_mod_count": "0"},
        {"sys_mod_count": "1", "sys_updated_at": "31/2/2016 10:00", "incident_state": "Active"},
        {"sys_mod_count": "2", "sys_updated_at": "1/3/2016 11:00", "incident_state": "Closed"},
    ])
    loaded = load(path, on_error="skip")
    assert [s.format() for s in loaded.skipped] == [
        f"{path}:3: column sys_updated_at: '31/2/2016 10:00' is not a date-time in the format "
        f"%d/%m/%Y %H:%M"]
    (record,) = loaded.records
    assert [(h["from"], h["to"]) for h in record.data["history"]] == [("new", "closed")]
    assert loaded.rows_read == 3


def test_a_zip_holding_the_log_reads_like_the_csv(write_log, tmp_path):
    path = write_log([{}, {"sys_mod_count": "1", "incident_state": "Active",
                           "sys_updated_at": "1/3/2016 09:10"}])
    archive = tmp_path / "log.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(path, "incident_event_log.csv")
    from_zip, from_csv = load(archive).records, load(path).records
    assert [r.to_json() for r in from_zip] == [r.to_json() for r in from_csv]


def test_the_committed_extract_loads_every_incident_with_ordered_history():
    loaded = load(EXTRACT)
    numbers = {line.split(",", 1)[0] for line in EXTRACT.read_text().splitlines()[1:]}
    assert len(loaded.records) == len(numbers) == 100 and loaded.rows_read == 603
    assert {r.id for r in loaded.records} == numbers
    for record in loaded.records:
        instants = [h["at"] for h in record.data["history"]]
        assert instants == sorted(instants, key=datetime.fromisoformat), record.id
    # INC0000137's first row (09:52 is its real first update) comes after an 11:10 row in the file
    inc137 = next(r for r in loaded.records if r.id == "INC0000137")
    assert [(h["at"][11:16], h["to"]) for h in inc137.data["history"]
            if h["field"] == "state"] == [("11:03", "resolved"), ("11:10", "new"),
                                          ("12:00", "closed")]


def test_records_with_history_are_read_from_json_lines(tmp_path):
    path = tmp_path / "history.jsonl"
    good = {"id": "1", "kind": "incident", "opened_at": "2026-03-02T09:00:00Z",
            "history": [{"at": "2026-03-02T10:00:00Z", "field": "state", "from": "new",
                         "to": "resolved"}]}
    path.write_text(json.dumps(good) + "\n\n" + json.dumps({**good, "id": "2"}) + "\n")
    assert [r.id for r in load_history(path).records] == ["1", "2"]


@pytest.mark.parametrize(("line", "message"), [
    ("{not json", "invalid JSON: Expecting property name enclosed in double quotes (column 2)"),
    ('{"id": "2", "kind": "incident", "history": [{"at": "yesterday", "field": "state"}]}',
     "field history.0.at: 'yesterday' is not an ISO 8601 date-time"),
    ('{"id": "1", "kind": "incident"}', "field id: duplicate record id '1' (first on line 1)"),
])
def test_broken_json_lines_name_file_and_line(tmp_path, line, message):
    path = tmp_path / "history.jsonl"
    path.write_text('{"id": "1", "kind": "incident"}\n' + line + "\n")
    with pytest.raises(RecordError) as info:
        load_history(path)
    assert str(info.value) == f"{path}:2: {message}"
    assert [s.format() for s in load_history(path, on_error="skip").skipped] == [
        f"{path}:2: {message}"]


def test_a_snapshot_log_needs_a_snapshot_mapping(write_log):
    path = write_log([{}])
    with pytest.raises(UsageError, match="needs a column mapping"):
        load_history(path)
    with pytest.raises(PolicyError, match="this is a ChangeCsvMapping; a SnapshotCsvMapping is "
                                          "needed here"):
        load_history(path, UCI_MAPPING.parent / "rabobank-changes.yaml")


def test_snapshot_mapping_mistakes_are_reported_with_file_and_line(tmp_path):
    text = UCI_MAPPING.read_text()
    broken = text.replace("orderBy: [updated_at, raw.sys_mod_count]",
                          "orderBy: [updated_at, raw.mod_count, category]")
    path = tmp_path / "m.yaml"
    path.write_text(broken)
    with pytest.raises(PolicyError) as info:
        load_mapping(path, kind="SnapshotCsvMapping")
    messages = [f.message for f in info.value.findings]
    assert messages[0].startswith("unknown mapped field 'raw.mod_count'; did you mean "
                                  "'raw.sys_mod_count'?")
    assert messages[1:] == ["category is a string; order snapshots by a date-time or a number"]
    line = next(i for i, t in enumerate(broken.splitlines(), 1) if "orderBy:" in t)
    assert {f.line for f in info.value.findings} == {line}


def test_the_command_stops_at_a_broken_row_or_skips_and_reports_it(write_log, cli):
    path = write_log([{}, {"sys_mod_count": "1", "priority": "9 - Whenever",
                           "sys_updated_at": "1/3/2016 10:00"}])
    args = ["replay", "--policies", str(UCI_MAPPING.parents[1]), "--history", str(path),
            "--mapping", str(UCI_MAPPING)]
    stopped = cli(*args)
    assert stopped.code == 2 and stopped.out == ""
    assert stopped.err.startswith(f"csi-rules: error: {path}:3: column priority: "
                                  f"'9 - Whenever' is not in the value map for priority")
    skipped = cli(*args, "--skip-bad-rows")
    assert skipped.code == 0
    assert skipped.err.startswith(f"csi-rules: skipped {path}:3: column priority: ")
    summary = json.loads(skipped.out.splitlines()[-1])["summary"]
    assert summary["tickets"] == 1 and summary["rows_read"] == 2
    assert [s["line"] for s in summary["skipped_rows"]] == [3]


def test_first_merged_fields_lists_and_unmapped_states_make_the_same_record_as_ever(
        write_log, tmp_path):
    """merge: first takes the earliest value even when the last snapshot has none (then the
    field comes after the others), a list field holds its one cell as a list, a `code:` state
    is listed in `unmapped`, raw fields sit under raw, kind first."""
    text = UCI_MAPPING.read_text().replace("caller: {column: caller_id}",
                                           "caller: {column: caller_id, merge: first}")
    mapping = tmp_path / "m.yaml"
    mapping.write_text(text)
    path = write_log([
        {"sys_updated_at": "1/3/2016 10:00", "sys_mod_count": "1", "caller_id": "?",
         "incident_state": "-100", "cmdb_ci": "CI 7"},
        {"sys_updated_at": "1/3/2016 09:00", "sys_mod_count": "0", "caller_id": "Caller 4"},
    ])
    (record,) = load_history(path, mapping).records
    data = record.data
    assert data["caller"] == "Caller 4"
    assert data["configuration_items"] == ["CI 7"]
    assert (data["state"], data["unmapped"]) == ("code:-100", {"state": "-100"})
    assert data["raw"]["sys_mod_count"] == 1 and data["raw"]["made_sla"] is True
    keys = list(data)
    assert keys[0] == "kind" and keys[-3:] == ["caller", "unmapped", "history"]
    assert keys.index("raw") == keys.index("closed_at" if "closed_at" in data else
                                           "resolved_at" if "resolved_at" in data else
                                           "updated_at") + 1
