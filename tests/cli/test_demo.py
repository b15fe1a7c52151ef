"""The README's first command: `csi-rules demo` runs everything offline, emulators included."""

from __future__ import annotations

from tests.conftest import ROOT


def test_offline_part_validates_tests_and_evaluates_the_examples(cli, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = cli("demo", "--offline")
    assert result.code == 0, result.out
    assert "0 errors" in result.out
    assert " 0 failed" in result.out
    assert "INC0010001: incident-routing → rule major-incident" in result.out


# The live part (emulators and a runner cycle) is tested in tests/demo/test_live_demo.py.
