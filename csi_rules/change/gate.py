"""Answer go / no-go for a change: every gate check of every GatePolicy, with reasons and sources."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.change.checks import CHECKS, GateContext
from csi_rules.policy.model import PolicySet
from csi_rules.records.model import Record

GO, NO_GO, GO_WITH_WARNINGS = "go", "no-go", "go-with-warnings"


@dataclass(frozen=True)
class CheckResult:
    policy: str
    check: str
    type: str
    severity: str  # blocking | advisory
    passed: bool
    reason: str
    source: str

    def to_json(self) -> dict[str, Any]:
        return {"policy": self.policy, "check": self.check, "type": self.type,
                "severity": self.severity, "passed": self.passed, "reason": self.reason,
                "source": self.source}


@dataclass(frozen=True)
class GateResult:
    change_id: str
    change_label: str
    verdict: str
    checks: tuple[CheckResult, ...]
    now: datetime

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed]

    def to_json(self) -> dict[str, Any]:
        return {"change": {"id": self.change_id, "label": self.change_label},
                "verdict": self.verdict, "now": self.now.isoformat(),
                "failed": [c.to_json() for c in self.failed],
                "checks": [c.to_json() for c in self.checks]}


def change_models(policy_set: PolicySet) -> dict[str, Any]:
    models: dict[str, Any] = {}
    for policy in policy_set.of_kind("CabRoutingPolicy"):
        models.update(policy.compiled["models"])
    return models


def evaluate_gate(policy_set: PolicySet, change: Record, now: datetime,
                  conflicts: Sequence[Any] | None = None) -> GateResult:
    """Run every check that applies to `change`; blocking failures make it no-go."""
    ctx = GateContext(now, policy_set.calendar, change_models(policy_set), conflicts)
    results = []
    for policy in policy_set.of_kind("GatePolicy"):
        if change.kind not in policy.applies_to:
            continue
        for check in policy.compiled:
            passed, reason = CHECKS[check["type"]](change, check, ctx)
            if not passed and check.get("message"):
                reason = f"{check['message']} ({reason})"
            severity = check.get("severity", "blocking")
            if check["type"] == "no_conflicts" and conflicts and not any(
                    getattr(c, "severity", "blocking") == "blocking" for c in conflicts):
                severity = "advisory"  # only advisory conflicts: a warning, never a no-go
            results.append(CheckResult(policy.name, check["id"], check["type"], severity,
                                       passed, reason, f"{policy.file}:{check['__line']}"))
    if any(not r.passed and r.severity == "blocking" for r in results):
        verdict = NO_GO
    elif any(not r.passed for r in results):
        verdict = GO_WITH_WARNINGS
    else:
        verdict = GO
    return GateResult(change.id, change.label, verdict, tuple(results), now)
