"""Exact reasons for one rule: the same `Reason`s as `conditions.evaluate.explain` (every
matcher in document order, no short-circuit, with the value it saw), built only for the rules
that matched or that a caller asks about, and only when read.

A rule's reasons are made from the field values its decision read, each matcher's truth by
the reference's own `apply_operator`, so they cannot drift from the reference. A `Reason`
depends only on its matcher and the value seen, so for values of a few exact classes the one
made first is kept and given again (immutable, equal in every field; values like priority,
category and state repeat from record to record), per matcher and per rule: reading a
decision's reasons is then about one lookup per matched rule. Nothing is generated: the
first read of a rule costs what a later one does (a generated builder cost ~0.5 ms a rule
in `compile()` and text, paid on some unlucky decision).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from csi_rules.conditions.ast import Condition, Matcher, matchers
from csi_rules.conditions.evaluate import Reason, apply_operator
from csi_rules.engine.compiled.codegen import node_key
from csi_rules.engine.compiled.fetch import getter
from csi_rules.engine.compiled.reasons import LazyReasons, Values
from csi_rules.engine.groups import RuleGroup
from csi_rules.records.model import MISSING

CACHE_SIZE = 4096  # kept Reasons (and kept whole tuples); beyond that new ones are not kept
# exact classes whose equal values print the same (not float: -0.0 == 0.0; not datetime:
# equal instants in different offsets), so a kept Reason shows what the record held
_KEPT_CLASSES = frozenset({str, int, bool, type(MISSING)})


class _Kept:
    """One CompiledMatcher's kept Reasons (by condition matcher and value seen) and kept
    Reason tuples (by rule and the values it saw)."""

    def __init__(self) -> None:
        self.reasons: dict[tuple[int, type, Any], Reason] = {}
        self.tuples: dict[tuple[Any, ...], tuple[Reason, ...]] = {}
        self._ids: dict[Any, int] = {}
        self._lock = threading.Lock()

    def matcher_id(self, m: Matcher) -> int:
        """One number per distinct matcher (structurally), never shared by two."""
        key = node_key(m)
        found = self._ids.get(key)  # numbered already (most are: rules share their matchers)
        if found is not None:
            return found
        with self._lock:
            return self._ids.setdefault(key, len(self._ids))


class _Rule:
    """One rule's `values -> reasons` (`values[slot]` is a field's value as the decision read
    it: the matcher's list of every field, or a dict of this rule's own). Its matchers are
    walked and numbered on its first call, so a rule whose reasons nobody reads costs one
    small object."""

    __slots__ = ("_cond", "_kept", "_number", "_seen", "_slots", "_steps")

    def __init__(self, cond: Condition, slots: Mapping[str, int], kept: _Kept, number: int):
        self._cond, self._slots, self._kept, self._number = cond, slots, kept, number
        self._steps: list[tuple[int, str, str, Any, int]] | None = None
        self._seen: Callable[[Values], tuple[Any, ...]] = _nothing

    def _prepare(self) -> list[tuple[int, str, str, Any, int]]:
        """Two threads may both prepare: equal steps either way (`_seen` is set first, so a
        thread that finds the steps finds their reader too)."""
        kept, slots = self._kept, self._slots
        steps = [(kept.matcher_id(m), m.path, m.op, m.value, slots[m.path])
                 for m in matchers(self._cond)]
        read = tuple(dict.fromkeys(step[4] for step in steps))
        # values -> a tuple of the values this rule read (itemgetter of one slot gives the
        # value itself, so that slot is read twice; of none there is nothing to read)
        self._seen = (itemgetter(*read, *read) if len(read) == 1 else itemgetter(*read)
                      if read else _nothing)
        self._steps = steps
        return steps

    def __call__(self, values: Values) -> tuple[Reason, ...]:
        steps = self._steps
        if steps is None:
            steps = self._prepare()
        seen = self._seen(values)
        classes = tuple(map(type, seen))
        whole = (self._number, classes, seen) if _KEPT_CLASSES.issuperset(classes) else None
        tuples = self._kept.tuples
        if whole is not None:
            found = tuples.get(whole)
            if found is not None:
                return found
        kept = self._kept.reasons
        out = []
        for number, path, op, expected, slot in steps:
            actual = values[slot]
            if actual.__class__ in _KEPT_CLASSES:
                key = (number, actual.__class__, actual)
                reason = kept.get(key)
                if reason is None:
                    reason = Reason(path, op, expected, actual,
                                    apply_operator(op, actual, expected))
                    if len(kept) < CACHE_SIZE:
                        kept[key] = reason
            else:
                reason = Reason(path, op, expected, actual, apply_operator(op, actual, expected))
            out.append(reason)
        result = tuple(out)
        if whole is not None and len(tuples) < CACHE_SIZE:
            tuples[whole] = result
        return result


def _nothing(values: Values) -> tuple[Any, ...]:
    return ()


class RuleReasons:
    """Every rule's reasons maker (`deferred[group][key]`, a `_Rule` that prepares itself on
    its first call: the build of the matcher pays one small object a rule for reasons)."""

    def __init__(self, groups: Sequence[RuleGroup], slots: Mapping[str, int]):
        self._slots = slots
        self._conditions = {(g.group_id, s.key): s.condition for g in groups for s in g.rules}
        kept = _Kept()
        self._own: dict[tuple[str, str], list[tuple[int, Callable[[Any, datetime], Any]]]] = {}
        self.deferred: dict[str, dict[str, Callable[[Values], tuple[Reason, ...]]]] = {
            g.group_id: {} for g in groups}
        for number, ((group_id, key), cond) in enumerate(self._conditions.items()):
            self.deferred[group_id][key] = _Rule(cond, slots, kept, number)

    def explain(self, group_id: str, key: str, data: Any, now: datetime) -> Sequence[Reason]:
        """One rule's reasons for `data` at `now`, reading only the rule's own fields."""
        rule = (group_id, key)
        own = self._own.get(rule)
        if own is None:
            paths = dict.fromkeys(m.path for m in matchers(self._conditions[rule]))
            own = self._own[rule] = [(self._slots[p], getter(p)) for p in paths]
        return LazyReasons(self.deferred[group_id][key],
                           {slot: get(data, now) for slot, get in own})
