"""`csi-rules evaluate` reads a CSV export through a column mapping (no hand conversion to
JSON): one record per ticket of a snapshot log, broken rows named by line."""

from __future__ import annotations

import json

import pytest

from tests.conftest import POLICIES
from tests.replay.conftest import EXTRACT, UCI_MAPPING

NOW = "2016-06-01T00:00:00Z"


def _evaluate(cli, path, *extra: str):
    return cli("evaluate", "--policies", str(POLICIES), "--record", str(path), "--mapping",
               str(UCI_MAPPING), "--now", NOW, *extra)


def test_the_uci_extract_evaluates_one_record_per_incident(cli):
    result = _evaluate(cli, EXTRACT)
    assert result.code == 0, result.err
    outputs = [json.loads(line) for line in result.out.splitlines()]
    numbers = {row.split(",", 1)[0] for row in EXTRACT.read_text().splitlines()[1:]}
    assert sorted(o["record"]["id"] for o in outputs) == sorted(numbers)
    policies = {d["policy"]["name"] for o in outputs for d in o["decisions"]}
    assert "incident-sla" in policies  # the history (opened, held, resolved) reached the clocks


def test_a_broken_row_stops_with_its_file_and_line(cli, write_log):
    log = write_log([{"number": "INC1"}, {"number": "INC2", "priority": "urgent"}])
    result = _evaluate(cli, log)
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith(f"csi-rules: error: {log}:3: column priority: 'urgent' is "
                                 f"not in the value map for priority")


def test_skip_bad_rows_names_the_line_and_evaluates_the_rest(cli, write_log):
    log = write_log([{"number": "INC1"}, {"number": "INC2", "opened_at": "yesterday"}])
    result = _evaluate(cli, log, "--skip-bad-rows")
    assert result.code == 0, result.err
    assert f"csi-rules: skipped {log}:3: column opened_at:" in result.err
    assert [json.loads(line)["record"]["id"] for line in result.out.splitlines()] == ["INC1"]


def test_csv_without_a_mapping_says_which_mapping_to_give(cli, write_log):
    log = write_log([{"number": "INC1"}])
    result = cli("evaluate", "--policies", str(POLICIES), "--record", str(log))
    assert result.code == 2
    assert "needs a column mapping (--mapping FILE" in result.err


def test_a_mapping_for_json_input_is_refused(cli, tmp_path):
    record = tmp_path / "r.json"
    record.write_text(json.dumps({"id": "a", "kind": "incident"}), encoding="utf-8")
    result = cli("evaluate", "--policies", str(POLICIES), "--record", str(record), "--mapping",
                 str(UCI_MAPPING))
    assert result.code == 2
    assert "--mapping applies to CSV input" in result.err


@pytest.mark.parametrize("cell", ["1_0", "nan", "inf", "0x10", "7" * 45])
def test_a_number_cell_python_would_bend_is_a_broken_row(cli, write_log, cell):
    # int()/float() take '1_0', 'nan', 'inf' and any number of digits: a count column must not
    log = write_log([{"number": "INC1", "reassignment_count": cell}])
    result = _evaluate(cli, log)
    assert result.code == 2 and result.out == ""
    assert f"{log}:2: column reassignment_count: " in result.err
    assert "is not a whole number" in result.err and len(result.err) < 300


def test_plain_counts_still_read(cli, write_log):
    log = write_log([{"number": "INC1", "reassignment_count": " 3 "},
                     {"number": "INC2", "reassignment_count": "-0"},
                     {"number": "INC3", "reassignment_count": "+" + "9" * 39}])  # the limit
    assert _evaluate(cli, log).code == 0
