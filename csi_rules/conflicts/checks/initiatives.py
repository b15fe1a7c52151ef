"""initiatives: improvement initiatives competing with changes, or with each other, for the same
people, groups or CI change windows at the same time.

Each need (people:alice, groups:dba, configurationItems:app01) gets one sweep over the
initiatives and changes that need it; only pairs with at least one initiative are reported here
(two changes colliding are the other checks' business).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from csi_rules.conflicts.bookings import Booking
from csi_rules.conflicts.checks.common import pair_key
from csi_rules.conflicts.model import ChangeRef, Conflict
from csi_rules.conflicts.settings import InitiativeSettings
from csi_rules.conflicts.sweep import Interval, cross_pairs, overlapping_pairs


def change_needs(booking: Booking, compete_on: frozenset[str]) -> list[str]:
    """What a change occupies, in the same words initiatives use."""
    needs = []
    assignee, group = booking.record.data.get("assignee"), booking.record.data.get("assignment_group")
    if "people" in compete_on and assignee:
        needs.append(f"people:{assignee}")
    if "groups" in compete_on and group:
        needs.append(f"groups:{group}")
    if "configurationItems" in compete_on:
        needs += [f"configurationItems:{ci}" for ci in booking.cis]
    return needs


def find_initiative_conflicts(bookings: Sequence[Booking], settings: InitiativeSettings,
                              policy: str = "") -> list[Conflict]:
    """One conflict per competing pair (initiative-change or initiative-initiative)."""
    items = settings.items
    offset = len(bookings)  # initiative i has key offset + i, so keys never clash
    refs = [b.ref for b in bookings] + [ChangeRef(i.id, "", "initiative") for i in items]
    windows = [(b.start_us, b.end_us) for b in bookings] + [(i.start_us, i.end_us) for i in items]
    initiatives_on: dict[str, list[Interval]] = defaultdict(list)
    for n, item in enumerate(items):
        needs = [f"people:{p}" for p in item.people] + [f"groups:{g}" for g in item.groups] \
            + [f"configurationItems:{c}" for c in item.configuration_items]
        for need in needs:
            if need.split(":", 1)[0] in settings.compete_on:
                initiatives_on[need].append((item.start_us, item.end_us, offset + n))
    changes_on: dict[str, list[Interval]] = defaultdict(list)
    for booking in bookings:
        for need in change_needs(booking, settings.compete_on):
            if need in initiatives_on:
                changes_on[need].append(booking.interval())
    shared: dict[tuple[int, int], list[str]] = defaultdict(list)
    for need, intervals in initiatives_on.items():
        pairs = list(overlapping_pairs(intervals))
        if need in changes_on:
            pairs += cross_pairs(intervals, changes_on[need])
        for a, b, _, _ in pairs:
            shared[pair_key(a, b)].append(need)
    conflicts = []
    for (a, b), needs in shared.items():
        first, second = sorted(((refs[a], windows[a]), (refs[b], windows[b])),
                               key=lambda e: (e[0].kind, e[0]))  # changes before initiatives
        start, end = max(first[1][0], second[1][0]), min(first[1][1], second[1][1])
        needs.sort()
        conflicts.append(Conflict(
            check="initiatives", severity=settings.severity, changes=(first[0], second[0]),
            subject_kind="shared_need", subjects=tuple(needs), start_us=start, end_us=end,
            policy=policy))
    return conflicts
