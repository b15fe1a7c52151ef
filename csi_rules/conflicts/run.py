"""run_conflicts: change records + one policy's settings (+ CMDB graph) -> a ConflictReport."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from operator import attrgetter

from csi_rules.conflicts.accounting import excluded_by_policy, without_data
from csi_rules.conflicts.bookings import make_bookings
from csi_rules.conflicts.checks.blackouts import find_blackouts
from csi_rules.conflicts.checks.capacity import find_capacity
from csi_rules.conflicts.checks.initiatives import find_initiative_conflicts
from csi_rules.conflicts.checks.maintenance import find_outside_maintenance
from csi_rules.conflicts.checks.related_ci import find_related_ci
from csi_rules.conflicts.checks.same_ci import find_same_ci, same_ci_pairs
from csi_rules.conflicts.cmdb import RelationshipGraph
from csi_rules.conflicts.model import CHECK_NAMES, Conflict, ConflictReport
from csi_rules.conflicts.settings import ConflictSettings
from csi_rules.errors import UsageError
from csi_rules.records import Record


def run_conflicts(changes: Iterable[Record], settings: ConflictSettings,
                  cmdb: RelationshipGraph | None = None) -> ConflictReport:
    """Run every check the settings switch on; conflicts come back in a deterministic order.

    Raises UsageError when relatedCi is on but no CMDB graph was given (a blocking check must
    not be skipped quietly).
    """
    if settings.related_ci is not None and cmdb is None:
        raise UsageError("the relatedCi check needs a CMDB relationship graph (--cmdb FILE)")
    with _cyclic_gc_paused():
        return _run(changes, settings, cmdb)


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Pause CPython's cyclic garbage collector for the length of one search.

    The search allocates some 10^5 small objects without reference cycles; every few thousand
    allocations the collector would rescan them and the whole loaded schedule. On the Rabobank
    table that was half of the engine time. Reference counting still frees everything at once;
    the collector is switched back on (if it was on) when the search ends, even on error.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run(changes: Iterable[Record], settings: ConflictSettings,
         cmdb: RelationshipGraph | None) -> ConflictReport:
    bookings, unchecked = make_bookings(changes, settings.max_window_us)
    policy = settings.policy
    found: dict[str, list[Conflict]] = {}
    notes: list[str] = []
    reported: dict[tuple[int, int], list[str]] = {}
    if settings.same_ci is not None:
        reported = same_ci_pairs(bookings, settings.same_ci)
        found["sameCi"] = find_same_ci(bookings, settings.same_ci, policy, reported)
    if settings.related_ci is not None and cmdb is not None:
        found["relatedCi"] = find_related_ci(bookings, settings.related_ci, cmdb,
                                             reported.keys(), policy)
        unknown = sorted(settings.related_ci.relationship_types - cmdb.types())
        if unknown:
            notes.append(f"relatedCi: the CMDB graph has no relationships of type "
                         f"{', '.join(unknown)}")
    if settings.capacity is not None:
        found["capacity"] = find_capacity(bookings, settings.capacity, policy)
    if settings.blackouts is not None:
        found["blackouts"] = find_blackouts(bookings, settings.blackouts, policy)
    if settings.maintenance is not None:
        found["maintenanceWindows"] = find_outside_maintenance(bookings, settings.maintenance,
                                                               policy)
    if settings.initiatives is not None:
        found["initiatives"] = find_initiative_conflicts(bookings, settings.initiatives, policy)
    # Conflict.sort_key order: by check in CHECK_NAMES order, then by time, changes, subjects.
    by_time = attrgetter("start_us", "end_us", "changes", "subjects")
    ordered: list[Conflict] = []
    for check in CHECK_NAMES:
        ordered += sorted(found.get(check, ()), key=by_time)
    ran = tuple(check for check in CHECK_NAMES if check in found)
    excluded = excluded_by_policy(bookings, settings)
    too_long = sum(1 for u in unchecked if u.by_policy)
    if too_long:
        excluded["maxWindowHours"] = too_long
    return ConflictReport(tuple(ordered), tuple(unchecked), len({b.ref.id for b in bookings}),
                          ran, policy, tuple(notes), excluded, without_data(bookings, settings))
