"""Exact reasons for one rule, compiled: the same `Reason`s as `conditions.evaluate.explain`
(every matcher in document order, no short-circuit, with the value it saw), built only for
the rules that matched or that a caller asks about, and only when read.

A rule's builder `build(values)` makes its `Reason`s from the field values its decision read.
Each matcher's truth is written by `codegen`, the code the matcher itself runs (the
reference's typing rules; the engine tests check every reason against the reference's
`explain`), so a reason says exactly what decided the match. Rules of the same shape (same
fields, operators and value classes: a table of 1,000 `priority == P and category == C`
rows is one shape) share one generated function and differ only in the constants passed to
it (`compile()` costs ~1 ms, too much to pay per rule), and a rule's builder is made the
first time its reasons are read, so building the matcher pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from csi_rules.conditions.ast import Condition, matchers
from csi_rules.conditions.evaluate import Reason
from csi_rules.engine.compiled.codegen import Source, node_key
from csi_rules.engine.compiled.fetch import getter
from csi_rules.engine.compiled.reasons import Build, LazyReasons, Values
from csi_rules.engine.groups import RuleGroup
from csi_rules.records.model import MISSING


class _Indirect(Source):
    """Constants read from the function's argument `C` instead of its namespace, so one
    function serves every rule with the same source text."""

    def __init__(self, slots: Mapping[str, int]):
        super().__init__(slots, {}, set())
        self.consts: list[Any] = []

    def const(self, value: Any) -> str:
        self.consts.append(value)
        return f"C[{len(self.consts) - 1}]"


CACHE_SIZE = 4096  # interned Reasons per matcher; beyond that new ones are made, not kept
# exact classes whose equal values print the same (not float: -0.0 == 0.0; not datetime:
# equal instants in different offsets), so an interned Reason shows what the record held
_INTERNED = frozenset({str, int, bool, type(MISSING)})


class Builders:
    """Makes each rule's builder, compiling each distinct shape once.

    A `Reason` depends only on its matcher and the value seen, so for the values of a few
    exact classes the `Reason` made once is kept and given again (it is immutable and equal
    in every field; field values like priority, category, state repeat from record to
    record): reading the reasons of a decision is then a dict lookup per matcher."""

    def __init__(self) -> None:
        self._compiled: dict[str, Callable[..., tuple[Reason, ...]]] = {}
        self._ids: dict[Any, int] = {}
        self._interned: dict[tuple[int, type, Any], Reason] = {}
        self._whole: dict[tuple[Any, ...], tuple[Reason, ...]] = {}
        self._rules = 0

    def builder(self, cond: Condition, slots: Mapping[str, int]) -> Build:
        """`values -> reasons`: `values[slots[path]]` is the value of `path` (a list of every
        field's value, or a dict of just this rule's)."""
        src = _Indirect(slots)
        body, names = [], []
        for i, m in enumerate(matchers(cond)):
            x = src.x(m.path)
            made = (f"R({src.const(m.path)}, {src.const(m.op)}, {src.const(m.value)}, {x}, "
                    f"{src.matcher(m)})")
            number = self._ids.setdefault(node_key(m), len(self._ids))
            body += [f"if {x}.__class__ in OK:",
                     f"    key = ({src.const(number)}, {x}.__class__, {x})",
                     f"    r{i} = GET(key)",
                     f"    if r{i} is None:",
                     f"        r{i} = {made}",
                     f"        if len(KEPT) < SIZE: KEPT[key] = r{i}",
                     f"else: r{i} = {made}"]
            names.append(f"r{i}")
        loads = [line for line in src.prelude() if line.startswith("x")]
        xs = [line.split(" = ")[0] for line in loads]
        rule = src.const(self._rules)
        self._rules += 1
        whole = [  # the whole tuple, kept per rule and values, when all values are kept kinds
            f"if {' and '.join(f'{x}.__class__ in OK' for x in xs) or 'True'}:",
            f"    whole = ({rule}, {''.join(f'{x}.__class__, {x}, ' for x in xs)})",
            "    found = GET_WHOLE(whole)",
            "    if found is not None: return found",
            "else: whole = None"]
        body = [*loads, *whole, *(line for line in src.prelude() if not line.startswith("x")),
                *body, f"out = ({''.join(n + ', ' for n in names)})",
                "if whole is not None and len(WHOLE) < SIZE: WHOLE[whole] = out",
                "return out"]
        text = "\n".join(["def build(v, C):", *("    " + line for line in body)])
        function = self._compiled.get(text)
        if function is None:
            scope = {**src.names, "R": Reason, "OK": _INTERNED, "KEPT": self._interned,
                     "GET": self._interned.get, "WHOLE": self._whole,
                     "GET_WHOLE": self._whole.get, "SIZE": CACHE_SIZE}
            exec(compile(text, "<csi_rules compiled reasons>", "exec"), scope)
            function = self._compiled[text] = scope["build"]
        return partial(function, C=tuple(src.consts))


class RuleReasons:
    """Every rule's builder, made the first time one of its reasons is read (the build of the
    matcher pays nothing for reasons; a rule whose reasons nobody reads costs one `partial`)."""

    def __init__(self, groups: Sequence[RuleGroup], slots: Mapping[str, int]):
        self._slots = slots
        self._conditions = {(g.group_id, s.key): s.condition for g in groups for s in g.rules}
        self._shapes = Builders()
        self._made: dict[tuple[str, str], Build] = {}
        self._own: dict[tuple[str, str], list[tuple[int, Callable[[Any, datetime], Any]]]] = {}
        self.deferred: dict[str, dict[str, Build]] = {g.group_id: {} for g in groups}
        for group_id, key in self._conditions:
            self.deferred[group_id][key] = partial(self._build, (group_id, key))

    def _build(self, rule: tuple[str, str], values: Values) -> tuple[Reason, ...]:
        build = self._made.get(rule)
        if build is None:  # two threads may both make it: the same function either way
            build = self._made[rule] = self._shapes.builder(self._conditions[rule], self._slots)
        return build(values)

    def explain(self, group_id: str, key: str, data: Any, now: datetime) -> Sequence[Reason]:
        """One rule's reasons for `data` at `now`, reading only the rule's own fields."""
        rule = (group_id, key)
        own = self._own.get(rule)
        if own is None:
            paths = dict.fromkeys(m.path for m in matchers(self._conditions[rule]))
            own = self._own[rule] = [(self._slots[p], getter(p)) for p in paths]
        return LazyReasons(self.deferred[group_id][key],
                           {slot: get(data, now) for slot, get in own})
