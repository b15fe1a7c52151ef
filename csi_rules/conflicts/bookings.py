"""Change records -> bookings: the planned window as integers, plus what the checks look at.

A change whose window is missing, empty or inverted cannot take part in any time-based check;
it becomes an UncheckedChange with the reason instead of vanishing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from csi_rules.conflicts.model import ChangeRef, UncheckedChange, to_micros
from csi_rules.records import Record


class Booking:
    """One change with a usable planned window [start_us, end_us)."""

    __slots__ = ("change_type", "ci_set", "end_us", "key", "record", "ref", "start_us")

    def __init__(self, key: int, record: Record, ref: ChangeRef, start_us: int, end_us: int):
        self.key = key
        self.record = record
        self.ref = ref
        self.start_us = start_us
        self.end_us = end_us
        self.change_type: str | None = record.data.get("change_type")
        self.ci_set = frozenset(record.data.get("configuration_items") or ())

    @property
    def cis(self) -> tuple[str, ...]:
        """The change's distinct CIs in name order."""
        return tuple(sorted(self.ci_set))

    def interval(self) -> tuple[int, int, int]:
        return (self.start_us, self.end_us, self.key)

    def __repr__(self) -> str:
        return f"Booking({self.ref.label} {self.start_us}..{self.end_us})"


def _window(data: dict[str, object]) -> tuple[int, int] | str:
    """The planned window in microseconds, or why there is no usable one."""
    start, end = data.get("planned_start"), data.get("planned_end")
    if data.get("kind") != "change":
        return f"not a change record (kind {data.get('kind')!r})"
    if not isinstance(start, datetime) or not isinstance(end, datetime):
        if start is None and end is None:
            return "no planned window (planned_start and planned_end are missing)"
        if start is None:
            return "planned_start is missing"
        if end is None:
            return "planned_end is missing"
        return "planned_start/planned_end are not date-times"
    start_us, end_us = to_micros(start), to_micros(end)
    if end_us == start_us:
        return f"empty planned window: planned_end equals planned_start ({start.isoformat()})"
    if end_us < start_us:
        return f"planned_end {end.isoformat()} is before planned_start {start.isoformat()}"
    return start_us, end_us


def make_bookings(records: Iterable[Record]) -> tuple[list[Booking], list[UncheckedChange]]:
    """Bookings in input order (key = position among bookings) and the changes left out."""
    bookings: list[Booking] = []
    unchecked: list[UncheckedChange] = []
    seen: dict[str, str] = {}
    for record in records:
        data = record.data
        ref = ChangeRef(str(data["id"]), str(data.get("number") or ""))
        window = _window(data)
        if not isinstance(window, str) and ref.id in seen:
            window = f"duplicate id {ref.id!r} (already used by {seen[ref.id]})"
        if isinstance(window, str):
            unchecked.append(UncheckedChange(ref, window))
            continue
        seen[ref.id] = ref.label
        bookings.append(Booking(len(bookings), record, ref, *window))
    return bookings, sorted(unchecked)
