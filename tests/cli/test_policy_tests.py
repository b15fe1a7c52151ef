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


def test_every_broken_test_is_reported_with_its_own_line(cli, tmp_path):
    (tmp_path / "x.test.yaml").write_text(
        "tests:\n"
        "  - name: one\n"
        "    now: yesterday\n"
        "    record: {id: t, kind: incident}\n"
        "    expect: {decisions: []}\n"
        "  - name: two\n"
        "    record: {id: t4, kind: incident, priority: '2'}\n"
        "    expect: {decisions: []}\n")
    result = cli("test", str(tmp_path / "x.test.yaml"))
    assert result.code == 2
    assert result.err.splitlines() == [
        f"{tmp_path}/x.test.yaml:3:5: tests.0.now: now: 'yesterday' is not an ISO 8601 date-time",
        f"{tmp_path}/x.test.yaml:7:5: tests.1.record: record t4: field priority: '2' is not of "
        "type 'integer'"]


def test_a_missing_directory_says_so(cli):
    result = cli("test", "/nonexistent-dir")
    assert (result.code, result.err) == (2, "csi-rules: error: no such file or directory: "
                                            "/nonexistent-dir\n")


def test_every_broken_test_file_is_reported_and_the_good_ones_still_run(cli, tmp_path):
    shutil.copytree(POLICIES / "routing", tmp_path / "routing")
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "a.test.yaml").write_text(
        "tests:\n  - name: old vocabulary\n    record: {id: a, kind: incident, state: Resolved}\n"
        "    expect: {decisions: []}\n")
    (tests / "b.test.yaml").write_text("tests: [\n")
    (tests / "c.test.yaml").write_text(
        "tests:\n  - name: network\n    only: [incident-routing]\n"
        "    record: {id: c, kind: incident, category: network}\n"
        "    expect:\n      decisions:\n        - {policy: incident-routing, rule: network}\n")
    result = cli("test", str(tmp_path))
    assert result.code == 2
    errors = result.err.replace(str(tmp_path) + "/", "").splitlines()
    assert [line.split(":")[0] for line in errors] == ["tests/a.test.yaml", "tests/b.test.yaml"]
    assert "did you mean 'resolved'?" in errors[0]
    assert result.out.splitlines()[-1] == "1 passed, 0 failed, 2 broken file(s) not run in 3 file(s)"
