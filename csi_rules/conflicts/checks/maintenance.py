"""maintenanceWindows: a change on a CI must lie inside that CI's maintenance windows.

CIs sharing a window set (all CIs under `default`, say) are checked together: the answer is the
same for each, so a change gets one conflict per window set, naming the CIs concerned.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from csi_rules.conflicts.bookings import Booking
from csi_rules.conflicts.checks.common import taking_part
from csi_rules.conflicts.coverage import Coverage, always_open, horizon
from csi_rules.conflicts.model import Conflict
from csi_rules.conflicts.settings import MaintenanceSettings, WindowSet


def find_outside_maintenance(bookings: Sequence[Booking], settings: MaintenanceSettings,
                             policy: str = "") -> list[Conflict]:
    """One conflict per change and window set whose windows do not contain the change."""
    uses: dict[int, list[tuple[Booking, list[str]]]] = defaultdict(list)  # id(window set) -> uses
    sets: dict[int, WindowSet] = {}
    for booking in taking_part(bookings, settings.exempt_change_types):
        cis_by_set: dict[int, list[str]] = defaultdict(list)
        for ci in booking.cis:
            window_set = settings.window_set_for(ci)
            if window_set is not None:
                sets[id(window_set)] = window_set
                cis_by_set[id(window_set)].append(ci)
        for set_id, cis in cis_by_set.items():
            uses[set_id].append((booking, cis))
    conflicts = []
    for set_id, set_uses in uses.items():
        window_set = sets[set_id]
        if always_open(window_set):
            continue
        latest_start = max(b.start_us for b, _ in set_uses)
        coverage = Coverage(window_set, min(b.start_us for b, _ in set_uses),
                            horizon(window_set, latest_start, max(b.end_us for b, _ in set_uses)))
        for booking, cis in set_uses:
            gap = coverage.first_gap(booking.start_us, booking.end_us)
            if gap is not None:
                conflicts.append(_conflict(booking, cis, window_set, gap, settings, policy))
    return conflicts


def _conflict(booking: Booking, cis: list[str], window_set: WindowSet, gap: tuple[int, int],
              settings: MaintenanceSettings, policy: str) -> Conflict:
    return Conflict(
        check="maintenanceWindows", severity=settings.severity, changes=(booking.ref,),
        subject_kind="ci_window", subjects=tuple(cis), start_us=gap[0], end_us=gap[1],
        details={"window_set": window_set.name},
        policy=policy)
