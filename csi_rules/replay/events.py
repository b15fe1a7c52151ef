"""A replay event: something a policy concluded about a ticket, at the instant it happened.

Keys are the ones a live runner uses for the same decision (csi_rules/sla/evaluate.py,
csi_rules/escalation/evaluate.py), so a replayed log can be compared with a real decision log,
and each threshold or rung appears once however often the ticket is evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.calendars.instants import to_us
from csi_rules.policy.model import Action, Policy

OUTCOME_THRESHOLD = "threshold"  # an SLA threshold crossed (its actions are due)
OUTCOME_BREACHED = "breached"  # the SLA target used up
OUTCOME_ACHIEVED = "achieved"  # the clock stopped inside the target
OUTCOME_CANCELLED = "cancelled"  # the SLA no longer applies
OUTCOME_ESCALATION = "escalation"  # an escalation rung due, or the major-incident trigger
OUTCOMES = (OUTCOME_THRESHOLD, OUTCOME_BREACHED, OUTCOME_ACHIEVED, OUTCOME_CANCELLED,
            OUTCOME_ESCALATION)


@dataclass(frozen=True)
class ReplayEvent:
    at: datetime
    record_id: str
    record_label: str
    policy: Policy
    metric: str | None  # SLA metric; None for escalation events
    rule: str | None  # threshold id, level id (#repetition), major-incident; None for outcomes
    outcome: str
    actions: tuple[Action, ...]
    explanation: str
    source: str  # file:line of the threshold, level or policy
    key: str
    seq: int = 0  # order in which the ticket's replay found it: level order, breach after 100%

    def sort_key(self) -> tuple[Any, ...]:
        # the instant as epoch µs: the same order as the datetimes, whose comparisons ask both
        # sides for their offset when their tzinfo objects differ (most of a replay's sort)
        return (to_us(self.at), self.record_label, self.policy.name, self.seq, self.key)

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "record": {"id": self.record_id, "label": self.record_label},
            "policy": {"name": self.policy.name, "kind": self.policy.kind,
                       "version": self.policy.content_hash},
            "metric": self.metric,
            "rule": self.rule,
            "outcome": self.outcome,
            "actions": [a.to_json() for a in self.actions],
            "explanation": self.explanation,
            "source": self.source,
            "key": self.key,
        }

    def format_text(self) -> str:
        what = "/".join(p for p in (self.metric, self.rule) if p)
        head = f"{self.at.isoformat()}  {self.record_label}  {self.policy.name} {what}: " \
               f"{self.outcome}"
        actions = "".join(f"\n    action: {_action_text(a)}" for a in self.actions)
        return f"{head}\n    because {self.explanation}{actions}"


def _action_text(action: Action) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in action.params.items())
    return f"{action.type}({params})"
