"""Interval sweeps: every overlapping pair in O(n log n + k), never by comparing all pairs.

Intervals are half-open, [start, end): two windows that only touch (one ends at 10:00, the other
starts at 10:00) do not overlap. Every function expects `start < end`; empty or inverted windows
are filtered out (and reported) before they reach this module.

An interval is a tuple (start, end, key) of integers; `key` identifies the booking.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

Interval = tuple[int, int, int]
# At most this many comparisons are made directly instead of sweeping: for a CI with a handful
# of changes, comparing each pair is the same bounded work without sorting and heaps. Tests set
# it to 0 to drive every input through the sweep.
TINY = 64


def overlapping_pairs(intervals: Sequence[Interval]) -> Iterator[tuple[int, int, int, int]]:
    """Yield (key_a, key_b, overlap_start, overlap_end) once for every overlapping pair.

    Sorted by start, each interval meets exactly the intervals still running when it starts;
    a heap by end time drops those that finished at or before that start.
    """
    n = len(intervals)
    if n * (n - 1) // 2 <= TINY:
        for i, (a_start, a_end, a_key) in enumerate(intervals):
            for b_start, b_end, b_key in intervals[i + 1:]:
                if a_start < b_end and b_start < a_end:
                    yield a_key, b_key, max(a_start, b_start), min(a_end, b_end)
        return
    running: list[tuple[int, int]] = []  # (end, key), min-heap by end
    for start, end, key in sorted(intervals):
        while running and running[0][0] <= start:
            heapq.heappop(running)
        for other_end, other in running:
            yield other, key, start, min(end, other_end)
        heapq.heappush(running, (end, key))


def cross_pairs(left: Sequence[Interval],
                right: Sequence[Interval]) -> Iterator[tuple[int, int, int, int]]:
    """Yield (left_key, right_key, overlap_start, overlap_end) for every overlap between the lists.

    One sweep over both lists; each side keeps its own heap of running intervals, and an interval
    pairs with the running intervals of the other side only. Tiny inputs (most CI pairs carry
    a few changes each) are compared directly, see TINY.
    """
    if len(left) * len(right) <= TINY:
        for l_start, l_end, l_key in left:
            for r_start, r_end, r_key in right:
                if l_start < r_end and r_start < l_end:
                    yield l_key, r_key, max(l_start, r_start), min(l_end, r_end)
        return
    tagged = sorted([(s, e, 0, k) for s, e, k in left] + [(s, e, 1, k) for s, e, k in right])
    running: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
    for start, end, side, key in tagged:
        other_side = running[1 - side]
        while other_side and other_side[0][0] <= start:
            heapq.heappop(other_side)
        for other_end, other in other_side:
            if side == 0:
                yield key, other, start, min(end, other_end)
            else:
                yield other, key, start, min(end, other_end)
        heapq.heappush(running[side], (end, key))


@dataclass(frozen=True)
class Episode:
    """A maximal stretch [start, end) in which more than `capacity` intervals run at once."""

    start: int
    end: int
    members: tuple[int, ...]
    peak: int


def overbooked_episodes(intervals: Sequence[Interval], capacity: int) -> list[Episode]:
    """Maximal stretches where the number of running intervals exceeds `capacity`.

    Events at the same instant are applied together (ends before starts, as windows are
    half-open), so a stretch never splits where one change hands over to the next. Members are
    the intervals that run at some moment inside the stretch.
    """
    if len(intervals) <= capacity:
        return []
    events: list[tuple[int, int, int]] = []  # (time, 0=end/1=start, key)
    for start, end, key in intervals:
        events.append((start, 1, key))
        events.append((end, 0, key))
    events.sort()
    running: set[int] = set()
    episodes: list[Episode] = []
    members: set[int] | None = None
    opened = peak = 0
    i = 0
    while i < len(events):
        now = events[i][0]
        started: list[int] = []
        while i < len(events) and events[i][0] == now:
            _, is_start, key = events[i]
            if is_start:
                running.add(key)
                started.append(key)
            else:
                running.discard(key)
            i += 1
        if len(running) > capacity:
            if members is None:
                members, opened, peak = set(running), now, len(running)
            else:
                members.update(started)
                peak = max(peak, len(running))
        elif members is not None:
            episodes.append(Episode(opened, now, tuple(sorted(members)), peak))
            members = None
    return episodes
