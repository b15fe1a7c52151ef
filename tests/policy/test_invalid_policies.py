"""Each file in tests/policy/invalid/ must produce exactly the findings in its .expected.txt."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent / "invalid"
CASES = sorted(p for p in HERE.glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_validate_reports_exact_messages(case: Path, cli, monkeypatch):
    monkeypatch.chdir(HERE)
    monkeypatch.setenv("CSI_RULES_DISABLE_PLUGINS", "1")  # action lists must not depend on installs
    result = cli("validate", case.name)
    assert result.code == 2
    expected = (HERE / f"{case.stem}.expected.txt").read_text().splitlines()
    assert result.out.splitlines() == expected
    assert "Traceback" not in result.err


def test_json_format_lists_every_finding(cli, monkeypatch):
    monkeypatch.chdir(HERE)
    import json

    result = cli("validate", "--format", "json", "conditions.yaml")
    data = json.loads(result.out)
    assert result.code == 2
    assert data["errors"] == len(data["findings"]) > 5
    assert {"file", "line", "col", "policy", "path", "message", "severity"} <= set(data["findings"][0])
