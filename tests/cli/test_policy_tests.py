from __future__ import annotations

import shutil

from tests.conftest import POLICIES


def test_a_failing_policy_test_prints_a_diff_and_exits_1(cli, tmp_path):
    shutil.copytree(POLICIES / "routing", tmp_path / "routing")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "wrong.test.yaml").write_text(
        "tests:\n"
        "  - name: expects the wrong group\n"
        "    record: {id: t, kind: incident, category: network}\n"
        "    expect:\n"
        "      decisions:\n"
        "        - {policy: incident-routing, rule: production-database}\n")
    result = cli("test", str(tmp_path))
    assert result.code == 1
    assert "FAIL tests/wrong.test.yaml:2: expects the wrong group" in result.out.replace(
        str(tmp_path) + "/", "")
    assert "-  rule: production-database\n+  rule: network" in result.out
    assert "0 passed, 1 failed" in result.out


def test_a_broken_test_file_is_an_invalid_input_error(cli, tmp_path):
    (tmp_path / "x.test.yaml").write_text("tests:\n  - name: n\n    record: {id: 1, kind: incident}\n")
    result = cli("test", str(tmp_path / "x.test.yaml"))
    assert result.code == 2
    assert "'expect' is a required property" in result.err
