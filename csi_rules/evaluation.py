"""Policy set + record + now → decisions: the engine picks rules, this module explains them.

The engine only answers "which rule keys matched": the compiled matcher by default,
durable-rules (isolated in its own process) with `engine="durable"`, the plain-Python
reference with `engine="reference"`. Policies, reasons and actions stay on this side of the
boundary; reasons are built only for the rules that matched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from csi_rules.change.routes import route_actions, route_details
from csi_rules.conditions.evaluate import Reason, evaluate, explain
from csi_rules.decisions import (
    OUTCOME_DEFAULT,
    OUTCOME_MATCHED,
    Decision,
    RuleFacts,
    Subject,
    add_decisions,
)
from csi_rules.engine.groups import RuleGroup, RuleSpec
from csi_rules.engine.lookup import record_lookup
from csi_rules.engine.select import DEFAULT_ENGINE
from csi_rules.engine.select import matcher_factory as engine_factory
from csi_rules.escalation.evaluate import escalation_decisions
from csi_rules.evaluation_trigger import OUTCOME_NOT_TRIGGERED, TriggerMemo
from csi_rules.policy.kinds.routing import RoutingTrigger
from csi_rules.policy.model import Policy, PolicySet, Rule
from csi_rules.records import Record
from csi_rules.records.model import MISSING
from csi_rules.sla.evaluate import sla_decisions
from csi_rules.sla.timeline import snapshots

RULE_KINDS = ("RoutingPolicy", "CabRoutingPolicy")
"""Policy kinds whose rules the matcher evaluates (later kinds add themselves here)."""

# OUTCOME_NOT_TRIGGERED (evaluation_trigger.py): a routing policy whose `spec.trigger`
# excludes the record (no actions, and the reason)


class Matcher(Protocol):
    def match(self, record: Record, now: datetime) -> dict[str, list[str]]: ...

    def match_many(self, records: list[Record], now: datetime) -> list[dict[str, list[str]]]: ...

    def close(self) -> None: ...


def rule_groups(policies: Iterable[Policy]) -> tuple[list[RuleGroup], dict[str, tuple[Policy, Rule]]]:
    """Engine input for `policies`, and the side table from generated keys back to rules."""
    groups: list[RuleGroup] = []
    table: dict[str, tuple[Policy, Rule]] = {}
    for p, policy in enumerate(policies):
        specs = []
        for r, rule in enumerate(policy.rules):
            key = f"p{p}r{r}"
            table[key] = (policy, rule)
            specs.append(RuleSpec(key, rule.when))
        hit: Literal["first", "collect"] = (
            "first" if policy.hit_policy in ("first", "unique") else "collect")
        groups.append(RuleGroup(f"p{p}", hit, frozenset(policy.applies_to), tuple(specs)))
    return groups, table


class Evaluator:
    """Evaluates records against the rule-based policies of a policy set (read once, when the
    evaluator is made)."""

    def __init__(self, policy_set: PolicySet, matcher_factory: Callable[..., Matcher] | None = None,
                 *, engine: str = DEFAULT_ENGINE, verify_with: str | None = None,
                 **matcher_options: Any):
        """`engine` picks the matcher by name; `verify_with` (another engine's name) turns on
        verify mode: `matcher_options` `every` (sample one record in N, default 10) and
        `on_disagreement` (a callback) then go to `engine.verify.VerifyingMatcher`."""
        self.policy_set = policy_set
        self.policies = policy_set.of_kind(*RULE_KINDS)
        self._timed = bool(policy_set.of_kind(*TIME_KINDS))
        groups, self._table = rule_groups(self.policies)
        self.engine = engine if matcher_factory is None else getattr(
            matcher_factory, "__name__", "custom")
        if matcher_factory is None and verify_with is not None:
            from csi_rules.engine.verify import VerifyingMatcher

            matcher_options = {"engine": engine, "verify_with": verify_with, **matcher_options}
            matcher_factory = VerifyingMatcher
        if matcher_factory is None:
            matcher_factory = engine_factory(engine)
        self.groups = groups
        self._matcher: Matcher = matcher_factory(groups, **matcher_options)
        self._shared = SharedDecisions.of(self.policies, self._matcher)

    def verification(self) -> dict[str, Any] | None:
        """Verify mode's counts and recent disagreements (None when it is off)."""
        summary = getattr(self._matcher, "summary", None)
        return summary() if summary is not None else None

    def close(self) -> None:
        self._matcher.close()

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def evaluate(self, record: Record, now: datetime) -> list[Decision]:
        if self._shared is not None:
            out = self._shared.decisions(record, now)
            if self._timed:
                out.extend(time_decisions(self.policy_set, record, now))
            return out
        explained = getattr(self._matcher, "match_explained", None)
        if explained is None:
            return self._decisions(record, now, self._matcher.match(record, now))
        # One pass gives the matches and their (lazy) reasons: no second read per matched rule.
        found = explained(record, now)
        matched = {group: [key for key, _ in pairs] for group, pairs in found.items()}
        reasons = {key: why for pairs in found.values() for key, why in pairs}
        return self._decisions(record, now, matched, reasons)

    def evaluate_many(self, records: list[Record], now: datetime) -> Iterator[list[Decision]]:
        if self._shared is not None:  # one record at a time costs no more here than a batch
            return (self.evaluate(record, now) for record in records)
        return (self._decisions(record, now, matched) for record, matched in
                zip(records, self._matcher.match_many(records, now), strict=True))

    def _decisions(self, record: Record, now: datetime, matched: dict[str, list[str]],
                   known: Mapping[str, Sequence[Reason]] | None = None) -> list[Decision]:
        lookup = record_lookup(record, now)
        explained = getattr(self._matcher, "explain", None)  # compiled reasons when offered
        out: list[Decision] = []
        for p, policy in enumerate(self.policies):
            if record.kind not in policy.applies_to:
                continue
            skipped = not_triggered(policy, record, lookup, now)
            if skipped is not None:
                out.append(skipped)
                continue
            keys = matched.get(f"p{p}", [])
            for key in keys:
                _, rule = self._table[key]
                if known is not None and key in known:
                    reasons = known[key]
                elif explained is None:
                    reasons = tuple(explain(rule.when, lookup))
                else:
                    reasons = explained(record, now, f"p{p}", key)
                out.append(matched_decision(policy, rule, record, now, reasons))
            if not keys and policy.default_actions:
                out.append(Decision(
                    record.id, record.label, policy.name, policy.kind, policy.content_hash,
                    None, policy.source, OUTCOME_DEFAULT, policy.default_actions, (), now))
        if self._timed:
            out.extend(time_decisions(self.policy_set, record, now))
        return out


class SharedDecisions:
    """The rule policies' decisions on a matcher that gives the field values a match read
    (the compiled one): each routing decision is a `RuleDecision` over its rule's facts, made
    once here, and the evaluation's `Subject`; reasons are made from the values when read."""

    def __init__(self, policies: Sequence[Policy], matcher: Any):
        self._match = matcher.match_values
        self._table: dict[str, tuple[Policy, Rule]] = {}
        self._facts: dict[str, RuleFacts] = {}
        # per policy: (policy, group id, its trigger's memo when it has a condition,
        # decisions shared, default's key)
        self._plan: list[tuple[Policy, str, TriggerMemo | None, bool, str | None]] = []
        triggers: list[RuleGroup] = []
        for p, policy in enumerate(policies):
            group, head = f"p{p}", (policy.name, policy.kind, policy.content_hash)
            for r, rule in enumerate(policy.rules):
                key = f"p{p}r{r}"  # as rule_groups names it
                self._table[key] = (policy, rule)
                self._facts[key] = RuleFacts(*head, rule.id, rule.source, OUTCOME_MATCHED,
                                             rule.actions, matcher.reasons_of(group, key))
            self._facts[group] = RuleFacts(*head, None, policy.source, OUTCOME_DEFAULT,
                                           policy.default_actions, _no_reasons)
            trigger = policy.compiled if isinstance(policy.compiled, RoutingTrigger) else None
            if trigger is not None and trigger.when is not None:
                triggers.append(RuleGroup(group, "first", frozenset(policy.applies_to),
                                          (RuleSpec(group, trigger.when),)))
            memo = (TriggerMemo(policy, not_triggered)
                    if trigger is not None and trigger.when is not None else None)
            self._plan.append((policy, group, memo, policy.kind == "RoutingPolicy",
                               group if policy.default_actions else None))
        # the triggers compiled too: one call says which hold (the reference's answer, as the
        # differential checks); where one does not, not_triggered decides and explains
        self._triggers = None
        if triggers:
            from csi_rules.engine.compiled import CompiledMatcher

            self._triggers = CompiledMatcher(triggers).match

    @classmethod
    def of(cls, policies: Sequence[Policy], matcher: Any) -> SharedDecisions | None:
        """None when `matcher` cannot give the values reasons are made from."""
        if not (hasattr(matcher, "match_values") and hasattr(matcher, "reasons_of")):
            return None
        return cls(policies, matcher)

    def decisions(self, record: Record, now: datetime) -> list[Decision]:
        result, values = self._match(record, now)
        subject = Subject(record.id, record.label, now, values)
        kind, facts = record.kind, self._facts
        holds = self._triggers(record, now) if self._triggers is not None else None
        out: list[Decision] = []
        for policy, group, trigger, shared, default in self._plan:
            if kind not in policy.applies_to:
                continue
            if trigger is not None and not holds[group]:  # type: ignore[index]
                skipped = trigger(record, now)
                if skipped is not None:
                    out.append(skipped)
                    continue
            keys = result[group]
            if not keys:
                if default is not None:
                    add_decisions(out, facts, (default,), subject)
            elif shared:
                add_decisions(out, facts, keys, subject)
            else:  # a CAB route: its actions and details depend on the record
                out += [matched_decision(policy, self._table[key][1], record, now,
                                         facts[key].explain(values)) for key in keys]
        return out


def matched_decision(policy: Policy, rule: Rule, record: Record, now: datetime,
                     reasons: Sequence[Reason]) -> Decision:
    """A matched rule's decision built field by field (other engines, and CAB routes, whose
    actions and details depend on the record)."""
    actions, details = rule.actions, None
    if policy.kind == "CabRoutingPolicy":
        actions = route_actions(rule)
        details = route_details(policy, rule, record, now)
    return Decision(record.id, record.label, policy.name, policy.kind, policy.content_hash,
                    rule.id, rule.source, OUTCOME_MATCHED, actions, reasons, now, details)


def _no_reasons(values: Any) -> tuple[Reason, ...]:
    return ()  # a policy's default decision: no rule matched, so no rule's reasons


def not_triggered(policy: Policy, record: Record, lookup: Callable[[str], Any],
                  now: datetime) -> Decision | None:
    """The decision (no actions, with the reason) when the policy's trigger excludes the
    record; None when its rules apply. Policies without a trigger always apply."""
    trigger = policy.compiled if isinstance(policy.compiled, RoutingTrigger) else None
    if trigger is None or trigger.when is None or evaluate(trigger.when, lookup):
        return None
    if trigger.name == "unassigned":
        owners = [f"{field} {record.get(field)!r}" for field in ("assignment_group", "assignee")
                  if record.get(field) is not MISSING]
        why = (f"trigger unassigned: the ticket already has {' and '.join(owners)}, so it is "
               f"not re-routed (spec.trigger: always would route owned tickets too)")
    else:
        why = "spec.trigger does not hold for this ticket, so its rules are not applied"
    return Decision(record.id, record.label, policy.name, policy.kind, policy.content_hash,
                    None, policy.source, OUTCOME_NOT_TRIGGERED, (),
                    tuple(explain(trigger.when, lookup)), now, {"explain": why})


TIME_KINDS = ("SlaPolicy", "EscalationPolicy")


def time_decisions(policy_set: PolicySet, record: Record, now: datetime) -> list[Decision]:
    """SLA thresholds and escalation rungs due at `now`, from the ticket's history."""
    if not policy_set.of_kind(*TIME_KINDS):
        return []
    snaps = list(snapshots(record, now))
    return [*sla_decisions(policy_set, record, now, snaps),
            *escalation_decisions(policy_set, record, now, snaps)]
