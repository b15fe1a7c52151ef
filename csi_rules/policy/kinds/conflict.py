"""ConflictPolicy: which resource conflicts to look for in a change schedule."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from csi_rules.conflicts import CONFLICT_POLICY_SPEC_SCHEMA, settings_from_spec, spec_problems
from csi_rules.findings import Finding
from csi_rules.policy.kinds.base import CheckContext
from csi_rules.policy.kinds.rules import build_policy
from csi_rules.policy.loader import Document
from csi_rules.policy.model import Policy


class ConflictPolicy:
    """Overlapping changes on the same or related CIs, double-booked people, blackouts."""

    name = "ConflictPolicy"
    description = ("Resource conflicts in the change schedule: overlapping windows on the same "
                   "CI or on CIs related in the CMDB, people or groups booked beyond capacity, "
                   "changes in blackout windows or outside a CI's maintenance windows, and "
                   "improvement initiatives competing for people or windows.")

    def spec_schema(self) -> dict[str, Any]:
        return CONFLICT_POLICY_SPEC_SCHEMA

    def check(self, doc: Document, ctx: CheckContext) -> list[Finding]:
        return [doc.finding(("spec", *pointer), message)
                for pointer, message in spec_problems(doc.data["spec"])]

    def applies_to(self, doc: Document) -> tuple[str, ...]:
        return ("change",)

    def build(self, doc: Document) -> Policy:
        policy = build_policy(doc, applies_to=self.applies_to(doc), hit_policy="none", rules=(),
                              default_actions=())
        return replace(policy, compiled=settings_from_spec(doc.data["spec"], policy.name, doc))
