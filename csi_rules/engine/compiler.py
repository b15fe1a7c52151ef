"""RuleGroups -> durable-rules rulesets (JSON dicts) plus side tables. A pure function.

Per group, each rule's condition is lowered to integer tests on generated fact properties
(`lowering`, `facts`), and the rules are packed, in order, into as few durable rulesets
("shards") as durable's fixed limits allow (`network`); a rule whose top-level `any` is
too wide alone becomes one durable rule per branch, and a rule still too wide is refused
with EngineError naming it. Each shard gets:

* generated names only: ruleset `g<i>s<j>`, rules `r<spec>[_<part>]`, properties `f<i>`,
  `f<i>n|s|d` and `p<i>` (hash-checked by `naming`), so no policy text reaches durable's
  parser (`$state`, `$flow`, `$not` in a name change its meaning there);
* `pri` = the rule's position in its group, and a catch-all rule `catch_all` with the highest
  `pri` that matches every fact we post: every message is handled by some action, so
  MessageNotHandledException never drives control flow and `post_batch` never skips actions;
* the marker test `mk == 1` in front of every rule: durable runs its own state message
  through the same network, and the marker keeps every rule (even one that is only
  "field is missing") from matching it and re-firing forever.

The hit policy is applied by how facts are posted (see `durable_host`): "first" posts
events (an event is consumed by the first action in `pri` order), "collect" asserts facts
(every matching rule fires) and retracts them afterwards. A rule whose condition is false
for every record is left out; its spec can simply never match.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from csi_rules.engine.facts import encode_operand
from csi_rules.engine.groups import RuleGroup, check_unique_ids
from csi_rules.engine.lowering import FALSE, TRUE, And, Key, Node, Or, Precomputed, Test, lower
from csi_rules.engine.naming import MARKER, NameSpace
from csi_rules.engine.network import limit_problem
from csi_rules.engine.program import CompiledProgram, GroupPlan, ShardPlan, Slot
from csi_rules.errors import EngineError

CATCH_ALL = "catch_all"
MAX_PRI = 65534  # durable reads `pri` into an unsigned short
_JSON_OPS = {"neq": "$neq", "lt": "$lt", "lte": "$lte", "gt": "$gt", "gte": "$gte"}

Clause = tuple[int, str, Node]  # (spec index, durable rule name, lowered condition)


def compile_groups(groups: Sequence[RuleGroup]) -> CompiledProgram:
    """Compile every group; raises EngineError for a rule durable cannot run faithfully."""
    check_unique_ids(groups)
    return CompiledProgram(tuple(_compile_group(i, g) for i, g in enumerate(groups)))


def _compile_group(index: int, group: RuleGroup) -> GroupPlan:
    if len(group.rules) > MAX_PRI:
        raise EngineError(f"group {group.group_id}: {len(group.rules)} rules (limit {MAX_PRI})")
    clauses: list[Clause] = []
    for si, spec in enumerate(group.rules):
        node = lower(spec.condition)
        if node is not FALSE:
            clauses.append((si, f"r{si}", node))
    shards = [
        _build_shard(f"g{index}s{j}", part, len(group.rules))
        for j, part in enumerate(_pack(group, clauses) if clauses else [])
    ]  # a group no record can match needs no ruleset at all
    keys = tuple(spec.key for spec in group.rules)
    return GroupPlan(group.group_id, group.hit_policy, frozenset(group.kinds), keys, tuple(shards))


def _pack(group: RuleGroup, clauses: list[Clause]) -> list[list[Clause]]:
    """Consecutive runs of clauses, each as long as one durable ruleset allows.

    Adding a clause never lowers any of the limits `network` checks, so the longest run
    that fits is found by galloping and bisection: O(log n) trial builds per ruleset.
    """
    n_specs = len(group.rules)
    if not _problem(clauses, n_specs):
        return [clauses]
    parts = [part for clause in clauses for part in _fitting_parts(group, clause)]
    shards: list[list[Clause]] = []
    start = 0
    while start < len(parts):
        fits, too_many = 1, 2
        while start + too_many <= len(parts) and not _problem(parts[start:start + too_many],
                                                               n_specs):
            fits, too_many = too_many, too_many * 2
        too_many = min(too_many, len(parts) - start + 1)
        while too_many - fits > 1:
            middle = (fits + too_many) // 2
            if _problem(parts[start:start + middle], n_specs):
                too_many = middle
            else:
                fits = middle
        shards.append(parts[start:start + fits])
        start += fits
    return shards


def _fitting_parts(group: RuleGroup, clause: Clause) -> list[Clause]:
    """The clause itself, or its top-level `any` split into one durable rule per branch."""
    si, name, node = clause
    problem = _problem([clause], len(group.rules))
    if not problem:
        return [clause]
    if isinstance(node, Or):
        parts = [(si, f"{name}_{k}", item) for k, item in enumerate(node.items)]
        if all(not _problem([p], len(group.rules)) for p in parts):
            return parts
    key = group.rules[si].key
    raise EngineError(f"group {group.group_id} rule {key}: condition too wide for durable-rules "
                      f"({problem})")


def _problem(clauses: list[Clause], n_specs: int) -> str:
    shard = _build_shard("probe", clauses, n_specs)
    patterns = [rule["all"][0]["m"] for rule in shard.definition.values()]
    return limit_problem(patterns, len(shard.slots) + 1)


def _tests(node: Node) -> list[Test]:
    if isinstance(node, Test):
        return [node]
    if isinstance(node, And | Or):
        return [t for item in node.items for t in _tests(item)]
    return []


def _slot_key(test: Test) -> tuple[str, Any]:
    return (test.path, test.kind)


def _slots(clauses: list[Clause]) -> dict[tuple[str, Any], Slot]:
    """One slot per field (and per precomputed matcher) the clauses test, in order of use."""
    tests = [t for _, _, node in clauses for t in _tests(node)]
    constants: dict[tuple[str, str], set[Any]] = {}
    for t in tests:
        if isinstance(t.operand, Key) and t.operand.cls in ("number", "string", "datetime"):
            constants.setdefault((t.path, t.operand.cls), set()).add(t.operand.value)
    names = NameSpace()
    slots: dict[tuple[str, Any], Slot] = {}
    fields = pres = 0
    for t in tests:
        key = _slot_key(t)
        if key in slots:
            continue
        if isinstance(t.kind, Precomputed):
            slots[key] = Slot(names.claim(f"p{pres}"), t.path, "pre", op=t.kind.op,
                              expected=t.kind.expected)
            pres += 1
            continue
        ranked = {cls: tuple(sorted(constants.get((t.path, cls), ())))
                  for cls in ("number", "string", "datetime")}
        suffix = "" if t.kind == "value" else t.kind[0]
        slots[key] = Slot(names.claim(f"f{fields}{suffix}"), t.path, str(t.kind),
                          numbers=ranked["number"], strings=ranked["string"],
                          datetimes=ranked["datetime"])
        fields += 1
    return slots


def _emit(node: Node, slots: dict[tuple[str, Any], Slot]) -> list[dict[str, Any]]:
    """The node as a list of durable conditions to be and-ed."""
    if isinstance(node, Test):
        slot = slots[_slot_key(node)]
        value = encode_operand(slot, node.operand)
        if node.op == "eq":
            return [{slot.name: value}]
        return [{_JSON_OPS[node.op]: {slot.name: value}}]
    if isinstance(node, And):
        return [c for item in node.items for c in _emit(item, slots)]
    if isinstance(node, Or):
        return [{"$or": [_one(_emit(item, slots)) for item in node.items]}]
    if node is TRUE:
        return []
    raise EngineError(f"cannot emit {node!r}")  # FALSE clauses are dropped before this


def _one(conditions: list[dict[str, Any]]) -> dict[str, Any]:
    return conditions[0] if len(conditions) == 1 else {"$and": conditions}


def _build_shard(name: str, clauses: list[Clause], n_specs: int) -> ShardPlan:
    slots = _slots(clauses)
    definition: dict[str, Any] = {}
    rule_specs: dict[str, int] = {}
    for si, rule_name, node in clauses:
        pattern = _one([{MARKER: 1}, *_emit(node, slots)])
        definition[rule_name] = {"all": [{"m": pattern}], "pri": si}
        rule_specs[rule_name] = si
    definition[CATCH_ALL] = {"all": [{"m": {MARKER: 1}}], "pri": n_specs}
    return ShardPlan(name, definition, tuple(slots.values()), rule_specs, CATCH_ALL)
