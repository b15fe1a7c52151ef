"""Exact reasons for one rule: the same `Reason`s as `conditions.evaluate.explain` (every
matcher in document order, no short-circuit, with the value it saw), built only for the rules
that matched or that a caller asks about, and only when read.

A rule's reasons are made from the field values its decision read, each matcher's truth by
the reference's own `apply_operator`, so they cannot drift from the reference. A `Reason`
depends only on its matcher and the value seen. Matchers are numbered structurally (rules
share `priority eq 1`), and a decision's values come wrapped in `FieldValues`: a dict of the
Reasons of those values by matcher number, each made when first asked for. A rule's reasons
maker is then an `itemgetter` of its matchers' numbers (all in C: no Python call per rule
read), and a record's 25 matched rules over 3 matchers each make each distinct matcher's
Reason once (~9 at collect/1,000), not each rule's tuple (a tuple kept per rule and values
missed on most first reads there: ~4 us a rule). For values of a few exact classes the
Reason made first is also kept across records (immutable, equal in every field; values like
priority, category and state repeat). Nothing is generated (a generated builder cost ~0.5 ms
a rule in `compile()` and text).
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

CACHE_SIZE = 4096  # Reasons kept across records (by matcher and value); beyond that not kept
# exact classes whose equal values print the same (not float: -0.0 == 0.0; not datetime:
# equal instants in different offsets), so a kept Reason shows what the record held
_KEPT_CLASSES = frozenset({str, int, bool, type(MISSING)})
# a matcher constant of these classes is told apart from its equals by its class alone
_PLAIN_CONSTANTS = frozenset({str, int, bool, type(None)})

Make = Callable[[Values], tuple[Reason, ...]]
Step = tuple[str, str, Any, int]  # a numbered matcher's path, op, expected, slot
Known = dict[type, dict[Any, Reason]]  # a matcher's kept Reasons, by class and value seen


class _Kept:
    """One CompiledMatcher's numbered matchers (`steps[number]`) and its Reasons kept across
    records (by matcher number, class and value seen); `values` wraps one decision's field
    values. Dict reads and writes are atomic; two threads making the same entry make equal
    ones."""

    def __init__(self) -> None:
        self.steps: list[Step] = []
        self.known: list[Known | None] = []  # by matcher number, made on first keep
        self.kept = [0]  # Reasons kept so far (a count two threads may both raise: a bound)
        self._ids: dict[Any, int] = {}
        # this matcher's own FieldValues: its tables are class attributes, so a decision's is
        # made with one slot set (no __init__ in Python)
        self.values_class = type("FieldValues", (FieldValues,), {
            "__slots__": (), "_steps": self.steps, "_known": self.known, "_kept": self.kept})

    def matcher_id(self, m: Matcher, slot: int) -> int:
        """One number per distinct matcher (structurally: `1`, `1.0`, `True` and `"1"` are
        four; a constant that may not equal itself, NaN, is its own), never shared by two;
        called while the matcher is built (one thread)."""
        value = m.value
        if value.__class__ in _PLAIN_CONSTANTS:
            key: Any = (m.path, m.op, value.__class__, value)
        else:
            key = node_key(m)  # ("m", path, op, the value by type and repr)
            if "nan" in repr(key[3]):
                key = (key, id(value))
        found = self._ids.get(key)
        if found is None:
            found = self._ids[key] = len(self.steps)
            self.steps.append((m.path, m.op, value, slot))
            self.known.append(None)
        return found

    def values(self, read: Sequence[Any] | Mapping[int, Any]) -> FieldValues:
        """`read` (field values by slot) wrapped for its reasons."""
        wrapped = self.values_class()
        SET_READ(wrapped, read)
        return wrapped


class FieldValues(dict[int, Any]):
    """The field values one decision read (`read[slot]`, never changed), and the Reason of
    each matcher for them by matcher number (`self[number]`; a rule of one matcher asks for
    `-1 - number`, its reasons tuple), each made when first asked for and then kept."""

    __slots__ = ("read",)
    read: Sequence[Any] | Mapping[int, Any]
    _steps: list[Step]  # class attributes of each matcher's own subclass
    _known: list[Known | None]
    _kept: list[int]

    def __missing__(self, number: int) -> Any:
        if number < 0:  # a rule of one matcher: its reasons as a tuple
            made = self[number] = (self[-1 - number],)
            return made
        path, op, expected, slot = self._steps[number]
        actual = self.read[slot]
        by_class = self._known[number]
        if by_class is not None:
            known = by_class.get(actual.__class__)
            if known is not None:
                reason = known.get(actual)
                if reason is not None:
                    self[number] = reason
                    return reason
        reason = new_reason(path, op, expected, actual, apply_operator(op, actual, expected))
        actual_class = actual.__class__
        kept = self._kept
        if actual_class in _KEPT_CLASSES and kept[0] < CACHE_SIZE:
            if by_class is None:
                by_class = self._known[number] = {}
            by_class.setdefault(actual_class, {})[actual] = reason
            kept[0] += 1
        self[number] = reason
        return reason


SET_READ = FieldValues.__dict__["read"].__set__
_new = object.__new__


def new_reason(path: str, op: str, expected: Any, actual: Any, result: bool) -> Reason:
    """`Reason(path, op, expected, actual, result)` with its fields set at once: the frozen
    dataclass's `__init__` sets each through `object.__setattr__`, ~2x the cost (a first read
    at collect/1,000 makes ~9; a float or date-time value makes one on every read). The same
    object: the same class and attributes (in field order), so equal, hashed, printed and
    pickled alike (there is no __post_init__)."""
    reason = _new(Reason)
    fields = reason.__dict__
    fields["path"], fields["op"], fields["expected"], fields["actual"], fields["result"] = (
        path, op, expected, actual, result)
    return reason


def _rule_maker(numbers: list[int]) -> Make:
    """`values -> reasons` for one rule (its matchers' numbers in document order): an
    itemgetter over the decision's `FieldValues` (a C call: nothing in Python per read)."""
    if not numbers:
        return _nothing
    if len(numbers) == 1:
        return itemgetter(-1 - numbers[0])  # the one-matcher rule's tuple, kept by that key
    return itemgetter(*numbers)  # 2+ items: a tuple


def _nothing(values: Values) -> tuple[Reason, ...]:
    return ()


class RuleReasons:
    """Every rule's reasons maker (`deferred[group][key]`: `values -> reasons`, `values` a
    `FieldValues` of `values_class`), made with the matcher."""

    def __init__(self, groups: Sequence[RuleGroup], slots: Mapping[str, int]):
        self._slots = slots
        self._conditions: dict[tuple[str, str], Condition] = {
            (g.group_id, s.key): s.condition for g in groups for s in g.rules}
        self._own: dict[tuple[str, str], list[tuple[int, Callable[[Any, datetime], Any]]]] = {}
        self._kept = kept = _Kept()
        number_of = kept.matcher_id
        self.values_class = kept.values_class
        self.deferred: dict[str, dict[str, Make]] = {g.group_id: {} for g in groups}
        for (group_id, key), cond in self._conditions.items():
            numbers = [number_of(m, slots[m.path]) for m in matchers(cond)]
            self.deferred[group_id][key] = _rule_maker(numbers)

    def explain(self, group_id: str, key: str, data: Any, now: datetime) -> Sequence[Reason]:
        """One rule's reasons for `data` at `now`, reading only the rule's own fields."""
        rule = (group_id, key)
        own = self._own.get(rule)
        if own is None:
            paths = dict.fromkeys(m.path for m in matchers(self._conditions[rule]))
            own = self._own[rule] = [(self._slots[p], getter(p)) for p in paths]
        return LazyReasons(self.deferred[group_id][key],
                           self._kept.values({slot: get(data, now) for slot, get in own}))
