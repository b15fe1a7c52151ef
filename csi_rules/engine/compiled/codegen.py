"""Conditions -> Python source, compiled once: the matcher's inner loop is generated code.

A leaf of the index holds a few rules in order. It becomes one function `leaf(v)` over the
record's field values `v` (see `fetch`) that returns the matching rule keys as a tuple: the
first one ("first": a constant tuple, nothing made per record) or all of them ("collect").
Each comparison is written out with the reference's typing rule (`k0 == 'number' and
x0 >= C3`), so nothing is coerced and nothing is looked up twice. Constants, patterns and
keys are passed in a namespace, never written into the source. A sub-condition that occurs
more than once in a leaf is evaluated once per record (a local set on first use). Tests the
index already decided (`category eq "network"` in the "network" bucket) are constants.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from csi_rules.conditions.ast import AllOf, AnyOf, Condition, Matcher, Not
from csi_rules.conditions.evaluate import evaluate, type_class
from csi_rules.conditions.regex import compile_pattern
from csi_rules.engine.compiled.typing_rules import (
    CLASS_OF,
    UNKNOWN,
    contains,
    index_key,
    is_nan,
)
from csi_rules.records.model import MISSING

Leaf = Callable[[list[Any]], tuple[str, ...]]
Known = Mapping[int, tuple[str, Any]]  # slot -> the index key every record here has
MAX_DEPTH = 40  # deeper trees are evaluated by the reference walker (Python's parser nests ~200)

_ORDER = {"lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def node_key(cond: Condition) -> Any:
    """Structural identity of a condition (values by type and repr: lists are unhashable)."""
    if isinstance(cond, Matcher):
        return ("m", cond.path, cond.op, _value_key(cond.value))
    if isinstance(cond, Not):
        return ("not", node_key(cond.item))
    return ("all" if isinstance(cond, AllOf) else "any", tuple(node_key(c) for c in cond.items))


def _value_key(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return ("seq", tuple(_value_key(v) for v in value))
    return (type(value).__name__, repr(value))


def depth(cond: Condition) -> int:
    if isinstance(cond, Matcher):
        return 1
    if isinstance(cond, Not):
        return 1 + depth(cond.item)
    return 1 + max((depth(c) for c in cond.items), default=0)


class _Source:
    """One leaf function being written: its namespace, the slots it reads, its memo locals."""

    def __init__(self, slots: Mapping[str, int], known: Known, shared: set[Any]):
        self.slots, self.known, self.shared = slots, known, shared
        self.names: dict[str, Any] = {"M": MISSING, "CL": CLASS_OF.get, "U": UNKNOWN,
                                      "TC": type_class, "CONTAINS": contains}
        self.values: set[int] = set()
        self.classes: set[int] = set()
        self.memo: dict[Any, str] = {}

    def const(self, value: Any) -> str:
        name = f"c{len(self.names)}"
        self.names[name] = value
        return name

    def x(self, path: str) -> str:
        slot = self.slots[path]
        self.values.add(slot)
        return f"x{slot}"

    def k(self, path: str) -> str:
        slot = self.slots[path]
        self.values.add(slot)
        self.classes.add(slot)
        return f"k{slot}"

    # -- conditions -------------------------------------------------------------------------
    def expr(self, cond: Condition) -> str:
        key = node_key(cond) if self.shared else None
        if key is not None and key in self.shared:
            name = self.memo.get(key)
            if name is None:
                name = self.memo[key] = f"m{len(self.memo)}"
                inner = self._expr(cond)
                if inner in ("True", "False"):
                    return inner
                return f"({name} if {name} is not None else ({name} := {inner}))"
            inner = self._expr(cond)  # constants stay constants; otherwise reuse the local
            return inner if inner in ("True", "False") else \
                f"({name} if {name} is not None else ({name} := {inner}))"
        return self._expr(cond)

    def _expr(self, cond: Condition) -> str:
        if isinstance(cond, Matcher):
            return self.matcher(cond)
        if isinstance(cond, Not):
            inner = self.expr(cond.item)
            return {"True": "False", "False": "True"}.get(inner, f"(not {inner})")
        parts = [self.expr(c) for c in cond.items]
        if isinstance(cond, AllOf):
            if "False" in parts:
                return "False"
            parts = [p for p in parts if p != "True"]
            return f"({' and '.join(parts)})" if parts else "True"
        if "True" in parts:
            return "True"
        parts = [p for p in parts if p != "False"]
        return f"({' or '.join(parts)})" if parts else "False"

    def matcher(self, m: Matcher) -> str:
        op, value = m.op, m.value
        if op == "exists":
            return f"({self.x(m.path)} is not M)" if value else f"({self.x(m.path)} is M)"
        if op in ("ne", "not_in"):
            inner = self.matcher(Matcher(m.path, "eq" if op == "ne" else "in", value))
            return {"True": "False", "False": "True"}.get(inner, f"(not {inner})")
        if op in ("eq", "in"):
            keys = [index_key(value)] if op == "eq" else [index_key(v) for v in value]
            wanted = [k for k in keys if k is not None]
            known = self.known.get(self.slots[m.path])
            if known is not None:
                return "True" if known in wanted else "False"
            return self._membership(m.path, wanted)
        if op in _ORDER:
            return self._ordered(m.path, _ORDER[op], value)
        if op == "between":
            low, high = value
            parts = [self._ordered(m.path, ">=", low), self._ordered(m.path, "<=", high)]
            return "False" if "False" in parts else f"({parts[0]} and {parts[1]})"
        if op == "matches":
            x = self.x(m.path)
            return f"(isinstance({x}, str) and {self.const(compile_pattern(value))}.search({x}) " \
                   "is not None)"
        if op == "contains":
            x, c = self.x(m.path), self.const(value)
            general = f"CONTAINS({x}, {c}, {self.const(type_class(value))})"
            if isinstance(value, str):
                return f"(({c} in {x}) if {x}.__class__ is str else {general})"
            return general
        raise ValueError(f"unknown operator {op!r}")

    def _membership(self, path: str, wanted: list[tuple[str, Any]]) -> str:
        by_class: dict[str, set[Any]] = {}
        for cls, v in wanted:
            by_class.setdefault(cls, set()).add(v)
        if not by_class:
            return "False"
        k, x = self.k(path), self.x(path)
        parts = []
        for cls, values in by_class.items():
            if len(values) == 1:
                parts.append(f"({k} == {cls!r} and {x} == {self.const(next(iter(values)))})")
            else:
                parts.append(f"({k} == {cls!r} and {x} in {self.const(frozenset(values))})")
        return parts[0] if len(parts) == 1 else f"({' or '.join(parts)})"

    def _ordered(self, path: str, sign: str, value: Any) -> str:
        cls = type_class(value)
        if cls is None or cls == "bool":
            return "False"
        return f"({self.k(path)} == {cls!r} and {self.x(path)} {sign} {self.const(value)})"

    def fallback(self, cond: Condition) -> str:
        """The reference walker over the slots, for trees too deep to write as one expression."""
        self.names.setdefault("EV", evaluate)
        for path in _paths(cond):
            self.x(path)
        lookup = self.const(dict(self.slots))
        return f"EV({self.const(cond)}, lambda p: v[{lookup}[p]])"

    def prelude(self) -> list[str]:
        lines = [f"x{s} = v[{s}]" for s in sorted(self.values)]
        for s in sorted(self.classes):
            lines += [f"k{s} = CL(x{s}.__class__, U)", f"if k{s} is U: k{s} = TC(x{s})"]
        lines += [f"{name} = None" for name in self.memo.values()]
        return lines


def _paths(cond: Condition) -> list[str]:
    if isinstance(cond, Matcher):
        return [cond.path]
    if isinstance(cond, Not):
        return _paths(cond.item)
    return [p for c in cond.items for p in _paths(c)]


def _subtrees(cond: Condition) -> list[Any]:
    """Every non-trivial node of the tree (matchers and composites), by structural key."""
    out = [node_key(cond)]
    if isinstance(cond, Not):
        out += _subtrees(cond.item)
    elif isinstance(cond, AllOf | AnyOf):
        for c in cond.items:
            out += _subtrees(c)
    return out


def make_leaf(rules: Sequence[tuple[str, Condition]], first: bool, slots: Mapping[str, int],
              known: Known) -> Leaf:
    """The function for one leaf: `rules` in order as (key, condition)."""
    counts: Counter[Any] = Counter()
    for _, cond in rules:
        counts.update(set(_subtrees(cond)))
    shared = {k for k, n in counts.items() if n > 1 and k[0] != "m"} | \
             {k for k, n in counts.items() if n > 2}
    src = _Source(slots, known, shared)
    body: list[str] = [] if first else ["out = []"]
    for key, cond in rules:
        test = src.fallback(cond) if depth(cond) > MAX_DEPTH else src.expr(cond)
        if test == "False":
            continue
        hit = f"return {src.const((key,))}" if first else f"out.append({src.const(key)})"
        body.append(hit if test == "True" else f"if {test}: {hit}")
        if first and test == "True":
            break
    body.append("return ()" if first else "return tuple(out)")
    lines = ["def leaf(v):", *("    " + line for line in [*src.prelude(), *body])]
    namespace = dict(src.names)
    exec(compile("\n".join(lines), "<csi_rules compiled leaf>", "exec"), namespace)
    leaf: Leaf = namespace["leaf"]
    return leaf


__all__ = ["Known", "Leaf", "is_nan", "make_leaf", "node_key"]

