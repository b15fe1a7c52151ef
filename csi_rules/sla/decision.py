"""An SLA threshold's decision, kept as what its status's decisions share plus its crossing.

A status that crossed thresholds gives one decision per crossing; they share the ticket, the
policy, the instant and the status's details (its JSON and explanation, built once), and
differ in the threshold and when it was crossed. Each decision is then two references
instead of thirteen fields set through a frozen dataclass's `__init__`, and its own details
(the shared ones plus `crossed_at`) are made when first read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csi_rules.decisions import OUTCOME_THRESHOLD, SharedDecision
from csi_rules.sla.status import Crossing


class StatusFacts:
    """What the threshold decisions of one SLA status share; `text` is free for a writer to
    keep the details' encoded form in (cli/evaluate_json.py)."""

    __slots__ = ("cycle", "details", "file", "metric", "now", "policy", "policy_kind",
                 "policy_version", "record_id", "record_label", "text")

    def __init__(self, record_id: str, record_label: str, policy: str, policy_kind: str,
                 policy_version: str, file: str, metric: str, cycle: int, now: datetime,
                 details: dict[str, Any]):
        self.record_id, self.record_label = record_id, record_label
        self.policy, self.policy_kind, self.policy_version = policy, policy_kind, policy_version
        self.file, self.metric, self.cycle, self.now, self.details = (
            file, metric, cycle, now, details)
        self.text: str | None = None


class ThresholdDecision(SharedDecision):
    """The decision of one threshold crossing: reads as the `Decision` sla_decisions made
    field by field before (same rule, source, key and details)."""

    __slots__ = ("_crossing", "_details", "_facts")
    _facts: StatusFacts
    _crossing: Crossing
    _details: dict[str, Any] | None
    outcome = OUTCOME_THRESHOLD
    reasons = ()

    record_id = property(lambda self: self._facts.record_id)
    record_label = property(lambda self: self._facts.record_label)
    policy = property(lambda self: self._facts.policy)
    policy_kind = property(lambda self: self._facts.policy_kind)
    policy_version = property(lambda self: self._facts.policy_version)
    now = property(lambda self: self._facts.now)
    actions = property(lambda self: self._crossing.threshold.actions)

    @property
    def rule_id(self) -> str:
        return f"{self._facts.metric}/{self._crossing.threshold.id}"

    @property
    def source(self) -> str:
        return f"{self._facts.file}:{self._crossing.threshold.line}"

    @property
    def key(self) -> str:
        facts = self._facts
        return f"{facts.record_id}/{facts.policy}/{self.rule_id}/cycle-{facts.cycle}"

    @property
    def details(self) -> dict[str, Any]:
        made = self._details
        if made is None:  # first read; two threads may both make it: equal either way
            made = {**self._facts.details, "crossed_at": self._crossing.at.isoformat()}
            _SET_DETAILS(self, made)
        return made


_SET_FACTS = ThresholdDecision.__dict__["_facts"].__set__
_SET_CROSSING = ThresholdDecision.__dict__["_crossing"].__set__
_SET_DETAILS = ThresholdDecision.__dict__["_details"].__set__
_new = object.__new__


def threshold_decision(facts: StatusFacts, crossing: Crossing) -> ThresholdDecision:
    """The decision for `crossing` of the status `facts` describe (no `__init__`: frozen)."""
    decision = _new(ThresholdDecision)
    _SET_FACTS(decision, facts)
    _SET_CROSSING(decision, crossing)
    _SET_DETAILS(decision, None)
    return decision
