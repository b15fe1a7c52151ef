"""sameCi: two changes planned on the same CI at overlapping times (a sweep per CI)."""

from __future__ import annotations

from collections.abc import Sequence

from csi_rules.conflicts.bookings import Booking
from csi_rules.conflicts.checks.common import intervals_by_ci, taking_part
from csi_rules.conflicts.model import Conflict
from csi_rules.conflicts.settings import OverlapSettings
from csi_rules.conflicts.sweep import overlapping_pairs


def same_ci_pairs(bookings: Sequence[Booking],
                  settings: OverlapSettings) -> dict[tuple[int, int], list[str]]:
    """(key, key) of every pair of changes overlapping on a CI -> the CIs they share."""
    shared: dict[tuple[int, int], list[str]] = {}
    min_overlap = settings.min_overlap_us
    for ci, intervals in intervals_by_ci(taking_part(bookings, settings.ignore_change_types)).items():
        if len(intervals) < 2:
            continue
        if len(intervals) == 2:  # most shared CIs: overlapping_pairs' answer, without its calls
            (a_start, a_end, a), (b_start, b_end, b) = intervals
            if a_start < b_end and b_start < a_end and \
                    (a_end if a_end < b_end else b_end) - (a_start if a_start > b_start else b_start) \
                    >= min_overlap:
                shared.setdefault((a, b) if a < b else (b, a), []).append(ci)
            continue
        for a, b, start, end in overlapping_pairs(intervals):
            if end - start >= min_overlap:
                shared.setdefault((a, b) if a < b else (b, a), []).append(ci)
    return shared


def find_same_ci(bookings: Sequence[Booking], settings: OverlapSettings, policy: str = "",
                 shared: dict[tuple[int, int], list[str]] | None = None) -> list[Conflict]:
    """One conflict per pair of changes, naming every CI the two share while overlapping
    (`shared` is same_ci_pairs' answer when the caller already has it)."""
    if shared is None:
        shared = same_ci_pairs(bookings, settings)
    severity = settings.severity
    conflicts: list[Conflict] = []
    append = conflicts.append
    for (a, b), cis in shared.items():
        one, two = bookings[a], bookings[b]
        first, second = one.ref, two.ref
        changes = (first, second) if first < second else (second, first)
        start, other = one.start_us, two.start_us
        if other > start:
            start = other
        end, other = one.end_us, two.end_us
        if other < end:
            end = other
        if len(cis) > 1:
            cis.sort()
        # Conflict(check, severity, changes, subject_kind, subjects, start_us, end_us,
        # details, policy), given in order: keywords cost a third of the search's time here
        append(Conflict("sameCi", severity, changes, "ci", tuple(cis), start, end, {}, policy))
    return conflicts
