"""Checks and building shared by every kind that is a list of rules with conditions and actions.

RoutingPolicy is the first such kind; CAB routing and gates reuse the same rule shape.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from csi_rules.conditions.analysis import is_contradictory, may_overlap, subsumed_by
from csi_rules.conditions.ast import ALWAYS, Condition, Pointer
from csi_rules.conditions.parse import parse_condition
from csi_rules.conditions.shape import shape_problems
from csi_rules.conditions.typecheck import check_condition
from csi_rules.findings import Finding
from csi_rules.policy.loader import Document
from csi_rules.policy.model import DEFAULT_RULE_PRIORITY, Action, Policy, Rule

HIT_POLICIES = ("first", "collect", "unique")


def content_hash(data: Any) -> str:
    """Stable hash of a document's content: the policy version shown in decisions and logs."""
    import hashlib  # only when policies are built: validation does not need it (start-up)

    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:16]


def evaluation_order(rules: Sequence[dict[str, Any]]) -> list[int]:
    """Indexes of `rules` in the order `first` tries them: priority ascending, then file order."""
    return sorted(range(len(rules)),
                  key=lambda i: (rules[i].get("priority", DEFAULT_RULE_PRIORITY), i))


def condition_findings(doc: Document, pointer: Pointer, raw: Any,
                       kinds: Sequence[str]) -> list[Finding]:
    """Findings for one condition at `pointer`: its shape problems, else its type problems.

    Type-checking only runs on a well-shaped condition, since a mis-shaped one cannot be parsed.
    """
    problems = list(shape_problems(raw, pointer))
    if problems:
        return [doc.finding(p, m) for p, m in problems]
    return [doc.finding(x.pointer, x.message, x.severity)
            for x in check_condition(parse_condition(raw, pointer), kinds)]


def _conditions(doc: Document, rules: list[dict[str, Any]], base: Pointer,
                findings: list[Finding]) -> list[Condition | None]:
    out: list[Condition | None] = []
    for i, rule in enumerate(rules):
        pointer = (*base, i, "when")
        if "when" not in rule:
            out.append(ALWAYS)
            continue
        problems = list(shape_problems(rule["when"], pointer))
        findings.extend(doc.finding(p, m) for p, m in problems)
        out.append(None if problems else parse_condition(rule["when"], pointer))
    return out


def check_rules(doc: Document, base: Pointer, kinds: Sequence[str], hit_policy: str) -> list[Finding]:
    """Every semantic finding for the rule list at `base` (spec.rules for most kinds)."""
    findings: list[Finding] = []
    rules: list[dict[str, Any]] = _get(doc.data, base)
    seen: dict[str, int] = {}
    for i, rule in enumerate(rules):
        rid = rule["id"]
        if rid in seen:
            line = doc.locate((*base, seen[rid]))[0]
            findings.append(doc.finding((*base, i, "id"),
                                        f"duplicate rule id {rid!r} (first used on line {line})"))
        else:
            seen[rid] = i
    conditions = _conditions(doc, rules, base, findings)
    usable: list[tuple[int, Condition]] = []
    for i, cond in enumerate(conditions):
        if cond is None:
            continue
        issues = check_condition(cond, kinds)
        findings.extend(doc.finding(x.pointer, x.message, x.severity) for x in issues)
        if any(x.severity == "error" for x in issues):
            continue
        contradiction = is_contradictory(cond)
        if contradiction is not None:
            findings.append(doc.finding(contradiction.pointer or (*base, i, "when"),
                                        f"rule {rules[i]['id']!r} can never match: "
                                        f"{contradiction.message}"))
            continue
        usable.append((i, cond))
    findings.extend(_hit_policy_findings(doc, base, rules, usable, hit_policy))
    findings.extend(_engine_findings(doc, base, rules, usable))
    return findings


