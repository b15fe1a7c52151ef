"""capacity: a person or group booked by more concurrent changes than it can carry.

Per resource (say assignee alice) one sweep over start/end events finds the maximal stretches in
which more than `capacity` of its changes run at once; each stretch is one conflict naming every
change that runs during it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from csi_rules.conflicts.bookings import Booking
from csi_rules.conflicts.checks.common import taking_part
from csi_rules.conflicts.model import Conflict
from csi_rules.conflicts.settings import CapacityResource, CapacitySettings
from csi_rules.conflicts.sweep import Interval, overbooked_episodes
from csi_rules.records import MISSING


def resource_names(booking: Booking, field: str) -> tuple[str, ...]:
    """The resources a change books through `field`: one name, a list of names, or none."""
    value = booking.record.get(field)
    if value is MISSING or value == "":
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(sorted({str(v) for v in value if v not in (None, "")}))
    return (str(value),)


def find_capacity(bookings: Sequence[Booking], settings: CapacitySettings,
                  policy: str = "") -> list[Conflict]:
    conflicts: list[Conflict] = []
    candidates = taking_part(bookings, settings.ignore_change_types)
    for resource in settings.resources:
        by_name: dict[str, list[Interval]] = defaultdict(list)
        for booking in candidates:
            for name in resource_names(booking, resource.field):
                by_name[name].append(booking.interval())
        for name, intervals in by_name.items():
            capacity = resource.capacity_of(name)
            for episode in overbooked_episodes(intervals, capacity):
                conflicts.append(_conflict(bookings, resource, name, capacity, episode.start,
                                           episode.end, episode.members, episode.peak,
                                           settings, policy))
    return conflicts


def _conflict(bookings: Sequence[Booking], resource: CapacityResource, name: str, capacity: int,
              start: int, end: int, members: Sequence[int], peak: int,
              settings: CapacitySettings, policy: str) -> Conflict:
    refs = tuple(sorted(bookings[k].ref for k in members))
    return Conflict(
        check="capacity", severity=settings.severity, changes=refs, subject_kind="resource",
        subjects=(f"{resource.field}:{name}",), start_us=start, end_us=end,
        details={"field": resource.field, "name": name, "capacity": capacity, "peak": peak},
        policy=policy)
