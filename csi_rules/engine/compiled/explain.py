"""Exact reasons for one rule, compiled: the same `Reason`s as `conditions.evaluate.explain`
(every matcher in document order, no short-circuit, with the value it saw), built only for
the rules that matched or that a caller asks about. Each matcher's field getter is resolved
once; its truth is the reference's own `apply_operator`, so the reasons cannot drift."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from csi_rules.conditions.ast import Condition, matchers
from csi_rules.conditions.evaluate import Reason, apply_operator
from csi_rules.engine.compiled.fetch import getter

Explain = Callable[[Any, datetime], tuple[Reason, ...]]


def make_explainer(cond: Condition) -> Explain:
    """`(record.data, now) -> reasons` for one rule's condition."""
    steps = [(m.path, m.op, m.value, getter(m.path)) for m in matchers(cond)]

    def explain(data: Any, now: datetime) -> tuple[Reason, ...]:
        out = []
        for path, op, value, get in steps:
            actual = get(data, now)
            out.append(Reason(path, op, value, actual, apply_operator(op, actual, value)))
        return tuple(out)

    return explain
