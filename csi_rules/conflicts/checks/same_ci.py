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
    conflicts = []
    for (a, b), cis in shared.items():
        one, two = bookings[a], bookings[b]
        first, second = (one, two) if one.ref < two.ref else (two, one)
        start = max(first.start_us, second.start_us)
        end = min(first.end_us, second.end_us)
        cis.sort()
        conflicts.append(Conflict(
            check="sameCi", severity=settings.severity, changes=(first.ref, second.ref),
            subject_kind="ci", subjects=tuple(cis), start_us=start, end_us=end, policy=policy))
    return conflicts
