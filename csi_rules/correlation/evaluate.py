"""Correlation decisions over a batch of tickets: the engine matches, the window counts."""

from __future__ import annotations

from collections.abc import Container, Sequence
from datetime import datetime, timedelta

from csi_rules.correlation.window import Event, GroupKey, clusters
from csi_rules.decisions import Decision
from csi_rules.engine.groups import RuleGroup, RuleSpec
from csi_rules.evaluation import Matcher
from csi_rules.policy.model import Policy, PolicySet
from csi_rules.records.model import Record

OUTCOME_CORRELATED = "correlated"


def correlation_groups(policy_set: PolicySet) -> list[RuleGroup]:
    """One engine group per CorrelationPolicy: its `when` as the only rule."""
    return [RuleGroup(f"c{i}", "first", frozenset(p.applies_to),
                      (RuleSpec(f"c{i}", p.rules[0].when),))
            for i, p in enumerate(policy_set.of_kind("CorrelationPolicy"))]


def correlate(policy_set: PolicySet, records: Sequence[Record], matcher: Matcher,
              now: datetime) -> list[Decision]:
    """Every set of correlated tickets in `records`, one decision per set, in time order."""
    policies = policy_set.of_kind("CorrelationPolicy")
    if not policies or not records:
        return []
    matched = matcher.match_many(list(records), now)
    out = []
    for i, policy in enumerate(policies):
        members = [r for r, m in zip(records, matched, strict=True) if m.get(f"c{i}")]
        out += policy_decisions(policy, members)
    return sorted(out, key=lambda d: d.now)


def policy_decisions(policy: Policy, records: Sequence[Record],
                     used: Container[tuple[GroupKey, str]] = ()) -> list[Decision]:
    """The sets among `records` (tickets already matched to the policy's `when`), skipping
    (group key, ticket) pairs in `used`; one decision per set, keyed by its first ticket."""
    spec = policy.compiled
    time_field = spec.get("timeField", "opened_at")
    events = [Event(r.get(time_field), r) for r in records
              if isinstance(r.get(time_field), datetime)]
    out = []
    for cluster in clusters(events, spec["groupBy"], spec["count"],
                            timedelta(seconds=spec["within_seconds"]), used):
        last = cluster.events[-1].record
        label = ", ".join(f"{k}={v}" for k, v in cluster.key)
        members = [e.record.label for e in cluster.events]
        explain = (f"{len(members)} tickets with {label} within {spec['within']}: "
                   f"{', '.join(members)}")
        out.append(Decision(
            last.id, last.label, policy.name, policy.kind, policy.content_hash,
            "correlated", policy.rules[0].source, OUTCOME_CORRELATED, policy.rules[0].actions,
            (), cluster.events[-1].at,
            {"group": dict(cluster.key), "records": [e.record.id for e in cluster.events],
             "explain": explain},
            f"{policy.name}/{label}/{cluster.events[0].record.id}"))
    return out
