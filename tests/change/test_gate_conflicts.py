"""A blocking no_conflicts check: same-CI overlaps (blocking) stop a change, a double-booked
person (advisory) only warns, and a change that cannot be placed is not waved through."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import POLICIES

GATE = """apiVersion: csi-rules/v1
kind: GatePolicy
metadata: {name: strict-gate}
spec:
  checks:
    - {id: no-conflicts, type: no_conflicts}
"""
CHANGE = {"id": "a", "number": "CHGA", "kind": "change", "assignee": "ann",
          "planned_start": "2026-03-10T20:00:00Z", "planned_end": "2026-03-10T23:00:00Z",
          "configuration_items": ["db01"]}


@pytest.fixture
def policies(tmp_path):
    shutil.copy(POLICIES / "change" / "conflicts.yaml", tmp_path / "conflicts.yaml")
    (tmp_path / "gate.yaml").write_text(GATE)
    return tmp_path


def gate(cli, policies, tmp_path, change, other):
    schedule = tmp_path / "schedule.jsonl"
    schedule.write_text(json.dumps(other) + "\n")
    result = cli("gate", "--policies", str(policies), "--change", "-", "--schedule",
                 str(schedule), "--now", "2026-03-10T21:00:00Z", "--format", "json",
                 stdin=json.dumps(change))
    return result.code, json.loads(result.out) if result.out else result.err


def test_same_ci_overlap_is_no_go(cli, policies, tmp_path):
    other = {**CHANGE, "id": "b", "number": "CHGB", "assignee": "bob"}
    code, out = gate(cli, policies, tmp_path, CHANGE, other)
    assert (code, out["verdict"]) == (1, "no-go")
    assert "CHGA and CHGB are both planned on db01" in out["failed"][0]["reason"]


def test_only_an_advisory_conflict_warns(cli, policies, tmp_path):
    other = {**CHANGE, "id": "b", "number": "CHGB", "configuration_items": ["web01"]}
    code, out = gate(cli, policies, tmp_path, CHANGE, other)
    assert (code, out["verdict"]) == (0, "go-with-warnings")
    assert out["failed"][0]["severity"] == "advisory"


def test_a_change_without_a_window_is_not_waved_through(cli, policies, tmp_path):
    change = {k: v for k, v in CHANGE.items() if k != "planned_end"}
    other = {**CHANGE, "id": "b", "number": "CHGB"}
    code, out = gate(cli, policies, tmp_path, change, other)
    assert (code, out["verdict"]) == (1, "no-go")
    assert "cannot check this change for conflicts" in out["failed"][0]["reason"]
