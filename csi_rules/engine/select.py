"""Engine choice by name: `compiled` (default), `durable` (the second, verifying engine) and
`reference` (the plain-Python oracle). Every place that evaluates rule groups takes one of
these names, so `engine: durable` is selectable wherever the compiled matcher runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from csi_rules.engine.groups import RuleGroup
from csi_rules.errors import EngineError

ENGINES: tuple[str, ...] = ("compiled", "durable", "reference")
DEFAULT_ENGINE = "compiled"


def matcher_factory(name: str) -> Callable[..., Any]:
    """The matcher class for `name` (imported on demand: durable starts a worker process)."""
    if name == "compiled":
        from csi_rules.engine.compiled import CompiledMatcher

        return CompiledMatcher
    if name == "durable":
        from csi_rules.engine.matcher import DurableMatcher

        return DurableMatcher
    if name == "reference":
        from csi_rules.engine.reference import ReferenceMatcher

        return ReferenceMatcher
    raise EngineError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")


def make_matcher(groups: Sequence[RuleGroup], engine: str = DEFAULT_ENGINE, **options: Any) -> Any:
    return matcher_factory(engine)(groups, **options)
