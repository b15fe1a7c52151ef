"""Reasons built when read: a decision carries what its reasons need, not the reasons.

A collect decision at 1,000 rules can match 25 rules whose conditions hold 75 matchers; making
75 `Reason` objects costs more than the match itself, and most callers (routing, counting,
the runner deciding which actions to apply) never read them. `LazyReasons` keeps the rule's
compiled builder and the field values the decision read (the matcher's own copy of them, made
for this decision and never changed, so a record changed afterwards does not change its
reasons) and builds the exact tuple the reference's `explain` gives on first read. It reads,
compares, hashes, pickles and prints as that tuple.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

from csi_rules.conditions.evaluate import Reason

Values = Any  # what the matcher gives a decision's reasons are made from (`FieldValues`)
Build = Callable[[Values], tuple[Reason, ...]]


class LazyReasons(Sequence[Reason]):
    """The reasons of one rule for one record, built on first read (then kept)."""

    __slots__ = ("_build", "_items", "_values")

    def __init__(self, build: Build, values: Values):
        self._build, self._values = build, values
        self._items: tuple[Reason, ...] | None = None

    def resolve(self) -> tuple[Reason, ...]:
        """The reasons as a plain tuple (built now if nothing has read them yet). Two threads
        reading at once both build the same tuple; either result may be kept."""
        items = self._items
        if items is None:
            items = self._items = self._build(self._values)
        return items

    @overload
    def __getitem__(self, index: int) -> Reason: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Reason, ...]: ...

    def __getitem__(self, index: int | slice) -> Reason | tuple[Reason, ...]:
        return self.resolve()[index]

    def __len__(self) -> int:
        return len(self.resolve())

    def __iter__(self) -> Iterator[Reason]:
        return iter(self.resolve())

    def __contains__(self, item: object) -> bool:
        return item in self.resolve()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyReasons):
            return self.resolve() == other.resolve()
        if isinstance(other, tuple):
            return self.resolve() == other
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.resolve())

    def __add__(self, other: tuple[Reason, ...]) -> tuple[Reason, ...]:
        return self.resolve() + tuple(other)

    def __radd__(self, other: tuple[Reason, ...]) -> tuple[Reason, ...]:
        return tuple(other) + self.resolve()

    def __repr__(self) -> str:
        return repr(self.resolve())

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (self.resolve(),))  # pickles and copies as the plain tuple
