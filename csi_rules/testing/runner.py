"""Run policy unit tests and show a diff for each failure."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from csi_rules.decisions import Decision
from csi_rules.evaluation import Evaluator
from csi_rules.plugins import Plugins
from csi_rules.policy.validate import load_policy_set
from csi_rules.testing.spec import PolicyTest, TestFile


@dataclass(frozen=True)
class TestResult:
    test: PolicyTest
    passed: bool
    diff: str = ""


def _actual(decision: Decision, keys: set[str]) -> dict[str, Any]:
    full = {"policy": decision.policy, "rule": decision.rule_id, "outcome": decision.outcome,
            "actions": [a.to_json() for a in decision.actions]}
    return {k: v for k, v in full.items() if k in keys}


def compare(test: PolicyTest, decisions: list[Decision]) -> TestResult:
    """Pass when the decisions equal the expected list, comparing only the keys each names."""
    expected = test.expected
    keys = [set(e) for e in expected]
    default_keys = {"policy", "rule"}
    actual = [_actual(d, keys[i] if i < len(keys) else default_keys)
              for i, d in enumerate(decisions)]
    if actual == expected:
        return TestResult(test, True)
    diff = difflib.unified_diff(
        yaml.safe_dump(expected, sort_keys=False).splitlines(),
        yaml.safe_dump(actual, sort_keys=False).splitlines(),
        "expected", "actual", lineterm="")
    return TestResult(test, False, "\n".join(diff))


def run_file(test_file: TestFile, plugins: Plugins,
             evaluator_factory: Callable[..., Evaluator] = Evaluator) -> list[TestResult]:
    policy_set = load_policy_set([str(test_file.policies)], plugins)
    with evaluator_factory(policy_set) as evaluator:
        return [compare(t, evaluator.evaluate(t.record, t.now)) for t in test_file.tests]


def relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path
