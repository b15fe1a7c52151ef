"""Exact reasons for one rule, compiled: the same `Reason`s as `conditions.evaluate.explain`
(every matcher in document order, no short-circuit, with the value it saw), built only for
the rules that matched or that a caller asks about, and only when read.

A rule's builder `build(values)` makes its `Reason`s from the values of the fields it reads.
Each matcher's truth is written by `codegen`, the code the matcher itself runs (the
reference's typing rules; the engine tests check every reason against the reference's
`explain`), so a reason says exactly what decided the match. Rules of the same shape (same
fields, operators and value classes: a table of 1,000 `priority == P and category == C`
rows is one shape) share one generated function and differ only in the constants passed to
it; `compile()` costs ~1 ms, too much to pay once per rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from csi_rules.conditions.ast import Condition, matchers
from csi_rules.conditions.evaluate import Reason
from csi_rules.engine.compiled.codegen import Source
from csi_rules.engine.compiled.fetch import getter
from csi_rules.engine.compiled.reasons import Build, LazyReasons

Explain = Callable[[Any, datetime], Sequence[Reason]]


class _Indirect(Source):
    """Constants read from the function's argument `C` instead of its namespace, so one
    function serves every rule with the same source text."""

    def __init__(self, slots: Mapping[str, int]):
        super().__init__(slots, {}, set())
        self.consts: list[Any] = []

    def const(self, value: Any) -> str:
        self.consts.append(value)
        return f"C[{len(self.consts) - 1}]"


class Builders:
    """Makes each rule's builder, compiling each distinct shape once."""

    def __init__(self) -> None:
        self._compiled: dict[str, Callable[..., tuple[Reason, ...]]] = {}

    def builder(self, cond: Condition, paths: Sequence[str]) -> Build:
        """`values -> reasons`, `values` being the fields' values in the order of `paths`."""
        src = _Indirect({path: i for i, path in enumerate(paths)})
        items = [f"R({src.const(m.path)}, {src.const(m.op)}, {src.const(m.value)}, "
                 f"{src.x(m.path)}, {src.matcher(m)})" for m in matchers(cond)]
        for path in paths:
            src.x(path)
        body = [*src.prelude(), f"return ({''.join(item + ', ' for item in items)})"]
        text = "\n".join(["def build(v, C):", *("    " + line for line in body)])
        function = self._compiled.get(text)
        if function is None:
            names = {**src.names, "R": Reason}
            exec(compile(text, "<csi_rules compiled reasons>", "exec"), names)
            function = self._compiled[text] = names["build"]
        return partial(function, C=tuple(src.consts))


def rule_paths(cond: Condition) -> list[str]:
    """The fields a rule reads, each once, in document order: what its builder takes."""
    return list(dict.fromkeys(m.path for m in matchers(cond)))


def make_explainer(paths: Sequence[str], build: Build) -> Explain:
    """`(record.data, now) -> reasons` for one rule (the `Reason`s made when first read)."""
    getters = [getter(path) for path in paths]

    def explain(data: Any, now: datetime) -> Sequence[Reason]:
        return LazyReasons(build, tuple([get(data, now) for get in getters]))

    return explain
