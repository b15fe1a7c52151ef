"""The gate as a pipeline uses it: exit codes 0 go, 1 no-go, 2 bad input, 3 unreachable."""

from __future__ import annotations

import json

import pytest

from csi_rules import hookimpl
from csi_rules.errors import AdapterUnavailable
from csi_rules.plugins import load_plugins
from tests.conftest import POLICIES

GOOD = {"id": "g1", "number": "CHG1", "kind": "change", "change_type": "normal", "risk": "high",
        "approval": "approved", "planned_start": "2026-03-10T20:00:00Z",
        "planned_end": "2026-03-10T23:00:00Z", "implementation_plan": "a",
        "backout_plan": "b", "test_plan": "c", "configuration_items": ["pay-api-01"]}
NOW = "2026-03-10T21:00:00Z"


def gate(cli, change, *extra):
    return cli("gate", "--policies", str(POLICIES), "--change", "-", "--now", NOW, *extra,
               stdin=json.dumps(change))


def test_go_exits_0_even_with_advisory_warnings(cli):
    result = gate(cli, GOOD)
    assert result.code == 0
    assert result.out.startswith("CHG1: GO-WITH-WARNINGS")
    assert "[warn] release-gate/no-conflicts: cannot check conflicts: no schedule given" in result.out


def test_no_go_exits_1_and_names_each_failed_check_with_its_source(cli):
    result = gate(cli, {**GOOD, "backout_plan": "", "risk": "very_high"}, "--format", "json")
    assert result.code == 1
    out = json.loads(result.out)
    assert out["verdict"] == "no-go"
    failed = {c["check"]: c for c in out["failed"]}
    assert set(failed) >= {"plans-present", "risk-within-bounds"}
    assert failed["plans-present"]["reason"] == "empty or missing: backout_plan"
    assert failed["risk-within-bounds"]["source"].endswith("policies/change/release-gate.yaml:23")


def test_conflicts_against_a_schedule_block_when_the_policy_says_so(cli, tmp_path):
    schedule = tmp_path / "schedule.jsonl"
    other = {**GOOD, "id": "g2", "number": "CHG2", "planned_start": "2026-03-10T22:00:00Z",
             "planned_end": "2026-03-11T01:00:00Z"}
    schedule.write_text(json.dumps(other) + "\n")
    result = gate(cli, GOOD, "--schedule", str(schedule))
    assert "[warn] release-gate/no-conflicts:" in result.out
    assert "CHG2" in result.out


def test_markdown_for_pull_request_comments(cli):
    result = gate(cli, {**GOOD, "approval": "rejected"}, "--format", "markdown")
    assert result.code == 1
    assert result.out.startswith("### ⛔ CHG1: **no-go**")
    row = "| release-gate/approved | blocking | fail | approval is 'rejected', needs approved |"
    assert row in result.out


def test_invalid_input_exits_2(cli):
    assert gate(cli, {**GOOD, "risk": "extreme"}).code == 2
    result = cli("gate", "--policies", str(POLICIES), "--change", "-", stdin="{}\n{}\n")
    assert result.code == 2


def test_an_incident_has_no_gate_so_the_answer_is_refused_not_go(cli):
    result = gate(cli, {"id": "i", "kind": "incident"})
    assert result.code == 2
    assert "no GatePolicy applies to incident records" in result.err


class Unreachable:
    @hookimpl
    def csi_register_adapters(self, register):
        class Down:
            name = "down"

            def fetch_record(self, record_id):
                raise AdapterUnavailable("down: connection refused by 127.0.0.1:9", system="down")

            def close(self):
                pass

        register.add("down", lambda config: Down())


def test_platform_unreachable_exits_3(cli, monkeypatch):
    monkeypatch.setattr("csi_rules.cli.gate.load_plugins",
                        lambda: load_plugins([Unreachable()], entry_points=False))
    result = cli("gate", "--policies", str(POLICIES), "--change-id", "CHG1", "--adapter", "down")
    assert result.code == 3
    assert result.err == "csi-rules: error: down: connection refused by 127.0.0.1:9\n"


def test_usage_errors_exit_2(cli):
    result = cli("gate", "--policies", str(POLICIES), "--change-id", "X")
    assert (result.code, result.err) == (2, "csi-rules: error: --change-id needs --adapter NAME\n")
    with pytest.raises(SystemExit) as exc:  # argparse: neither --change nor --change-id
        cli("gate", "--policies", str(POLICIES))
    assert exc.value.code == 2
