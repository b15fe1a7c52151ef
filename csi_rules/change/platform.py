"""The schedule a gate checks against, read from the platform the change lives on.

`--change-id` without `--schedule` must still see the other changes: the platform's changes
whose planned windows overlap this one's (and any on its CIs whose window cannot be placed,
which the gate then refuses to rule out). An adapter may offer a narrow server-side query,
`fetch_change_schedule(start, end)`; otherwise every change is read and filtered here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from csi_rules.adapter import RecordQuery
from csi_rules.records.model import Record


def _window(record: Record) -> tuple[datetime, datetime] | None:
    start, end = record.get("planned_start"), record.get("planned_end")
    if isinstance(start, datetime) and isinstance(end, datetime) and start < end:
        return start, end
    return None


def _cis(record: Record) -> set[str]:
    value = record.get("configuration_items")
    return set(value) if isinstance(value, list | tuple) else set()


def relevant(change: Record, candidates: Iterable[Record]) -> list[Record]:
    """Changes overlapping `change`'s window, and windowless ones sharing one of its CIs."""
    window = _window(change)
    if window is None:
        return []
    start, end = window
    cis = _cis(change)
    out = []
    for other in candidates:
        if other.id == change.id:
            continue
        theirs = _window(other)
        if theirs is None:
            if cis & _cis(other):
                out.append(other)
        elif theirs[0] < end and start < theirs[1]:
            out.append(other)
    return out


def platform_schedule(adapter: Any, change: Record) -> list[Record]:
    """The other changes on the platform that matter to `change`'s gate."""
    window = _window(change)
    if window is None:
        return []  # the gate says the change itself has no window; nothing to compare
    finder = getattr(adapter, "fetch_change_schedule", None)
    if finder is not None:
        candidates: Iterable[Record] = finder(*window)
    else:
        candidates = adapter.fetch_records(RecordQuery(kinds=("change",)))
    return relevant(change, candidates)
