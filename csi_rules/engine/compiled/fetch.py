"""Field slots: every path a compiled program reads, fetched once per record into a list.

Exactly `engine.lookup.record_lookup`: a dotted path walks mappings, an absent or null step is
MISSING, and the derived fields (`age_seconds`, `idle_seconds`) are seconds since their source
field at `now`. Top-level paths (the common case) are one `dict.get` each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from csi_rules.engine.lookup import DERIVED_FROM, seconds_since
from csi_rules.records.model import MISSING

Fetch = Callable[[Any, datetime], list[Any]]


def deep_get(data: Any, parts: tuple[str, ...]) -> Any:
    """`Record.get` for a dotted path already split into parts."""
    value = data
    for part in parts:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            return MISSING
        if value is None:
            return MISSING
    return value


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


def make_fetch(paths: Sequence[str]) -> Fetch:
    """A function `(record.data, now) -> [value of each path]` in the order of `paths`.

    Plain top-level fields are read inline (no call per field); others go through a getter.
    """
    if not paths:
        return lambda data, now: []
    plain = [p for p in paths if "." not in p and p not in DERIVED_FROM]
    if len(plain) == len(paths):
        names = tuple(paths)

        def fetch_plain(data: Any, now: datetime) -> list[Any]:
            if not isinstance(data, dict):
                return [deep_get(data, (n,)) for n in names]
            get = data.get
            out = [get(n) for n in names]
            return [MISSING if v is None else v for v in out]

        return fetch_plain
    getters = tuple(getter(p) for p in paths)
    return lambda data, now: [g(data, now) for g in getters]
