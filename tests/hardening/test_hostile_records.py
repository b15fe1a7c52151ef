"""Hostile records on every input path: exit 2 (or a RecordError) naming the line and why,
never a traceback. Deep nesting, numbers past any sane size, bad UTF-8, lone surrogates."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from csi_rules.conflicts import load_changes, load_mapping
from csi_rules.errors import CsiRulesError
from csi_rules.ingest.record_lines import read_record_lines
from tests.conftest import POLICIES

from .test_isolated_worker import CLI

NOW = "2026-03-02T09:30:00Z"
OK = json.dumps({"id": "ok", "kind": "incident", "priority": 3})
HOSTILE = {
    "deep array": '{"id": "x", "kind": "incident", "raw": ' + "[" * 5000 + "]" * 5000 + "}",
    "deep object": '{"id": "x", "kind": "incident", "raw": ' + '{"a":' * 200 + "1" + "}" * 201,
    "huge integer": '{"id": "x", "kind": "incident", "priority": ' + "7" * 5000 + "}",
    "lone surrogate": '{"id": "x", "kind": "incident", "short_description": "\\ud800"}',
    "NaN": '{"id": "x", "kind": "incident", "priority": NaN}',
}
WHY = {"deep array": "nested deeper than 64", "deep object": "nested deeper than 64",
       "huge integer": "out of range", "lone surrogate": "lone surrogate", "NaN": "NaN"}


def _evaluate(cli, path: Path):
    return cli("evaluate", "--policies", str(POLICIES), "--record", str(path), "--now", NOW)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_evaluate_names_the_json_line_and_why(cli, tmp_path: Path, case: str) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(OK + "\n" + HOSTILE[case] + "\n")
    result = _evaluate(cli, path)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(f"csi-rules: error: {path}:2: "), result.err
    assert WHY[case] in result.err
    assert "Traceback" not in result.err and len(result.err.splitlines()) == 1


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_evaluate_refuses_a_hostile_single_document(cli, tmp_path: Path, case: str) -> None:
    path = tmp_path / "record.json"
    path.write_text("\n\n" + HOSTILE[case])
    result = _evaluate(cli, path)
    assert result.code == 2
    assert result.err.startswith(f"csi-rules: error: {path}:3: "), result.err
    assert WHY[case] in result.err


def test_invalid_utf8_names_line_and_byte(cli, tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(OK.encode() + b'\n{"id": "x\xff", "kind": "incident"}\n')
    result = _evaluate(cli, path)
    assert result.code == 2
    assert result.err == (f"csi-rules: error: {path}:2: not valid UTF-8: byte 0xff "
                          f"at column 10\n")


def test_invalid_utf8_on_standard_input_is_exit_2_not_a_traceback() -> None:
    done = subprocess.run([str(CLI), "evaluate", "--policies", str(POLICIES), "--record", "-",
                           "--now", NOW], input=OK.encode() + b"\n\xed\xa0\x80\n",
                          capture_output=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == b"csi-rules: error: <stdin>:2: not valid UTF-8: byte 0xed at column 1\n"


def test_a_line_separator_inside_a_string_is_text_not_a_new_line(cli, tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    record = {"id": "ls", "kind": "incident", "short_description": "a\u2028b\u2029c\x85d"}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n" + OK + "\n", encoding="utf-8")
    result = _evaluate(cli, path)
    assert result.code == 0, result.err
    assert [json.loads(line)["record"]["id"] for line in result.out.splitlines()] == ["ls", "ok"]


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_json_lines_reader_names_the_line(tmp_path: Path, case: str) -> None:
    path = tmp_path / "changes.jsonl"
    path.write_text(OK + "\n" + HOSTILE[case] + "\n")
    with pytest.raises(CsiRulesError, match=rf"changes.jsonl:2: .*{WHY[case]}"):
        read_record_lines(path)
    skipped = read_record_lines(path, on_error="skip").skipped
    assert [(s.line, WHY[case] in s.reason) for s in skipped] == [(2, True)]


def test_json_lines_reader_names_the_line_of_a_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "changes.jsonl"
    path.write_bytes(OK.encode() + b"\n" + OK.encode() * 0 + b'{"id": "\xc3\x28"}\n')
    with pytest.raises(CsiRulesError, match=r"changes.jsonl:2: not valid utf-8: byte 0xc3"):
        read_record_lines(path)


def test_csv_through_a_mapping_names_the_line_of_a_bad_byte(tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("""\
apiVersion: csi-rules/v1
kind: ChangeCsvMapping
metadata: {name: tiny}
spec:
  csv: {delimiter: ";"}
  timeZone: UTC
  dateFormats: ["%d-%m-%Y %H:%M"]
  groupBy: Change
  fields:
    id: {column: Change}
    number: {column: Change}
    planned_start: {column: Start}
    planned_end: {column: End}
""")
    csv_path = tmp_path / "changes.csv"
    csv_path.write_bytes(b"Change;Start;End\nC1;01-03-2026 10:00;01-03-2026 11:00\n"
                         b"C2\xff;01-03-2026 10:00;01-03-2026 11:00\n")
    with pytest.raises(CsiRulesError, match=r"changes.csv:3: not valid utf-8: byte 0xff"):
        load_changes(csv_path, load_mapping(mapping))


POINT = json.dumps({"period": "2026-01-05", "metric": "mttr_hours", "value": 9, "service": "a"})
HOSTILE_POINTS = {  # the same classes in a KPI series (csi-rules kpi --series)
    "deep array": POINT[:-1] + ', "raw": ' + "[" * 5000 + "]" * 5000 + "}",
    "huge integer": POINT.replace('"value": 9', '"value": ' + "7" * 5000),
    "lone surrogate": POINT.replace('"a"', '"\\ud800"'),
    "NaN": POINT.replace('"value": 9', '"value": NaN'),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_POINTS))
def test_kpi_series_names_the_line_and_why(cli, tmp_path: Path, case: str) -> None:
    path = tmp_path / "kpis.jsonl"
    path.write_text(POINT + "\n" + HOSTILE_POINTS[case] + "\n")
    result = cli("kpi", "--policies", str(POLICIES / "improvement"), "--series", str(path))
    assert result.code == 2
    assert result.err.startswith(f"csi-rules: error: {path}:2: "), result.err
    assert WHY[case] in result.err and len(result.err.splitlines()) == 1


def test_kpi_series_bad_bytes_and_line_separators(cli, tmp_path: Path) -> None:
    path = tmp_path / "kpis.jsonl"
    path.write_bytes(POINT.encode() + b"\n" + POINT.encode().replace(b'"a"', b'"\xff"') + b"\n")
    result = cli("kpi", "--policies", str(POLICIES / "improvement"), "--series", str(path))
    assert result.code == 2
    assert result.err == f"csi-rules: error: {path}:2: not valid UTF-8: byte 0xff at column 74\n"
    path.write_text(POINT.replace('"a"', '"a\u2028b"') + "\n" + POINT + "\n", encoding="utf-8")
    result = cli("kpi", "--policies", str(POLICIES / "improvement"), "--series", str(path))
    assert result.code == 0, result.err
