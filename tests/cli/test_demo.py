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



def test_offline_sla_shares_are_those_of_tickets_hours_old_not_years(cli, monkeypatch):
    """The example records are evaluated at the demo's fixed instant: none may be years older
    than it, or its SLA lines read as thousands of times the target."""
    import re

    monkeypatch.chdir(ROOT)
    result = cli("demo", "--offline")
    multiples = [int(m.replace(",", "")) for m in re.findall(r"\(([\d,]+)× the target\)",
                                                             result.out)]
    assert max(multiples, default=0) < 100, multiples
    assert not re.search(r"\b20(0\d|1\d|2[0-5])-\d\d-\d\d", result.out), "a years-old date"


# The live part (emulators and a runner cycle) is tested in tests/demo/test_live_demo.py.
