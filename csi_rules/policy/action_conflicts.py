"""Policies that fight: rules that can both match one record and set one field differently.

Two routing policies assigning different groups, a priority matrix and a routing rule writing
different priorities, an SLA breach escalating to level 2 while a ladder asks for level 1: the
runner settles each by the documented precedence (runtime.precedence), and validation warns
about every pair that can happen, with an example record, as it reports unreachable rules.

A pair of policies that both state a different `spec.precedence` is settled on purpose and
not reported. Two actions of one policy only fight when both can fire together: actions of the same rule, or
of different rules of a `hitPolicy: collect` policy. Whether both conditions can hold on one
record of a shared kind is left to the condition solver; "undecided" counts as "can".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from csi_rules.conditions.analysis import may_overlap
from csi_rules.conditions.ast import AllOf, AnyOf, Condition, Not
from csi_rules.conditions.parse import parse_condition
from csi_rules.findings import Finding
from csi_rules.plugins import Plugins
from csi_rules.policy.action_claims import ESCALATION_LEVEL, Claim, claims, precedence_of, rank
from csi_rules.policy.capability_check import document_actions
from csi_rules.policy.kinds.base import applies_to
from csi_rules.policy.loader import Document

Pointer = tuple[Any, ...]
MAX_PAIRS = 20_000  # solver questions per validation: the check stays linear on huge sets


@dataclass(frozen=True)
class Site:
    """One field-writing action where it is written, with everything that gates it."""

    doc: Document
    rule: Pointer  # the rule (or level, threshold, spec part) the action belongs to
    label: str  # "rule 'network'" or "spec.majorIncident"
    action: Pointer
    action_type: str
    params: Mapping[str, Any]
    claim: Claim
    condition: Condition
    kinds: frozenset[str]
    collect: bool
    order: int

    @property
    def policy(self) -> str:
        return self.doc.name

    @property
    def where(self) -> str:
        return f"{self.doc.file}:{self.doc.locate(self.rule)[0]}"

    def rank(self) -> tuple[Any, ...]:
        return rank(self.action_type, self.params, precedence_of(self.doc.data["spec"]),
                    self.policy, self.order)


def conflict_findings(docs: Iterable[Document], plugins: Plugins,
                      max_pairs: int = MAX_PAIRS) -> list[Finding]:
    """A warning per pair of rules that can fight over a field, at the later of the two."""
    by_field: dict[str, list[Site]] = {}
    for doc in docs:
        for site in _sites(doc, plugins):
            by_field.setdefault(site.claim.field, []).append(site)
    out: list[Finding] = []
    seen: set[tuple[Any, ...]] = set()
    asked = 0
    for field_sites in by_field.values():
        for a, b in _candidate_pairs(field_sites):
            key = (a.doc.file, a.doc.index, a.rule, b.doc.file, b.doc.index, b.rule, a.claim.field)
            if key in seen:
                continue
            if asked >= max_pairs:
                return [*out, _budget_finding(docs, max_pairs)]
            asked += 1
            witness = may_overlap(a.condition, b.condition)
            if witness is None:
                continue
            seen.add(key)
            out.append(_finding(a, b, witness))
    return out


def _candidate_pairs(sites: list[Site]) -> Iterator[tuple[Site, Site]]:
    """Pairs writing different values, sharing a record kind, able to fire together."""
    by_value: dict[str, list[Site]] = {}
    for site in sites:
        by_value.setdefault(repr(site.claim.value), []).append(site)
    groups = list(by_value.values())
    for gi, left in enumerate(groups):
        for right in groups[gi + 1:]:
            for a in left:
                for b in right:
                    if not a.kinds & b.kinds or not _together(a, b) or _settled(a, b):
                        continue
                    yield (a, b) if (a.doc.file, a.action) <= (b.doc.file, b.action) else (b, a)


def _settled(a: Site, b: Site) -> bool:
    """Two policies that each state a different `spec.precedence` were ordered on purpose: the
    admin has chosen the winner, so the pair is not reported (the runner still settles it)."""
    if a.doc is b.doc or a.claim.field == ESCALATION_LEVEL:
        return False
    left, right = a.doc.data.get("spec") or {}, b.doc.data.get("spec") or {}
    return ("precedence" in left and "precedence" in right
            and precedence_of(left) != precedence_of(right))


def _together(a: Site, b: Site) -> bool:
    if a.doc is not b.doc:
        return True
    return a.rule == b.rule or (a.collect and a.rule[:2] == ("spec", "rules") == b.rule[:2])


def _finding(a: Site, b: Site, witness: str) -> Finding:
    if a.doc is b.doc and a.rule == b.rule:
        return _own_finding(a, b)
    winner, loser = sorted((a, b), key=Site.rank)
    kinds = "/".join(sorted(a.kinds & b.kinds))
    if a.claim.field == ESCALATION_LEVEL:
        what = (f"escalates to level {b.claim.value} while {a.label} of policy {a.policy} "
                f"({a.where}) escalates to level {a.claim.value}")
        settle = (f"the runner keeps the higher level ({winner.claim.value}) and records the "
                  "other as overridden")
    else:
        what = (f"sets {b.claim.describe()} while {a.label} of policy {a.policy} ({a.where}) "
                f"sets {a.claim.describe()}")
        settle = (f"the runner applies {winner.label} of policy {winner.policy} and records "
                  f"{loser.label} of policy {loser.policy} as overridden")
    if "escalate" not in (a.action_type, b.action_type):
        settle += " (set spec.precedence to choose)"
    message = (f"action conflict: {b.label} ({b.where}) {what}; both can match one {kinds} "
               f"(e.g. {witness}); {settle}")
    return b.doc.finding(b.action, message, "warning")


def _own_finding(a: Site, b: Site) -> Finding:
    """Two actions of one rule (or level) writing one field differently: the rule fights
    itself, so say so instead of naming it twice as two parties."""
    winner, _ = sorted((a, b), key=Site.rank)
    message = (f"action conflict: {b.label} of policy {b.policy} ({b.where}) has two actions "
               f"writing {a.claim.field}: {a.claim.describe()} and {b.claim.describe()}; the "
               f"runner applies {winner.claim.describe()} and records the other as overridden")
    return b.doc.finding(b.action, message, "warning")


def _budget_finding(docs: Iterable[Document], max_pairs: int) -> Finding:
    first = next(iter(docs))
    return Finding(first.file, 1, 1, "", "", f"action conflicts: checked the first {max_pairs} "
                   "pairs of rules writing the same field; the rest were not checked", "warning")


def _sites(doc: Document, plugins: Plugins) -> Iterator[Site]:
    kinds = frozenset(applies_to(plugins.kinds.get(doc.data["kind"]), doc))
    if not kinds:
        return
    spec = doc.data["spec"]
    collect = spec.get("hitPolicy") == "collect"
    gate = _policy_gate(doc)
    for order, (pointer, type_, params) in enumerate(document_actions(doc, plugins)):
        found = claims(type_, params)
        if not found:
            continue
        rule, label, conditions = _context(doc, pointer)
        condition = AllOf((*gate, *conditions))
        for claim in found:
            yield Site(doc, rule, label, pointer, type_, params, claim, condition, kinds,
                       collect, order)


def _policy_gate(doc: Document) -> list[Condition]:
    """What must hold for any of the policy's actions: a routing policy's trigger."""
    if doc.data["kind"] != "RoutingPolicy":
        return []
    from csi_rules.policy.kinds.routing import DEFAULT_TRIGGER, build_trigger

    trigger = build_trigger(doc.data["spec"].get("trigger", DEFAULT_TRIGGER)).when
    return [] if trigger is None else [trigger]


def _context(doc: Document, pointer: Pointer) -> tuple[Pointer, str, list[Condition]]:
    """The rule an action belongs to, its label, and every `when` on the way down to it (a
    routing default: no rule matched)."""
    node: Any = doc.data
    conditions: list[Condition] = []
    rule: Pointer = pointer[:2]
    label = ".".join(map(str, rule))
    for depth, part in enumerate(pointer):
        if isinstance(node, dict):
            here = pointer[:depth]
            if isinstance(node.get("when"), dict) and depth >= 1:
                conditions.append(parse_condition(node["when"], (*here, "when")))
            if isinstance(node.get("id"), str) and depth >= 2:
                rule, label = here, f"rule {node['id']!r}"
        if part == "actions" or not isinstance(node, dict | list):
            break
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    if pointer[:2] == ("spec", "default"):
        conditions.append(_no_rule_matched(doc))
        label = "the default"
    return rule, label, conditions


def _no_rule_matched(doc: Document) -> Condition:
    rules = doc.data["spec"].get("rules", [])
    whens = [parse_condition(r["when"], ("spec", "rules", i, "when"))
             for i, r in enumerate(rules) if isinstance(r, dict) and isinstance(r.get("when"), dict)]
    if len(whens) < len(rules):  # a rule without `when` matches every record
        return AnyOf(())
    return Not(AnyOf(tuple(whens)))
