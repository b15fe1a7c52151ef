"""Change records -> bookings: the planned window as integers, plus what the checks look at.

A change whose window is missing, empty or inverted cannot take part in any time-based check;
it becomes an UncheckedChange with the reason instead of vanishing. A change whose rows gave
several separate windows (`raw.planned_windows`, written by the CSV loader) becomes one booking
per window, each with the CIs of its rows, so the span between them is never checked. A policy's
maxWindowHours leaves longer windows out, counted as excluded by policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from csi_rules.conflicts.model import ChangeRef, UncheckedChange, to_micros
from csi_rules.records import Record


class Booking:
    """One change with a usable planned window [start_us, end_us)."""

    __slots__ = ("change_type", "ci_set", "end_us", "key", "record", "ref", "start_us")

    def __init__(self, key: int, record: Record, ref: ChangeRef, start_us: int, end_us: int,
                 cis: frozenset[str] | None = None):
        self.key = key
        self.record = record
        self.ref = ref
        self.start_us = start_us
        self.end_us = end_us
        self.change_type: str | None = record.data.get("change_type")
        self.ci_set = cis if cis is not None else frozenset(
            record.data.get("configuration_items") or ())

    @property
    def cis(self) -> tuple[str, ...]:
        """The change's distinct CIs in name order."""
        return tuple(sorted(self.ci_set))

    def interval(self) -> tuple[int, int, int]:
        return (self.start_us, self.end_us, self.key)

    def __repr__(self) -> str:
        return f"Booking({self.ref.label} {self.start_us}..{self.end_us})"


def _window(data: dict[str, object], micros: dict[datetime, int]) -> tuple[int, int] | str:
    """The planned window in microseconds, or why there is no usable one. `micros` remembers
    each instant's microseconds (equal datetimes are the same instant: the same number)."""
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
    start_us = micros.get(start)
    if start_us is None:
        start_us = micros[start] = to_micros(start)
    end_us = micros.get(end)
    if end_us is None:
        end_us = micros[end] = to_micros(end)
    if end_us == start_us:
        return f"empty planned window: planned_end equals planned_start ({start.isoformat()})"
    if end_us < start_us:
        return f"planned_end {end.isoformat()} is before planned_start {start.isoformat()}"
    return start_us, end_us


def _separate_windows(data: dict[str, object]) -> list[tuple[int, int, frozenset[str] | None]]:
    """The disjoint windows of a change whose rows disagreed on it (empty when there is one)."""
    raw = data.get("raw")
    windows = raw.get("planned_windows") if isinstance(raw, dict) else None
    if not isinstance(windows, list) or len(windows) < 2:
        return []
    out: list[tuple[int, int, frozenset[str] | None]] = []
    for w in windows:
        start, end = datetime.fromisoformat(w["start"]), datetime.fromisoformat(w["end"])
        out.append((to_micros(start), to_micros(end), frozenset(w.get("configuration_items", ()))))
    return out


def make_bookings(records: Iterable[Record], max_window_us: int | None = None,
                  ) -> tuple[list[Booking], list[UncheckedChange]]:
    """Bookings in input order (key = position among bookings) and the changes left out."""
    bookings: list[Booking] = []
    unchecked: list[UncheckedChange] = []
    seen: dict[str, str] = {}
    micros: dict[datetime, int] = {}
    make_ref = tuple.__new__  # ChangeRef(id, number), without its Python-level __new__
    for record in records:
        data = record.data
        ref_id, number = data["id"], data.get("number") or ""
        if type(ref_id) is not str:
            ref_id = str(ref_id)
        if type(number) is not str:
            number = str(number)
        ref = make_ref(ChangeRef, (ref_id, number, "change"))
        window: tuple[int, int] | str | None = None
        start, end = data.get("planned_start"), data.get("planned_end")
        if type(start) is datetime and type(end) is datetime and data.get("kind") == "change":
            # the usual change: _window's answer, without its calls
            start_us = micros.get(start)
            if start_us is None:
                start_us = micros[start] = to_micros(start)
            end_us = micros.get(end)
            if end_us is None:
                end_us = micros[end] = to_micros(end)
            if end_us > start_us:
                raw = data.get("raw")
                if ref_id not in seen and max_window_us is None and (
                        raw is None or (type(raw) is dict and "planned_windows" not in raw)):
                    # one window, nothing to leave out: the booking the steps below make
                    seen[ref_id] = number or ref_id
                    bookings.append(Booking(len(bookings), record, ref, start_us, end_us))
                    continue
                window = (start_us, end_us)
        if window is None:
            window = _window(data, micros)
        if not isinstance(window, str) and ref.id in seen:
            window = f"duplicate id {ref.id!r} (already used by {seen[ref.id]})"
        if isinstance(window, str):
            unchecked.append(UncheckedChange(ref, window))
            continue
        seen[ref.id] = ref.label
        parts = _separate_windows(data) or [(*window, None)]
        if max_window_us is not None:
            kept = [p for p in parts if p[1] - p[0] <= max_window_us]
            if not kept:
                hours = (window[1] - window[0]) / 3_600_000_000
                unchecked.append(UncheckedChange(
                    ref, f"planned window of {hours:g} h is longer than the policy's "
                         f"maxWindowHours ({max_window_us / 3_600_000_000:g} h)", by_policy=True))
                continue
            parts = kept
        for start_us, end_us, cis in parts:
            bookings.append(Booking(len(bookings), record, ref, start_us, end_us, cis))
    return bookings, sorted(unchecked)
