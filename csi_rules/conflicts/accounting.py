"""What a search left out, per check: changes excluded by policy and changes it had no data on.

A summary that only counts conflicts hides how much of the schedule was never looked at (on the
Rabobank table most changes are standard and a sameCi policy ignoring them skips 91 %); these
counts go beside the conflicts in every report.
"""

from __future__ import annotations

from collections.abc import Sequence

from csi_rules.conflicts.bookings import Booking
from csi_rules.conflicts.checks.capacity import resource_names
from csi_rules.conflicts.settings import ConflictSettings


def _changes(bookings: Sequence[Booking]) -> dict[str, Booking]:
    """One booking per change (a change with several windows counts once)."""
    return {b.ref.id: b for b in reversed(bookings)}


def excluded_by_policy(bookings: Sequence[Booking], settings: ConflictSettings) -> dict[str, int]:
    """check -> changes its ignoreChangeTypes / exemptChangeTypes keep out."""
    changes = _changes(bookings).values()
    kept_out = {
        "sameCi": settings.same_ci and settings.same_ci.ignore_change_types,
        "relatedCi": settings.related_ci and settings.related_ci.ignore_change_types,
        "capacity": settings.capacity and settings.capacity.ignore_change_types,
        "blackouts": settings.blackouts and settings.blackouts.exempt_change_types,
        "maintenanceWindows": settings.maintenance and settings.maintenance.exempt_change_types,
    }
    out = {}
    for check, types in kept_out.items():
        if types:
            count = sum(1 for b in changes if b.change_type in types)
            if count:
                out[check] = count
    return out


def without_data(bookings: Sequence[Booking], settings: ConflictSettings) -> dict[str, int]:
    """check -> changes taking part in it that lack what it looks at."""
    changes = list(_changes(bookings).values())
    out: dict[str, int] = {}

    def count(check: str, missing: int) -> None:
        if missing:
            out[check] = missing

    no_ci = [b for b in changes if not b.record.data.get("configuration_items")]
    for check, section in (("sameCi", settings.same_ci), ("relatedCi", settings.related_ci)):
        if section is not None:
            count(check, sum(1 for b in no_ci if b.change_type not in section.ignore_change_types))
    if settings.capacity is not None:
        fields = [r.field for r in settings.capacity.resources]
        count("capacity", sum(
            1 for b in changes if b.change_type not in settings.capacity.ignore_change_types
            and not any(resource_names(b, f) for f in fields)))
    if settings.maintenance is not None:
        count("maintenanceWindows", sum(
            1 for b in no_ci if b.change_type not in settings.maintenance.exempt_change_types))
    return out
