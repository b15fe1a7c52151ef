"""Decisions: what a policy concluded about a record, and every reason why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.conditions.evaluate import Reason
from csi_rules.policy.model import Action

OUTCOME_MATCHED = "matched"
OUTCOME_DEFAULT = "default"
OUTCOME_THRESHOLD = "threshold"
OUTCOME_ESCALATION = "escalation"


@dataclass(frozen=True)
class Decision:
    """One policy's conclusion for one record at one instant.

    `outcome` is `matched` when a rule chose it, `default` when no rule matched and the
    policy's default actions apply.
    """

    record_id: str
    record_label: str
    policy: str
    policy_kind: str
    policy_version: str
    rule_id: str | None
    source: str
    outcome: str
    actions: tuple[Action, ...]
    reasons: Sequence[Reason]  # a tuple, or the compiled engine's LazyReasons (reads as one)
    now: datetime
    details: Mapping[str, Any] | None = None  # kind-specific status (an SLA's clock, ...)
    key: str = ""  # what makes the decision's actions idempotent (record, policy, rule, cycle)

    def to_json(self) -> dict[str, Any]:
        return {
            "record": {"id": self.record_id, "label": self.record_label},
            "policy": {"name": self.policy, "kind": self.policy_kind,
                       "version": self.policy_version},
            "rule": self.rule_id,
            "source": self.source,
            "outcome": self.outcome,
            "actions": [a.to_json() for a in self.actions],
            "reasons": [r.to_json() for r in self.reasons],
            "now": self.now.isoformat(),
            **({"details": dict(self.details)} if self.details else {}),
            "key": self.key or self.default_key(),
        }

    def default_key(self) -> str:
        return f"{self.record_id}/{self.policy}/{self.rule_id or '-'}"

    def format_text(self) -> str:
        head = (f"{self.record_label}: {self.policy} → "
                + (f"rule {self.rule_id}" if self.rule_id else
                   "not triggered" if self.outcome == "not_triggered" else "default")
                + f"  ({self.source})")
        lines = [head]
        lines += [f"    action: {_action_text(a)}" for a in self.actions]
        lines += [f"    because {r.format()}" for r in self.reasons]
        if self.details and "explain" in self.details:
            lines.append(f"    because {self.details['explain']}")
        return "\n".join(lines)


def _action_text(action: Action) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in action.params.items())
    return f"{action.type}({params})"
