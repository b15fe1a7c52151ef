"""Hostile policy and test files: one-line errors (exit 2), nothing read outside the
directories the user named, and an empty policy set never passes silently."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import POLICIES

TEST = ("tests:\n  - name: routes network\n    record: {id: t, kind: incident, "
        "category: network}\n    expect: {decisions: [{policy: incident-routing, "
        "rule: network}]}\n")


def test_policy_test_on_a_non_utf8_file_is_one_line_exit_2(cli, tmp_path: Path) -> None:
    path = tmp_path / "x.test.yaml"
    path.write_bytes(b"tests:\n  - name: caf\xe9\n")
    result = cli("test", str(path))
    assert result.code == 2
    assert result.err == (f"csi-rules: error: {path}:2: not valid UTF-8: byte 0xe9 "
                          f"at column 14\n")


def test_policies_path_in_a_test_file_stays_inside_the_tested_directory(cli,
                                                                        tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    shutil.copytree(POLICIES / "routing", outside)
    tested = tmp_path / "repo"
    (tested / "tests").mkdir(parents=True)
    (tested / "tests" / "a.test.yaml").write_text("policies: ../../elsewhere\n" + TEST)
    result = cli("test", str(tested))
    assert result.code == 2
    assert "'../../elsewhere' leads outside" in result.err and "a.test.yaml:1" in result.err
    shutil.copytree(POLICIES / "routing", tested / "routing")
    (tested / "tests" / "a.test.yaml").write_text("policies: ../routing\n" + TEST)
    result = cli("test", str(tested))
    assert result.code == 0, result.out + result.err


def test_a_symlink_out_of_the_policy_directory_is_refused_unread(cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("TOKEN=very-secret-value: [\n")
    policies = tmp_path / "policies"
    shutil.copytree(POLICIES / "routing", policies)
    (policies / "env.yaml").symlink_to(secret)
    result = cli("validate", str(policies))
    assert result.code == 2
    assert "symbolic link leading outside" in result.err
    assert "very-secret-value" not in result.err + result.out
    assert len(result.err.strip().splitlines()) == 1


def test_an_empty_policy_set_warns_in_validate_and_evaluate_and_gate_refuses(
        cli, tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n")
    result = cli("validate", str(empty))
    assert result.code == 0
    assert "warning: no policies" in result.out
    record = json.dumps({"id": "c1", "kind": "change"})
    result = cli("evaluate", "--policies", str(empty), "--record", "-",
                 "--now", "2026-03-02T09:30:00Z", stdin=record)
    assert result.code == 0
    assert "csi-rules: warning: no policies in" in result.err
    change = tmp_path / "change.json"
    change.write_text(record)
    result = cli("gate", "--policies", str(empty), "--change", str(change),
                 "--now", "2026-03-02T09:30:00Z")
    assert result.code == 2
    assert "no policies in" in result.err and "refusing to gate" in result.err
