"""Catastrophic regexes never hang validate, evaluate or a reloading server: policy patterns
run on RE2 (linear time), and a pattern RE2 cannot run is a validation error at file:line."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.conftest import POLICIES
from tests.replay.conftest import UCI_MAPPING

POLICY = """\
apiVersion: csi-rules/v1
kind: RoutingPolicy
metadata: {{name: hostile}}
spec:
  appliesTo: [incident]
  hitPolicy: first
  rules:
    - id: first
      when: {{field: short_description, matches: "{first}"}}
      actions: [{{assign: {{group: A}}}}]
    - id: second
      when:
        all:
          - {{field: short_description, matches: "{second}"}}
          - {{field: priority, eq: 2}}
      actions: [{{assign: {{group: B}}}}]
"""


def _policy(tmp_path: Path, first: str, second: str) -> Path:
    path = tmp_path / "hostile.yaml"
    path.write_text(POLICY.format(first=first, second=second))
    return path


def test_validate_with_catastrophic_patterns_finishes_fast(cli, tmp_path: Path) -> None:
    path = _policy(tmp_path, "(a+)+$", "^(a|aa)+$")
    started = time.monotonic()
    result = cli("validate", str(path))
    assert time.monotonic() - started < 10
    assert result.code in (0, 2) and "Traceback" not in result.err


def test_evaluate_a_catastrophic_pattern_against_a_long_field_finishes_fast(
        cli, tmp_path: Path) -> None:
    path = _policy(tmp_path, "^(a+)+$", "(x+x+)+y")
    records = "\n".join(json.dumps({"id": f"r{n}", "kind": "incident", "priority": 2,
                                    "short_description": "a" * 40 + "!" + "x" * n})
                        for n in (40, 400, 4000))
    started = time.monotonic()
    result = cli("evaluate", "--policies", str(path), "--record", "-",
                 "--now", "2026-03-02T09:30:00Z", stdin=records)
    assert time.monotonic() - started < 10
    assert result.code == 0, result.err
    outputs = [json.loads(line) for line in result.out.splitlines()]
    assert [o["record"]["id"] for o in outputs] == ["r40", "r400", "r4000"]
    assert not any(d.get("rule") for o in outputs for d in o["decisions"])


@pytest.mark.parametrize("pattern, why", [
    ("(a)\\\\1", "invalid escape sequence"),
    ("(?=a)b", "invalid perl operator"),
    ("a(?<!b)", "invalid perl operator"),
])
def test_a_pattern_that_cannot_be_bounded_is_a_validation_error_at_its_line(
        cli, tmp_path: Path, pattern: str, why: str) -> None:
    path = _policy(tmp_path, pattern, "ok")
    result = cli("validate", str(path))
    assert result.code == 2
    assert f"{path}:9:" in result.out
    assert "cannot be matched in bounded time" in result.out and why in result.out


def test_an_accepted_pattern_still_means_what_it_says(cli, tmp_path: Path) -> None:
    path = _policy(tmp_path, "(?i)\\\\b(vpn|dns)\\\\b", "^x")
    result = cli("evaluate", "--policies", str(path), "--record", "-",
                 "--now", "2026-03-02T09:30:00Z",
                 stdin=json.dumps({"id": "r", "kind": "incident", "short_description": "VPN"}))
    assert result.code == 0, result.err
    assert json.loads(result.out)["decisions"][0]["rule"] == "first"


ROUTE_BY_CATEGORY = """\
apiVersion: csi-rules/v1
kind: RoutingPolicy
metadata: {name: by-category}
spec:
  appliesTo: [incident]
  trigger: always
  rules:
    - id: network
      when: {field: category, eq: network}
      actions: [{assign: {group: Network}}]
    - id: other
      when: {field: category, eq: other}
      actions: [{assign: {group: Service Desk}}]
"""


def _mapping_with_pattern(tmp_path: Path, match: str) -> Path:
    text = UCI_MAPPING.read_text(encoding="utf-8")
    rule = "    category: {column: category}\n"
    assert rule in text
    path = tmp_path / "mapping.yaml"
    path.write_text(text.replace(rule, "    category:\n      column: category\n      patterns:\n"
                                 f"        - {{match: '{match}', value: network}}\n"
                                 "      default: other\n"), encoding="utf-8")
    return path


def test_a_catastrophic_mapping_pattern_against_a_long_cell_finishes_fast(
        cli, tmp_path: Path, write_log) -> None:
    # CSV mapping patterns run on RE2 like policy patterns: with Python's re this cell takes
    # hours (each extra 'a' doubles the time)
    mapping = _mapping_with_pattern(tmp_path, "^(a+)+$")
    log = write_log([{"number": "INC1", "category": "a" * 40 + "!"},
                     {"number": "INC2", "category": "a" * 40}])
    routing = tmp_path / "policies"
    routing.mkdir()
    (routing / "route.yaml").write_text(ROUTE_BY_CATEGORY, encoding="utf-8")
    started = time.monotonic()
    result = cli("evaluate", "--policies", str(routing), "--record", str(log),
                 "--mapping", str(mapping), "--now", "2016-06-01T00:00:00Z")
    assert time.monotonic() - started < 10
    assert result.code == 0 and "Traceback" not in result.err, result.err
    rules = {json.loads(line)["record"]["id"]: json.loads(line)["decisions"][0]["rule"]
             for line in result.out.splitlines()}
    assert rules == {"INC1": "other", "INC2": "network"}


def test_a_mapping_pattern_that_cannot_be_bounded_is_refused_at_its_line(
        cli, tmp_path: Path, write_log) -> None:
    mapping = _mapping_with_pattern(tmp_path, r"^(a)\1$")  # a backreference
    line = next(n for n, text in enumerate(mapping.read_text().splitlines(), 1)
                if "match:" in text and "(a)" in text)
    result = cli("evaluate", "--policies", str(POLICIES), "--record",
                 str(write_log([{"number": "INC1"}])), "--mapping", str(mapping),
                 "--now", "2016-06-01T00:00:00Z")
    assert result.code == 2 and "Traceback" not in result.err
    assert f"{mapping}:{line}:" in result.err + result.out
    assert "bounded time" in result.err + result.out
