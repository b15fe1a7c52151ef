"""blackouts: changes whose planned window overlaps a freeze or blackout window (one sweep)."""

from __future__ import annotations

from collections.abc import Sequence

from csi_rules.conflicts.bookings import Booking
from csi_rules.conflicts.checks.common import taking_part
from csi_rules.conflicts.model import Conflict
from csi_rules.conflicts.settings import BlackoutSettings
from csi_rules.conflicts.sweep import cross_pairs


def find_blackouts(bookings: Sequence[Booking], settings: BlackoutSettings,
                   policy: str = "") -> list[Conflict]:
    """One conflict per change and blackout window it overlaps."""
    changes = [b.interval() for b in taking_part(bookings, settings.exempt_change_types)]
    windows = [(w.start_us, w.end_us, i) for i, w in enumerate(settings.windows)]
    conflicts = []
    for key, index, start, end in cross_pairs(changes, windows):
        booking, window = bookings[key], settings.windows[index]
        conflicts.append(Conflict(
            check="blackouts", severity=settings.severity, changes=(booking.ref,),
            subject_kind="blackout", subjects=(window.name,), start_us=start, end_us=end,
            policy=policy))
    return conflicts
