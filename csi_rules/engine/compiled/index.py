"""The discrimination index: which rules can a record with these field values possibly match?

A rule whose condition requires `field eq V` or `field in [V...]` (at the top, inside an
`all`, in every branch of an `any`, or as `not ne`) can only match records whose value for
that field has one of those index keys. Per group the rules are split on the field most of
them constrain into one bucket per value (plus the rules that do not constrain it), and each
bucket again on the next field, as a decision-table index or a Rete alpha network would. A
bucket with few rules left becomes a generated leaf function (`codegen`). Rule order is kept
in every bucket, so "first" still means the first rule in priority order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from csi_rules.conditions.ast import AllOf, Condition, Matcher, Not
from csi_rules.engine.compiled.codegen import Leaf, make_leaf
from csi_rules.engine.compiled.typing_rules import index_key

Keys = frozenset[tuple[str, Any]]
Constraints = dict[str, Keys]  # path -> index keys the field must have for the rule to match

LEAF_SIZE = 4  # at most this many rules: no further split
MAX_LEVELS = 4


def constraints(cond: Condition) -> Constraints:
    """Necessary equality/membership conditions of `cond`, by path (an empty set: never)."""
    if isinstance(cond, Matcher):
        if cond.op == "eq":
            return {cond.path: _keys([cond.value])}
        if cond.op == "in":
            return {cond.path: _keys(cond.value)}
        return {}
    if isinstance(cond, Not):
        inner = cond.item
        if isinstance(inner, Matcher) and inner.op in ("ne", "not_in"):
            return constraints(Matcher(inner.path, "eq" if inner.op == "ne" else "in",
                                       inner.value))
        if isinstance(inner, Not):
            return constraints(inner.item)
        return {}
    parts = [constraints(c) for c in cond.items]
    if isinstance(cond, AllOf):
        merged: Constraints = {}
        for part in parts:
            for path, keys in part.items():
                merged[path] = merged[path] & keys if path in merged else keys
        return merged
    if not parts:
        return {}
    common = set(parts[0]).intersection(*parts[1:])
    return {path: frozenset().union(*(p[path] for p in parts)) for path in common}


def _keys(values: Sequence[Any]) -> Keys:
    return frozenset(k for k in (index_key(v) for v in values) if k is not None)


@dataclass(frozen=True)
class Split:
    """Dispatch on one slot: class -> value -> subtree; `other` for every other value."""

    slot: int
    tables: dict[str | None, dict[Any, Any]]
    other: Any  # Split | Leaf


Node = Split | Leaf


def build_index(rules: Sequence[tuple[str, Condition]], first: bool,
                slots: Mapping[str, int]) -> Node:
    """The index tree for one group's rules (in order)."""
    needs = [constraints(cond) for _, cond in rules]
    cache: dict[tuple[tuple[int, ...], tuple[tuple[int, Any], ...]], Leaf] = {}

    def leaf(ids: list[int], known: dict[int, tuple[str, Any]]) -> Leaf:
        # only what the leaf's rules test matters to its code
        tested = {slots[p] for i in ids for p in needs[i]}
        relevant = tuple(sorted(((s, k) for s, k in known.items() if s in tested),
                                key=lambda item: (item[0], repr(item[1]))))
        signature = (tuple(ids), relevant)
        made = cache.get(signature)
        if made is None:
            made = cache[signature] = make_leaf([rules[i] for i in ids], first, slots,
                                                dict(relevant))
        return made

    def build(ids: list[int], known: dict[int, tuple[str, Any]], level: int) -> Node:
        path = _best_path(ids, needs, {p for p, s in slots.items() if s in known})
        if path is None or len(ids) <= LEAF_SIZE or level >= MAX_LEVELS:
            return leaf(ids, known)
        slot = slots[path]
        free = [i for i in ids if path not in needs[i]]
        keys = sorted({k for i in ids if path in needs[i] for k in needs[i][path]}, key=repr)
        tables: dict[str | None, dict[Any, Any]] = {}
        for key in keys:
            bucket = [i for i in ids if path not in needs[i] or key in needs[i][path]]
            tables.setdefault(key[0], {})[key[1]] = build(bucket, {**known, slot: key}, level + 1)
        return Split(slot, tables, build(free, known, level + 1))

    return build(list(range(len(rules))), {}, 0)


def _best_path(ids: list[int], needs: list[Constraints], used: set[str]) -> str | None:
    """The path constrained by the most of these rules (at least a quarter of them, and 2)."""
    counts: dict[str, int] = {}
    for i in ids:
        for path in needs[i]:
            if path not in used:
                counts[path] = counts.get(path, 0) + 1
    if not counts:
        return None
    path = max(sorted(counts), key=lambda p: counts[p])
    return path if counts[path] >= max(2, len(ids) / 4) else None


def dispatcher(root: Node) -> Callable[[list[Any]], tuple[str, ...]]:
    """`values -> matching keys` walking the tree from `root`."""
    if not isinstance(root, Split):
        return root
    from csi_rules.engine.compiled.typing_rules import CLASS_OF, UNKNOWN, klass

    cls_of = CLASS_OF.get

    def run(values: list[Any]) -> tuple[str, ...]:
        node: Any = root
        while node.__class__ is Split:
            x = values[node.slot]
            found: Any = cls_of(x.__class__, UNKNOWN)
            k: str | None = klass(x) if found is UNKNOWN else found
            table = node.tables.get(k)
            node = node.other if table is None else table.get(x, node.other)
        out: tuple[str, ...] = node(values)
        return out

    return run
