"""Words for conflict explanations: durations and short lists a change manager can read."""

from __future__ import annotations

from collections.abc import Sequence

_MINUTE_US = 60_000_000


def duration_text(micros: int) -> str:
    """'2 d 3 h', '3 h 15 min', '45 min', '20 s' — at most two units, rounded down."""
    seconds = micros // 1_000_000
    if seconds < 60:
        return f"{seconds} s"
    minutes = micros // _MINUTE_US
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def names_text(names: Sequence[str], limit: int = 3) -> str:
    """'a', 'a and b', 'a, b and c', 'a, b, c and 4 more'."""
    shown = list(names[:limit])
    more = len(names) - len(shown)
    if more:
        return f"{', '.join(shown)} and {more} more"
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} and {shown[-1]}"
