"""Who wants to hear about rows as a CSV file is read (a progress bar), without the loaders
passing it along: set for a block with `counting_rows`, read once per file by `row_counter`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

RowSink = Callable[[int], object]
_SINK: ContextVar[RowSink | None] = ContextVar("csi_rules_row_sink", default=None)


def _ignore(n: int) -> None:
    return None


def row_counter() -> RowSink:
    """The current sink (called with 1 per row), or a no-op."""
    return _SINK.get() or _ignore


@contextmanager
def counting_rows(sink: RowSink) -> Iterator[None]:
    token = _SINK.set(sink)
    try:
        yield
    finally:
        _SINK.reset(token)
