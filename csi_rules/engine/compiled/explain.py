"""Exact reasons for one rule: the same `Reason`s as `conditions.evaluate.explain` (every
matcher in document order, no short-circuit, with the value it saw), built only for the rules
that matched or that a caller asks about, and only when read.

A rule's reasons are made from the field values its decision read, each matcher's truth by
the reference's own `apply_operator`, so they cannot drift from the reference. A `Reason`
depends only on its matcher and the value seen, so for values of a few exact classes the one
made first is kept and given again (immutable, equal in every field; values like priority,
category and state repeat from record to record), per matcher and per rule: reading a
decision's reasons is then about one lookup per matched rule. Each rule's maker is made with
the matcher (its matchers walked and numbered then: ~5 µs a rule at build), so no decision
pays for a rule read for the first time. Nothing is generated (a generated builder cost
~0.5 ms a rule in `compile()` and text).
"""

from __future__ import annotations

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

CACHE_SIZE = 4096  # kept Reasons (by matcher and value); beyond that new ones are not kept
TUPLES_SIZE = 16384  # kept whole reason tuples (by rule and values): ~3.5 MB when full
# exact classes whose equal values print the same (not float: -0.0 == 0.0; not datetime:
# equal instants in different offsets), so a kept Reason shows what the record held
_KEPT_CLASSES = frozenset({str, int, bool, type(MISSING)})
# a matcher constant of these classes is told apart from its equals by its class alone
_PLAIN_CONSTANTS = frozenset({str, int, bool, type(None)})

Make = Callable[[Values], tuple[Reason, ...]]
Step = tuple[int, str, str, Any, int]  # matcher number, path, op, expected, slot


class _Kept:
    """One CompiledMatcher's kept Reasons (by matcher number, class and value seen) and kept
    Reason tuples (by rule number, the values it saw and their classes). Dict reads and
    writes are atomic; two threads making the same entry make equal ones."""

    def __init__(self) -> None:
        self.reasons: dict[tuple[int, type, Any], Reason] = {}
        self.tuples: dict[tuple[Any, ...], tuple[Reason, ...]] = {}
        self._ids: dict[Any, int] = {}

    def matcher_id(self, m: Matcher) -> int:
        """One number per distinct matcher (structurally: `1`, `1.0`, `True` and `"1"` are
        four), never shared by two; called while the matcher is built (one thread)."""
        value = m.value
        key = ((m.path, m.op, value.__class__, value) if value.__class__ in _PLAIN_CONSTANTS
               else node_key(m))
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = len(self._ids)
        return found


def _rule_maker(number: int, steps: list[Step], kept: _Kept) -> Make:
    """`values -> reasons` for one rule: its kept tuple when the values it read were seen
    before (one itemgetter, one dict lookup), else made step by step (and kept)."""
    read = tuple(dict.fromkeys(step[4] for step in steps))
    if not read:
        return _nothing
    # itemgetter of one slot gives the value itself: read that slot twice to get a tuple
    seen_of = itemgetter(*read, *read) if len(read) == 1 else itemgetter(*read)
    tuples, reasons, kept_classes = kept.tuples, kept.reasons, _KEPT_CLASSES

    def make(values: Values) -> tuple[Reason, ...]:
        seen = seen_of(values)
        whole = (number, *seen, *map(type, seen))
        try:  # a hit holds only kept classes: the key's classes are the values' own
            found = tuples.get(whole)
        except TypeError:  # an unhashable value (a list): never kept
            found = None
        if found is not None:
            return found
        keep = kept_classes.issuperset(whole[len(whole) // 2 + 1:])
        out = []
        for matcher, path, op, expected, slot in steps:
            actual = values[slot]
            if actual.__class__ in kept_classes:
                key = (matcher, actual.__class__, actual)
                reason = reasons.get(key)
                if reason is None:
                    reason = Reason(path, op, expected, actual,
                                    apply_operator(op, actual, expected))
                    if len(reasons) < CACHE_SIZE:
                        reasons[key] = reason
            else:
                reason = Reason(path, op, expected, actual, apply_operator(op, actual, expected))
            out.append(reason)
        result = tuple(out)
        if keep and len(tuples) < TUPLES_SIZE:
            tuples[whole] = result
        return result

    return make


def _nothing(values: Values) -> tuple[Reason, ...]:
    return ()


class RuleReasons:
    """Every rule's reasons maker (`deferred[group][key]`: `values -> reasons`), made with the
    matcher."""

    def __init__(self, groups: Sequence[RuleGroup], slots: Mapping[str, int]):
        self._slots = slots
        self._conditions: dict[tuple[str, str], Condition] = {
            (g.group_id, s.key): s.condition for g in groups for s in g.rules}
        self._own: dict[tuple[str, str], list[tuple[int, Callable[[Any, datetime], Any]]]] = {}
        kept = _Kept()
        number_of = kept.matcher_id
        self.deferred: dict[str, dict[str, Make]] = {g.group_id: {} for g in groups}
        for number, ((group_id, key), cond) in enumerate(self._conditions.items()):
            steps = [(number_of(m), m.path, m.op, m.value, slots[m.path])
                     for m in matchers(cond)]
            self.deferred[group_id][key] = _rule_maker(number, steps, kept)

    def explain(self, group_id: str, key: str, data: Any, now: datetime) -> Sequence[Reason]:
        """One rule's reasons for `data` at `now`, reading only the rule's own fields."""
        rule = (group_id, key)
        own = self._own.get(rule)
        if own is None:
            paths = dict.fromkeys(m.path for m in matchers(self._conditions[rule]))
            own = self._own[rule] = [(self._slots[p], getter(p)) for p in paths]
        return LazyReasons(self.deferred[group_id][key],
                           {slot: get(data, now) for slot, get in own})
