"""Hostile policy and test files: one-line errors (exit 2), nothing read outside the
directories the user named, and an empty policy set never passes silently."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

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


HOSTILE_YAML = {  # value of the one condition: each crashed validate with a traceback
    "huge integer": ("{field: priority, eq: " + "9" * 5000 + "}",
                     ":8:35: YAML error: integer of 5000 digits is out of range"),
    "deep flow": ("{field: priority, eq: " + "[" * 5000 + "]" * 5000 + "}",
                  ":1:1: YAML nested deeper than 64 levels"),
    "deep conditions": ("{all: [" * 200 + "{field: priority, eq: 1}" + "]}" * 200,
                        ":8:229: nested deeper than 64 levels"),
}
POLICY = """\
apiVersion: csi-rules/v1
kind: RoutingPolicy
metadata: {{name: hostile}}
spec:
  appliesTo: [incident]
  rules:
    - id: first
      when: {when}
      actions: [{{assign: {{group: A}}}}]
"""


@pytest.mark.parametrize("case", sorted(HOSTILE_YAML))
def test_a_hostile_policy_document_is_a_finding_not_a_traceback(cli, tmp_path: Path,
                                                                 case: str) -> None:
    when, finding = HOSTILE_YAML[case]
    path = tmp_path / "hostile.yaml"
    path.write_text(POLICY.format(when=when))
    result = cli("validate", str(path))
    assert result.code == 2, result.err
    assert result.out.startswith(f"{path}{finding}"), result.out[:300]


def test_a_block_nested_policy_file_is_a_finding_not_a_traceback(cli, tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("a:\n" + "".join("  " * i + "- \n" for i in range(1, 3000)))
    result = cli("validate", str(path))
    assert result.code == 2
    assert result.out.startswith(f"{path}:1:1: YAML nested deeper than 64 levels")


def test_a_huge_integer_in_a_policy_test_record_is_one_line_exit_2(cli, tmp_path: Path) -> None:
    path = tmp_path / "big.test.yaml"
    path.write_text(f"policies: ..\ntests:\n  - name: big\n    record: {{id: t, kind: incident, "
                    f"priority: {'9' * 5000}}}\n    expect: {{decisions: []}}\n")
    result = cli("test", str(path))
    assert result.code == 2
    assert f"{path}:4:" in result.out + result.err and "out of range" in result.out + result.err
    assert "Traceback" not in result.out + result.err


def test_a_hostile_csv_mapping_is_a_finding_not_a_traceback(cli, tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text("apiVersion: csi-rules/v1\nkind: SnapshotCsvMapping\nmetadata: {name: m, x: "
                       + "[" * 3000 + "]" * 3000 + "}\n")
    rows = tmp_path / "rows.csv"
    rows.write_text("number\nINC1\n")
    result = cli("evaluate", "--policies", str(POLICIES / "routing"), "--record", str(rows),
                 "--mapping", str(mapping), "--now", "2026-03-02T09:30:00Z")
    assert result.code == 2
    assert f"{mapping}:1:1: YAML nested deeper than 64 levels" in result.out + result.err


def test_a_symlinked_test_file_out_of_the_tested_directory_is_refused_unread(
        cli, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("tests: TOKEN=very-secret-value\n")
    tested = tmp_path / "repo"
    shutil.copytree(POLICIES / "routing", tested / "routing")
    (tested / "tests").mkdir()
    (tested / "tests" / "leak.test.yaml").symlink_to(secret)
    result = cli("test", str(tested))
    assert result.code == 2
    assert "symbolic link leading outside" in result.err
    assert "very-secret-value" not in result.err + result.out


def test_a_control_character_is_one_line_with_its_position(cli, tmp_path: Path) -> None:
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"a: 1\nb: x\x00c\n")
    result = cli("validate", str(path))
    assert result.code == 2
    assert result.out.splitlines()[0] == (f"{path}:2:5: YAML syntax error: unacceptable "
                                          "character #x0000: special characters are not allowed")
