"""Run policy unit tests and show a diff for each failure."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from csi_rules.change.gate import GateResult, evaluate_gate
from csi_rules.change.schedule import conflicts_with
from csi_rules.correlation.evaluate import correlate, correlation_groups
from csi_rules.decisions import Decision
from csi_rules.engine.select import DEFAULT_ENGINE, make_matcher
from csi_rules.evaluation import Evaluator
from csi_rules.kpi.evaluate import kpi_decisions
from csi_rules.plugins import Plugins
from csi_rules.policy.model import PolicySet
from csi_rules.policy.validate import load_policy_set
from csi_rules.sla.durations import format_duration
from csi_rules.sla.evaluate import sla_statuses
from csi_rules.sla.status import SlaStatus
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


def _sla_actual(status: SlaStatus, keys: set[str]) -> dict[str, Any]:
    full = {"policy": status.policy, "metric": status.metric, "stage": status.stage,
            "calendar": status.target.calendar, "elapsed": format_duration(status.elapsed),
            "remaining": format_duration(status.remaining),
            "breached_at": _iso(status.breached_at), "next_change": _iso(status.next_change),
            "crossed": [c.threshold.id for c in status.crossed]}
    return {k: v for k, v in full.items() if k in keys}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _pairs(expected: list[dict[str, Any]], actual_items: list[Any],
           render: Callable[[Any, set[str]], dict[str, Any]], default: set[str]
           ) -> list[dict[str, Any]]:
    keys = [set(e) for e in expected]
    return [render(item, keys[i] if i < len(keys) else default)
            for i, item in enumerate(actual_items)]


def compare(test: PolicyTest, decisions: list[Decision],
            slas: list[SlaStatus] | None = None, gate: GateResult | None = None,
            policy_set: PolicySet | None = None, engine: str = DEFAULT_ENGINE) -> TestResult:
    """Pass when decisions (and SLA statuses, if expected) equal the expected lists.

    Each expected entry compares only the keys it names.
    """
    if test.only:
        decisions = [d for d in decisions if d.policy in test.only]
        slas = [s for s in slas or [] if s.policy in test.only]
    expected: dict[str, Any] = {}
    actual: dict[str, Any] = {}
    if test.expected is not None:
        expected["decisions"] = test.expected
        actual["decisions"] = _pairs(test.expected, decisions, _actual, {"policy", "rule"})
    if test.expected_slas is not None:
        expected["slas"] = test.expected_slas
        actual["slas"] = _pairs(test.expected_slas, slas or [], _sla_actual,
                                {"policy", "metric", "stage"})
    if test.expected_trends is not None:
        expected["trends"] = test.expected_trends
        trends = kpi_decisions(policy_set, test.series or ()) if policy_set else []
        actual["trends"] = [{k: v for k, v in {"policy": d.policy,
                                                "series": (d.details or {})["series"],
                                                "periods": (d.details or {})["periods"]}.items()
                             if k in (test.expected_trends[i] if i < len(test.expected_trends)
                                      else {"policy"})}
                            for i, d in enumerate(trends)
                            if not test.only or d.policy in test.only]
    if test.expected_correlated is not None:
        expected["correlated"] = test.expected_correlated
        actual["correlated"] = _correlated(test, policy_set, engine)
    if test.expected_gate is not None:
        expected["gate"] = test.expected_gate
        actual["gate"] = {"verdict": gate.verdict if gate else None}
        if "failed" in test.expected_gate:
            actual["gate"]["failed"] = [c.check for c in gate.failed] if gate else []
    if actual == expected:
        return TestResult(test, True)
    diff = difflib.unified_diff(
        yaml.safe_dump(expected, sort_keys=False).splitlines(),
        yaml.safe_dump(actual, sort_keys=False).splitlines(),
        "expected", "actual", lineterm="")
    return TestResult(test, False, "\n".join(diff))


def run_file(test_file: TestFile, plugins: Plugins,
             evaluator_factory: Callable[..., Evaluator] = Evaluator,
             engine: str = DEFAULT_ENGINE) -> list[TestResult]:
    """`engine` decides rule-based and correlation policies (a custom `evaluator_factory`
    is called with the policy set alone)."""
    policy_set = load_policy_set([str(test_file.policies)], plugins)
    made = (Evaluator(policy_set, engine=engine) if evaluator_factory is Evaluator
            else evaluator_factory(policy_set))
    with made as evaluator:
        return [compare(t, evaluator.evaluate(t.record, t.now),
                        sla_statuses(policy_set, t.record, t.now),
                        _gate(policy_set, t) if t.expected_gate is not None else None,
                        policy_set, engine)
                for t in test_file.tests]


def _correlated(test: PolicyTest, policy_set: PolicySet | None,
                engine: str = DEFAULT_ENGINE) -> list[dict[str, Any]]:
    if policy_set is None:
        return []
    with make_matcher(correlation_groups(policy_set), engine) as matcher:
        found = correlate(policy_set, list(test.records), matcher, test.now)
    rows = [{"policy": d.policy, "group": (d.details or {})["group"],
             "records": (d.details or {})["records"]}
            for d in found if not test.only or d.policy in test.only]
    wanted = test.expected_correlated or []
    return [{k: v for k, v in row.items() if k in (wanted[i] if i < len(wanted) else {"policy"})}
            for i, row in enumerate(rows)]


def _gate(policy_set: PolicySet, test: PolicyTest) -> GateResult:
    scoped = PolicySet([p for p in policy_set.policies
                        if not test.only or p.name in test.only or p.kind != "GatePolicy"])
    conflicts = (conflicts_with(policy_set, test.record, list(test.schedule))
                 if test.schedule is not None else [])
    return evaluate_gate(scoped, test.record, test.now, conflicts)


def relative(path: str) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return path
