"""The gate fails closed: a blocking check that has nothing to judge by is never a pass."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import POLICIES

NOW = "2026-03-10T21:00:00Z"
CHANGE = {"id": "a", "number": "CHGA", "kind": "change", "change_type": "normal",
          "assignee": "ann", "planned_start": "2026-03-10T20:00:00Z",
          "planned_end": "2026-03-10T23:00:00Z", "configuration_items": ["db01"]}
OTHER = {**CHANGE, "id": "b", "number": "CHGB", "assignee": "bob"}
NO_CONFLICTS_GATE = """apiVersion: csi-rules/v1
kind: GatePolicy
metadata: {name: strict-gate}
spec:
  checks:
    - {id: no-conflicts, type: no_conflicts}
"""


@pytest.fixture
def bare(tmp_path):
    """A policy set with a blocking no_conflicts check and no ConflictPolicy."""
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "gate.yaml").write_text(NO_CONFLICTS_GATE)
    return folder


@pytest.fixture
def with_conflicts(bare):
    shutil.copy(POLICIES / "change" / "conflicts.yaml", bare / "conflicts.yaml")
    return bare


def gate(cli, policies, tmp_path, change, *schedule):
    path = tmp_path / "schedule.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in schedule))
    result = cli("gate", "--policies", str(policies), "--change", "-", "--schedule", str(path),
                 "--now", NOW, "--format", "json", stdin=json.dumps(change))
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)


def test_without_a_conflict_policy_a_same_ci_overlap_still_blocks(cli, bare, tmp_path):
    code, out = gate(cli, bare, tmp_path, CHANGE, OTHER)
    assert (code, out["verdict"]) == (1, "no-go")
    assert "CHGA and CHGB are both planned on db01" in out["failed"][0]["reason"]


def test_without_a_conflict_policy_a_clear_schedule_says_which_default_judged(cli, bare,
                                                                             tmp_path):
    other = {**OTHER, "configuration_items": ["web01"]}
    code, out = gate(cli, bare, tmp_path, CHANGE, other)
    assert (code, out["verdict"]) == (0, "go")
    assert "default (blocking same-CI overlaps)" in out["checks"][0]["reason"]


def test_a_change_that_meets_only_itself_in_the_schedule_is_clear(cli, with_conflicts,
                                                                  tmp_path):
    listed_by_number = {**CHANGE, "id": "sys-0001"}  # the schedule names it another way
    code, out = gate(cli, with_conflicts, tmp_path, CHANGE, CHANGE, listed_by_number)
    assert (code, out["verdict"]) == (0, "go")


def test_canceled_changes_do_not_occupy_the_ci(cli, with_conflicts, tmp_path):
    code, out = gate(cli, with_conflicts, tmp_path, CHANGE, {**OTHER, "state": "canceled"})
    assert (code, out["verdict"]) == (0, "go")


def test_a_change_naming_no_ci_cannot_pass_the_same_ci_check(cli, bare, tmp_path):
    change = {**CHANGE, "configuration_items": []}
    code, out = gate(cli, bare, tmp_path, change, OTHER)
    assert (code, out["verdict"]) == (1, "no-go")
    assert "names no configuration items" in out["failed"][0]["reason"]


def test_a_schedule_change_on_the_same_ci_without_a_window_cannot_be_ruled_out(cli, bare,
                                                                               tmp_path):
    other = {k: v for k, v in OTHER.items() if k != "planned_end"}
    code, out = gate(cli, bare, tmp_path, CHANGE, other)
    assert (code, out["verdict"]) == (1, "no-go")
    assert "CHGB on db01 has no usable planned window" in out["failed"][0]["reason"]


def test_a_blocking_capacity_check_with_no_assignee_is_no_go(cli, bare, tmp_path):
    (bare / "conflicts.yaml").write_text("""apiVersion: csi-rules/v1
kind: ConflictPolicy
metadata: {name: people}
spec:
  capacity: {severity: blocking, resources: [{field: assignee}]}
""")
    change = {k: v for k, v in CHANGE.items() if k != "assignee"}
    code, out = gate(cli, bare, tmp_path, change, {**OTHER, "configuration_items": ["x"]})
    assert (code, out["verdict"]) == (1, "no-go")
    assert "books none of assignee" in out["failed"][0]["reason"]


def test_a_standard_change_left_out_by_policy_says_so_when_it_passes(cli, with_conflicts,
                                                                     tmp_path):
    change = {**CHANGE, "change_type": "standard"}
    _, out = gate(cli, with_conflicts, tmp_path, change, OTHER)
    assert "sameCi leaves out standard changes by policy" in out["checks"][0]["reason"]


def test_every_check_shows_its_custom_message(cli, tmp_path):
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "gate.yaml").write_text("""apiVersion: csi-rules/v1
kind: GatePolicy
metadata: {name: messages}
spec:
  checks:
    - {id: plans, type: required_fields, fields: [backout_plan], message: write a backout plan}
    - {id: approved, type: approval, message: ask the CAB}
    - {id: window, type: in_window, message: wait for the window}
    - {id: model, type: change_model, message: use a catalogue model}
""")
    change = {"id": "m", "kind": "change", "approval": "requested"}
    result = cli("gate", "--policies", str(folder), "--change", "-", "--now", NOW,
                 "--format", "json", stdin=json.dumps(change))
    reasons = {c["check"]: c["reason"] for c in json.loads(result.out)["failed"]}
    assert reasons["plans"] == "write a backout plan (empty or missing: backout_plan)"
    assert reasons["approved"].startswith("ask the CAB (approval is 'requested'")
    assert reasons["window"].startswith("wait for the window (the change has no planned window")
    assert reasons["model"].startswith("use a catalogue model (the change has no change_type")


def test_a_change_without_a_type_does_not_slip_past_the_catalogue_check(cli):
    change = {"id": "t", "kind": "change", "risk": "very_high", "approval": "approved"}
    result = cli("gate", "--policies", str(POLICIES), "--change", "-", "--now", NOW,
                 "--format", "json", stdin=json.dumps(change))
    failed = {c["check"] for c in json.loads(result.out)["failed"]}
    assert "catalogue-model" in failed