def _engine_findings(doc: Document, base: Pointer, rules: list[dict[str, Any]],
                     usable: list[tuple[int, Condition]]) -> list[Finding]:
    """Rules the engine cannot run faithfully (too wide for durable-rules' fixed limits).

    Found here, at validation, rather than when the first record is evaluated. The whole list
    is compiled first: when it compiles, so does each rule alone (adding a rule never lowers
    a limit the compiler checks, engine/compiler._pack), and the usual answer costs one
    compilation instead of one per rule.
    """
    from csi_rules.engine.compiler import compile_groups
    from csi_rules.engine.groups import RuleGroup, RuleSpec
    from csi_rules.errors import EngineError

    try:
        compile_groups([RuleGroup("g", "first", frozenset({"incident"}),
                                  tuple(RuleSpec(f"r{i}", c) for i, c in usable))])
        return []
    except EngineError as exc:
        whole = str(exc)  # not the exception: it would hold this frame in a cycle
    out = []
    for i, cond in usable:
        try:
            compile_groups([RuleGroup("g", "first", frozenset({"incident"}),
                                      (RuleSpec("r", cond),))])
        except EngineError as exc:
            out.append(doc.finding((*base, i, "when"), f"rule {rules[i]['id']!r} is too complex "
                                   f"for the rules engine: {exc}; split it into several rules"))
    if not out:
        out.append(doc.finding(base, f"the rules engine cannot run this rule list: {whole}"))
    return out


def _hit_policy_findings(doc: Document, base: Pointer, rules: list[dict[str, Any]],
                         usable: list[tuple[int, Condition]], hit_policy: str) -> list[Finding]:
    findings: list[Finding] = []
    if hit_policy == "first":
        order = evaluation_order(rules)
        by_index = dict(usable)
        earlier: list[tuple[int, Condition]] = []
        for i in order:
            if i not in by_index:
                continue
            covered = subsumed_by(by_index[i], [c for _, c in earlier])
            if covered is not None:
                j = earlier[covered][0]
                findings.append(doc.finding(
                    (*base, i, "id"),
                    f"rule {rules[i]['id']!r} is unreachable under hitPolicy first: every record "
                    f"it matches is taken by rule {rules[j]['id']!r} "
                    f"(line {doc.locate((*base, j))[0]}) first"))
            earlier.append((i, by_index[i]))
    elif hit_policy == "unique":
        for a in range(len(usable)):
            for b in range(a + 1, len(usable)):
                (i, ci), (j, cj) = usable[a], usable[b]
                witness = may_overlap(ci, cj)
                if witness is not None:
                    findings.append(doc.finding(
                        (*base, j, "id"),
                        f"rules {rules[i]['id']!r} and {rules[j]['id']!r} can both match the same "
                        f"record under hitPolicy unique (e.g. {witness})"))
    return findings


def build_rules(doc: Document, base: Pointer, hit_policy: str) -> tuple[Rule, ...]:
    """Rules in evaluation order (priority then file order; file order for collect)."""
    rules: list[dict[str, Any]] = _get(doc.data, base)
    order = evaluation_order(rules) if hit_policy == "first" else range(len(rules))
    built = []
    for position, i in enumerate(order):
        raw = rules[i]
        when = parse_condition(raw["when"], (*base, i, "when")) if "when" in raw else ALWAYS
        known = {"id", "description", "priority", "when", "actions"}
        built.append(Rule(
            id=raw["id"], order=position, priority=raw.get("priority", DEFAULT_RULE_PRIORITY),
            when=when, actions=build_actions(raw.get("actions", [])),
            description=raw.get("description", ""), file=doc.file,
            line=doc.locate((*base, i))[0],
            extra={k: v for k, v in raw.items() if k not in known},
        ))
    return tuple(built)


def build_actions(raw: list[dict[str, Any]]) -> tuple[Action, ...]:
    return tuple(Action(*next(iter(item.items()))) for item in raw)


def build_policy(doc: Document, *, applies_to: Sequence[str], hit_policy: str,
                 rules: tuple[Rule, ...], default_actions: tuple[Action, ...]) -> Policy:
    data = doc.data
    return Policy(
        name=data["metadata"]["name"], kind=data["kind"], file=doc.file,
        line=doc.locate(())[0], applies_to=tuple(applies_to), hit_policy=hit_policy,
        rules=rules, default_actions=default_actions, content_hash=content_hash(data),
        metadata=data["metadata"], spec=data["spec"],
    )


def _get(data: Any, pointer: Pointer) -> Any:
    for part in pointer:
        data = data[part]
    return data
