"""Match results made once and shared: every record whose rules matched alike gets one object.

A result is `{group id: [matching keys]}`. Routing data repeats: at 1,000 rules a 100,000-record
batch had at most a few hundred distinct results, yet each record got its own dict and list
(~400 bytes: a caller keeping every result kept 39 MiB of copies). The matcher now looks each
result up by its keys and gives the one made first, so a kept result costs the caller one
reference. Shared results cannot be changed: `SharedResult` (a dict) and `SharedKeys` (a list)
refuse every in-place change with a TypeError naming the way out (`dict(r)`, `list(keys)`);
they compare, print, iterate, JSON-encode, copy and pickle as the plain dict and list (a copy
or an unpickled one is plain, and can be changed). The table is bounded by count and by the
keys its results hold, so a long-running matcher of big collect results stays small.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NoReturn

KEPT = 4096  # distinct results kept; when full the table starts over (made ones stay valid)
KEPT_KEYS = 1 << 18  # matching keys held by the kept results (~4 MiB): a bound on size, not count


def _refuse(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError(f"a compiled match result is shared between records and cannot be "
                    f"changed; copy it first ({'list' if isinstance(self, list) else 'dict'}"
                    f"(...))")


class SharedKeys(list[str]):
    """One group's matching keys, shared by every result that has them."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return (list, (list(self),))


class SharedResult(dict[str, list[str]]):
    """`{group id: SharedKeys}`, shared by every record with the same matches."""

    __slots__ = ()

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


for _name in ("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
              "__setitem__", "__delitem__", "__iadd__", "__imul__"):
    setattr(SharedKeys, _name, _refuse)
for _name in ("__setitem__", "__delitem__", "clear", "pop", "popitem", "setdefault", "update",
              "__ior__"):
    setattr(SharedResult, _name, _refuse)


class Results:
    """The results one matcher has made, by their keys: `known.get(key)`, else `make(key)`.
    `key` is the one group's tuple of keys, or a tuple of one such tuple per group. A new
    result takes each group's `SharedKeys` made before for the same keys (a record matching
    alike in some groups and not in others still shares those). Dict reads and writes are
    atomic; two threads making one result make equal ones."""

    def __init__(self, group_ids: Sequence[str]):
        self._ids = tuple(group_ids)
        self._one = len(self._ids) == 1
        self.known: dict[tuple[Any, ...], SharedResult] = {}
        self._lists: dict[tuple[str, ...], SharedKeys] = {}
        self._keys_held = 0  # approximate under threads: a lost count only delays a start-over

    def make(self, key: tuple[Any, ...]) -> SharedResult:
        lists = self._lists
        made = []
        for part in (key,) if self._one else key:
            found = lists.get(part)
            if found is None:
                if len(lists) >= KEPT or self._keys_held >= KEPT_KEYS:
                    lists.clear()  # start over; lists already given out stay as they are
                    self.known.clear()  # (a long-running matcher of big collect results
                    self._keys_held = 0  # would otherwise hold 4,096 of them for good)
                found = lists[part] = SharedKeys(part)
                self._keys_held += len(part)
            made.append(found)
        result = SharedResult(zip(self._ids, made, strict=True))
        known = self.known
        if len(known) >= KEPT:
            known.clear()  # start over; results already given out stay as they are
        known[key] = result
        return result
