"""One record, one cycle, one value per field: settling decisions that fight before acting.

When two decisions on the same record set one field to different values (two policies
assigning different groups, a matrix and a routing rule writing different priorities, two
escalations to different levels), only the first by this precedence is carried out:

1. escalations first, the highest level first: an escalation is never lowered or undone by
   another decision of the same cycle;
2. then the policy's `spec.precedence`, lower wins (default 100);
3. then the policy name; 4. then rule and action order.

Each losing action is never silently dropped: its ledger row is settled as `skipped` with
"overridden by policy X rule Y" and an audit entry says so (once: the row is its memory), and
the executor then leaves it alone as already settled. `validate` warns about the same pairs
(policy.action_conflicts).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csi_rules.audit.entry import action_result, decision_entry
from csi_rules.decisions import Decision
from csi_rules.policy.action_claims import DEFAULT_PRECEDENCE, Claim, claims, precedence_of, rank
from csi_rules.policy.model import Action, PolicySet
from csi_rules.records.model import Record
from csi_rules.runtime.ledger import planned_actions
from csi_rules.runtime.store import Store

OVERRIDABLE = frozenset({"dry_run", "failed"})  # rows that were never a landed effect


@dataclass(frozen=True)
class Overridden:
    """An action of `decision` (its `index`) that loses `field` to another decision's."""

    decision: Decision
    index: int
    action: Action
    claim: Claim
    by: Decision
    by_claim: Claim

    def reason(self) -> str:
        return (f"overridden by policy {self.by.policy} rule {self.by.rule_id or '-'}: it sets "
                f"{self.by_claim.describe()} in the same cycle (this action: "
                f"{self.claim.describe()}); see the policies' precedence")


def resolve(decisions: Sequence[Decision],
            precedence: Callable[[str], int]) -> list[Overridden]:
    """The actions of `decisions` (all about one record) that lose to another's, in order."""
    ranked = []
    for order, decision in enumerate(decisions):
        for index, action in enumerate(decision.actions):
            found = claims(action.type, action.params)
            if found:
                key = rank(action.type, action.params, precedence(decision.policy),
                           decision.policy, order * 1000 + index)
                ranked.append((key, decision, index, action, found))
    ranked.sort(key=lambda item: item[0])
    kept: dict[str, tuple[Claim, Decision]] = {}
    out = []
    for _, decision, index, action, found in ranked:
        clash = next(((c, kept[c.field]) for c in found
                      if c.field in kept and kept[c.field][0].value != c.value), None)
        if clash is not None:
            mine, (theirs, winner) = clash
            out.append(Overridden(decision, index, action, mine, winner, theirs))
            continue
        for claim in found:
            kept.setdefault(claim.field, (claim, decision))
    return out


def policy_precedence(policy_set: PolicySet | None) -> Callable[[str], int]:
    def lookup(name: str) -> int:
        policy = policy_set.get(name) if policy_set is not None else None
        return precedence_of(policy.spec) if policy is not None else DEFAULT_PRECEDENCE
    return lookup


def settle_overridden(store: Store, adapter: str, record: Record,
                      overridden: Sequence[Overridden], now: datetime, *,
                      dry_run: bool) -> int:
    """Record each losing action as skipped (ledger and audit), once; how many were new."""
    by_decision: dict[str, tuple[dict[str, Any], list[tuple[Any, str]]]] = {}
    for item in overridden:
        data = item.decision.to_json()
        planned = planned_actions(data)[item.index]
        entry = by_decision.setdefault(data["key"], (data, []))
        entry[1].append((planned, item.reason()))
    known = store.ledger(p.key for _, items in by_decision.values() for p, _ in items)
    settled = 0
    for key, (data, items) in by_decision.items():
        fresh = [(p, why) for p, why in items
                 if known.get(p.key) is None
                 or (not dry_run and known[p.key].state in OVERRIDABLE)]
        if not fresh:
            continue
        results = [action_result(p.key, p.type, p.params, "skipped", why) for p, why in fresh]
        audit = decision_entry(data, adapter, now, results, dry_run=dry_run)
        if dry_run:
            store.log_dry_run(key, adapter, record.id, [(p, "skipped", why) for p, why in fresh],
                              audit, now)
        else:
            inflight = store.begin_decision(key, adapter, record.id, record.kind, data,
                                            [p for p, _ in fresh], now)
            for planned, why in fresh:
                store.finish_action(planned.key, "skipped", why, "", now, count_attempt=False)
            store.complete_decision(inflight, audit)
        settled += len(fresh)
    return settled
