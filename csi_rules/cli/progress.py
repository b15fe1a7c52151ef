"""Progress for long commands (replay, conflicts, evaluate of a large file): a tqdm bar on
standard error when it is a terminal, nothing at all otherwise, so piped output, CI logs and
files stay clean. `CSI_RULES_PROGRESS=0` turns it off on a terminal too.

tqdm is imported only when a bar is shown (start-up time of every other command).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO, TypeVar

from csi_rules.ingest.row_count import counting_rows

T = TypeVar("T")


def enabled(stream: TextIO | None = None) -> bool:
    """True when progress should be drawn: `stream` (standard error) is a terminal."""
    if os.environ.get("CSI_RULES_PROGRESS", "").strip().lower() in ("0", "no", "false", "off"):
        return False
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _bar(desc: str, unit: str, total: int | None) -> Any:
    from tqdm import tqdm  # type: ignore[import-untyped]  # tqdm ships no type information

    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False,
                mininterval=0.2, dynamic_ncols=True, unit_scale=True)


def progress(items: Iterable[T], desc: str, unit: str = "record",
             total: int | None = None) -> Iterable[T]:
    """`items` unchanged; on a terminal, counted on a bar as they are consumed."""
    if not enabled():
        return items
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]  # checked just above
    return _counted(items, desc, unit, total)


def _counted(items: Iterable[T], desc: str, unit: str, total: int | None) -> Iterator[T]:
    bar = _bar(desc, unit, total)
    try:
        for item in items:
            yield item
            bar.update(1)
    finally:
        bar.close()


@contextmanager
def counter(desc: str, unit: str, total: int | None = None) -> Iterator[Callable[[int], object]]:
    """An `advance(n)` for work done in steps (a bar on a terminal, a no-op otherwise)."""
    if not enabled():
        yield lambda n: None
        return
    bar = _bar(desc, unit, total)
    try:
        yield bar.update
    finally:
        bar.close()


@contextmanager
def loading_rows(desc: str) -> Iterator[None]:
    """Count the input rows a CSV loader reads inside the block (on a terminal only)."""
    if not enabled():
        yield
        return
    bar = _bar(desc, "row", None)
    try:
        with counting_rows(bar.update):
            yield
    finally:
        bar.close()
