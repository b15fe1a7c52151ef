"""JSON-lines change files: good records load, broken lines fail (or are skipped) with file:line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from csi_rules.conflicts import load_changes
from csi_rules.errors import RecordError, UsageError

GOOD = {"id": "c1", "number": "CHG1", "kind": "change", "risk": "low",
        "planned_start": "2024-03-01T10:00:00+01:00", "planned_end": "2024-03-01T12:00:00+01:00",
        "configuration_items": ["db1"]}


def _write(tmp_path: Path, *lines: Any) -> Path:
    path = tmp_path / "changes.jsonl"
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def test_records_load_in_order_and_blank_lines_are_ignored(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD, "", {**GOOD, "id": "c2", "number": "CHG2"})
    result = load_changes(path)
    assert [c.label for c in result.changes] == ["CHG1", "CHG2"]
    assert result.changes[0].data["planned_start"].isoformat() == "2024-03-01T10:00:00+01:00"
    assert result.skipped == [] and result.rows_read == 2


@pytest.mark.parametrize(("line", "message"), [
    ('{"id": "c9", "kind": "change",', "invalid JSON: Expecting property name enclosed in "
                                       "double quotes (column 31)"),
    ({**GOOD, "risk": "extreme"},
     "CHG1: field risk: 'extreme' is not one of ['low', 'moderate', 'high', 'very_high']"),
    ({**GOOD, "planned_end": "2024-03-01T12:00:00"},
     "field planned_end: '2024-03-01T12:00:00' has no UTC offset (add 'Z' or '+01:00')"),
    ({**GOOD, "kind": "incident"}, "field kind: 'incident' is not a change record"),
    ({**GOOD, "colour": "red"},
     "CHG1: field (record): unknown field(s) colour (platform fields go under 'raw')"),
    ([1, 2], "a record must be a JSON object, got list"),
])
def test_a_broken_line_fails_with_file_line_and_field(tmp_path: Path, line: Any,
                                                      message: str) -> None:
    path = _write(tmp_path, {**GOOD, "id": "c0", "number": "CHG0"}, line)
    with pytest.raises(RecordError) as caught:
        load_changes(path)
    assert str(caught.value) == f"{path}:2: {message}"


def test_a_repeated_id_names_the_line_of_its_first_use(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD, GOOD)
    with pytest.raises(RecordError, match=r":2: field id: duplicate change id 'c1' \(first on "
                                          r"line 1\)$"):
        load_changes(path)


def test_skip_mode_keeps_the_good_records_and_says_which_lines_were_left_out(
        tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD, "not json", {**GOOD, "id": "c3", "risk": "extreme"},
                  {**GOOD, "id": "c4", "number": "CHG4"})
    result = load_changes(path, on_error="skip")
    assert [c.id for c in result.changes] == ["c1", "c4"]
    assert [(s.line, s.reason.split(":")[0]) for s in result.skipped] == [
        (2, "invalid JSON"), (3, "CHG1")]
    assert result.skipped[0].format().startswith(f"{path}:2: invalid JSON: Expecting value")


def test_unknown_file_types_and_mappings_for_jsonl_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"unknown change file type '\.txt'"):
        load_changes(tmp_path / "changes.txt")
    with pytest.raises(UsageError, match="a column mapping applies to CSV input only"):
        load_changes(_write(tmp_path, GOOD), mapping="m.yaml")
    with pytest.raises(UsageError, match="no such file"):
        load_changes(tmp_path / "missing.jsonl")
