"""What several checks share: which bookings take part, and bookings grouped by CI."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from csi_rules.conflicts.bookings import Booking
from csi_rules.conflicts.sweep import Interval


def taking_part(bookings: Sequence[Booking], excluded_types: frozenset[str]) -> list[Booking]:
    """Bookings whose change type is not excluded (a change without a type always takes part)."""
    if not excluded_types:
        return list(bookings)
    return [b for b in bookings if b.change_type not in excluded_types]


def intervals_by_ci(bookings: Sequence[Booking]) -> dict[str, list[Interval]]:
    """CI name -> intervals of the bookings that touch it."""
    by_ci: dict[str, list[Interval]] = defaultdict(list)
    for booking in bookings:
        interval = booking.interval()
        for ci in booking.ci_set:
            by_ci[ci].append(interval)
    return dict(by_ci)


def pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)
