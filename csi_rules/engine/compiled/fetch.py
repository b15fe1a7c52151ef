"""Field getters for the compiled matcher (the generated entry reads plain fields inline).

Exactly `engine.lookup.record_lookup`: a dotted path walks mappings, an absent or null step is
MISSING, and the derived fields (`age_seconds`, `idle_seconds`) are seconds since their source
field at `now`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from csi_rules.engine.lookup import DERIVED_FROM, seconds_since
from csi_rules.records.model import MISSING, path_value


def deep_get(data: Any, parts: tuple[str, ...]) -> Any:
    """`Record.get` for a dotted path already split into parts."""
    return path_value(data, parts)


def _top(path: str) -> Callable[[Any], Any]:
    def get(data: Any) -> Any:
        if isinstance(data, dict):
            value = data.get(path)
            return MISSING if value is None else value
        return deep_get(data, (path,))

    return get


def getter(path: str) -> Callable[[Any, datetime], Any]:
    source = DERIVED_FROM.get(path)
    if source is not None:
        read = getter(source)
        return lambda data, now: seconds_since(read(data, now), now)
    if "." not in path:
        top = _top(path)
        return lambda data, now: top(data)
    parts = tuple(path.split("."))
    return lambda data, now: deep_get(data, parts)
