"""The README's first command: `csi-rules demo` runs everything offline, emulators included."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT


def test_offline_part_validates_tests_and_evaluates_the_examples(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = cli("demo", "--offline")
    assert result.code == 0, result.out
    assert "0 errors" in result.out
    assert " 0 failed" in result.out
    assert "INC0010002: incident-routing → rule network" in result.out


def test_live_part_runs_a_cycle_against_both_emulators(cli, monkeypatch):
    pytest.importorskip("csi_rules_servicenow")
    pytest.importorskip("csi_rules_jira")
    monkeypatch.chdir(ROOT)
    result = cli("demo", "--now", "2026-03-02T09:30:00Z")
    assert result.code == 0, result.out
    assert "servicenow emulator: http://127.0.0.1:" in result.out
    assert "jira emulator: http://127.0.0.1:" in result.out
    assert "'errors': 0" in result.out
    for section in ("-- Routing:", "-- SLA warnings and breaches:", "-- Escalations:",
                    "-- CAB routes:", "-- Go/no-go for"):
        assert section in result.out
    assert "→ applied" in result.out
    assert "csi-rules status --config" in result.out
