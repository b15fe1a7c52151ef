"""CSV change files through a column mapping: merging change x CI rows, and exact messages for
broken rows (or, on request, a list of the rows left out and why)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from csi_rules.conflicts import load_changes, load_mapping
from csi_rules.errors import RecordError

MAPPING = """\
apiVersion: csi-rules/v1
kind: ChangeCsvMapping
metadata: {name: tiny}
spec:
  csv: {delimiter: ";"}
  timeZone: Europe/Amsterdam
  dateFormats: ["%d-%m-%Y %H:%M"]
  groupBy: Change
  fields:
    id: {column: Change}
    number: {column: Change}
    configuration_items: {column: CI}
    risk: {column: Risk, values: {Low: low, High: high}, merge: max}
    planned_start: {column: Start}
    planned_end: {column: End}
    change_type:
      firstOf:
        - {column: Urgent, values: {"Y": emergency, "N": null}}
        - {value: normal}
    raw.ci_count_hint: {column: CI, merge: collect}
"""
HEADER = "Change;CI;Risk;Urgent;Start;End"


@pytest.fixture
def mapping_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(MAPPING)
    return path


def _csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "changes.csv"
    path.write_text("\r\n".join([HEADER, *rows]) + "\r\n")
    return path


def test_rows_of_one_change_merge_into_one_record(tmp_path: Path, mapping_file: Path) -> None:
    path = _csv(tmp_path,
                "C1;db1;Low;N;1-3-2024 10:00;1-3-2024 12:00",
                "C1;app1;High;N;1-3-2024 10:00;1-3-2024 12:00",
                "C2;db1;Low;Y;30-3-2024 23:00;31-3-2024 4:00")
    result = load_changes(path, mapping_file)
    one, two = result.changes
    assert one.data["configuration_items"] == ["db1", "app1"]
    assert one.data["risk"] == "high"  # merge: max over the ordered risk levels
    assert one.data["change_type"] == "normal" and two.data["change_type"] == "emergency"
    assert one.data["planned_start"].isoformat() == "2024-03-01T10:00:00+01:00"
    # the clocks go forward in the night of 30/31 March: the end is summer time
    assert two.data["planned_end"].isoformat() == "2024-03-31T04:00:00+02:00"
    assert one.data["raw"] == {"ci_count_hint": ["db1", "app1"]}
    assert result.rows_read == 3 and result.skipped == []


@pytest.mark.parametrize(("row", "message"), [
    ("C1;db1;Low;N;31-2-2024 10:00;1-3-2024 12:00",
     "column Start: '31-2-2024 10:00' is not a date-time in the format %d-%m-%Y %H:%M"),
    ("C1;db1;Huge;N;1-3-2024 10:00;1-3-2024 12:00",
     "column Risk: 'Huge' is not in the value map for risk (known: 'High', 'Low')"),
    ("C1;db1;Low;N;1-3-2024 11:00;1-3-2024 12:00",
     "column Start: '1-3-2024 11:00' differs from '1-3-2024 10:00' on line 2 for the same "
     "change C1; choose merge first, last, min, max or collect for planned_start in the mapping"),
    ("C1;db1;Low;N;1-3-2024 10:00", "has 5 cells, the header has 6"),
    (";db1;Low;N;1-3-2024 10:00;1-3-2024 12:00",
     "column Change: empty, but it identifies the change"),
])
def test_a_broken_row_fails_with_file_line_and_column(tmp_path: Path, mapping_file: Path,
                                                      row: str, message: str) -> None:
    path = _csv(tmp_path, "C1;db1;Low;N;1-3-2024 10:00;1-3-2024 12:00", row)
    with pytest.raises(RecordError) as caught:
        load_changes(path, mapping_file)
    assert str(caught.value) == f"{path}:3: {message}"


def test_a_mapped_column_missing_from_the_header_is_named_with_a_suggestion(
        tmp_path: Path, mapping_file: Path) -> None:
    path = tmp_path / "changes.csv"
    path.write_text("Change;CI;Risk;Urgent;Strat;End\r\n")
    with pytest.raises(RecordError) as caught:
        load_changes(path, mapping_file)
    assert str(caught.value) == (
        f"{path}:1: unknown column 'Start'; did you mean 'Strat'? (valid: CI, Change, End, "
        f"Risk, Strat, Urgent), named in mapping tiny ({mapping_file})")


def test_skip_mode_reports_every_row_left_out_and_keeps_the_rest(tmp_path: Path,
                                                                 mapping_file: Path) -> None:
    path = _csv(tmp_path,
                "C1;db1;Low;N;1-3-2024 10:00;1-3-2024 12:00",
                "C1;app1;Low;N;bad;1-3-2024 12:00",
                "C2;db1;Huge;N;1-3-2024 10:00;1-3-2024 12:00",
                "C3;db1;Low;N;1-3-2024 10:00;1-3-2024 12:00")
    result = load_changes(path, mapping_file, on_error="skip")
    assert [c.id for c in result.changes] == ["C1", "C3"]
    assert result.changes[0].data["configuration_items"] == ["db1"]
    assert [s.format() for s in result.skipped] == [
        f"{path}:3: column Start: 'bad' is not a date-time in the format %d-%m-%Y %H:%M",
        f"{path}:4: column Risk: 'Huge' is not in the value map for risk (known: 'High', 'Low')"]


def test_a_multi_line_quoted_cell_keeps_line_numbers_right(tmp_path: Path,
                                                           mapping_file: Path) -> None:
    path = _csv(tmp_path,
                'C1;"db1\r\nstill db1";Low;N;1-3-2024 10:00;1-3-2024 12:00',
                "C2;db1;Low;N;nope;1-3-2024 12:00")
    with pytest.raises(RecordError, match=r"changes\.csv:4: column Start: 'nope'"):
        load_changes(path, mapping_file)


def test_a_zip_is_read_in_place_and_messages_name_the_member(tmp_path: Path,
                                                             mapping_file: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("changes.csv", f"{HEADER}\r\nC1;db1;Low;N;1-3-2024 10:00;1-3-2024 12:00\r\n"
                                  "C2;db1;Low;N;x;1-3-2024 12:00\r\n")
    with pytest.raises(RecordError) as caught:
        load_changes(archive, load_mapping(mapping_file))
    assert str(caught.value).startswith(f"{archive}!changes.csv:3: column Start: 'x'")


def test_naive_times_without_a_mapping_time_zone_are_refused(tmp_path: Path) -> None:
    mapping = tmp_path / "nozone.yaml"
    mapping.write_text(MAPPING.replace("  timeZone: Europe/Amsterdam\n", ""))
    path = _csv(tmp_path, "C1;db1;Low;N;1-3-2024 10:00;1-3-2024 12:00")
    with pytest.raises(RecordError) as caught:
        load_changes(path, mapping)
    assert str(caught.value) == (f"{path}:2: column Start: '1-3-2024 10:00' has no UTC offset; "
                                 "set timeZone in the mapping tiny")
