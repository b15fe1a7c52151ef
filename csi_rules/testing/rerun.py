"""Run a policy test again on another record: the same ticket as a platform holds it.

The golden end-to-end tests write each test record onto an emulator, read it back through an
adapter and call `rerun_on` with what came back: the test's own expectations must hold on the
record a live run would see. `single_record_tests` lists the tests that are about one record
(correlation windows, KPI series and schedules are not).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from csi_rules.engine.select import DEFAULT_ENGINE
from csi_rules.evaluation import Evaluator
from csi_rules.plugins import Plugins
from csi_rules.policy.validate import load_policy_set
from csi_rules.records.model import Record
from csi_rules.sla.evaluate import sla_statuses
from csi_rules.testing.runner import TestResult, _gate, compare
from csi_rules.testing.spec import PolicyTest, find_test_files, load_test_file


def single_record_tests(directory: Path) -> list[PolicyTest]:
    """Every test under `directory` whose expectations are about one record."""
    return [test for path in find_test_files(directory) for test in load_test_file(path).tests
            if not (test.records or test.series or test.schedule is not None)]


def rerun_on(test: PolicyTest, record: Record, plugins: Plugins,
             engine: str = DEFAULT_ENGINE) -> TestResult:
    """`test`'s expectations checked against the decisions made on `record` instead."""
    policy_set = load_policy_set([str(load_test_file(Path(test.file)).policies)], plugins)
    live = dataclasses.replace(test, record=record)
    with Evaluator(policy_set, engine=engine) as evaluator:
        return compare(live, evaluator.evaluate(record, test.now),
                       sla_statuses(policy_set, record, test.now),
                       _gate(policy_set, live) if test.expected_gate is not None else None,
                       policy_set, engine)
