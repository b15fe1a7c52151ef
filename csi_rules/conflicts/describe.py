"""Words for conflict explanations: durations and short lists a change manager can read."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from csi_rules.conflicts.model import ChangeRef, Conflict

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
    if len(names) == 1 and limit >= 1 and type(names[0]) is str:  # most conflicts: one CI
        return names[0]
    shown = list(names[:limit])
    more = len(names) - len(shown)
    if more:
        return f"{', '.join(shown)} and {more} more"
    if len(shown) <= 1:
        return "".join(shown)
    return f"{', '.join(shown[:-1])} and {shown[-1]}"


def _length(c: Conflict) -> str:
    """The conflict's duration in words, remembered per length (a schedule's windows repeat
    the same lengths: 37,179 sameCi conflicts on the Rabobank table have 6,626)."""
    micros = c.end_us - c.start_us
    text = _LENGTHS.get(micros)
    if text is None:
        text = duration_text(micros)
        if len(_LENGTHS) >= 1 << 14:
            _LENGTHS.clear()
        _LENGTHS[micros] = text
    return text


_LENGTHS: dict[int, str] = {}


def _party(ref: ChangeRef) -> str:
    return f"initiative {ref.id}" if ref.kind == "initiative" else f"change {ref.label}"


def _same_ci(c: Conflict) -> str:
    one, two = c.changes
    return (f"{one.label} and {two.label} are both planned on {names_text(c.subjects)} at the "
            f"same time, for {_length(c)}.")


def _related_ci(c: Conflict) -> str:
    one, two = c.changes
    first = c.subjects[0]
    ci, other = first.split("~", 1)
    more = f" (and {len(c.subjects) - 1} more CI links)" if len(c.subjects) > 1 else ""
    return (f"{one.label} and {two.label} overlap for {_length(c)} on related CIs {ci} and "
            f"{other} ({c.details['paths'][first]}){more}.")


def _capacity(c: Conflict) -> str:
    d = c.details
    return (f"{d['field']} {d['name']} is booked by up to {d['peak']} changes at once "
            f"(capacity {d['capacity']}) for {_length(c)}; {len(c.changes)} changes are "
            f"involved.")


def _blackout(c: Conflict) -> str:
    return (f"{c.changes[0].label} is planned inside blackout window {c.subjects[0]!r} for "
            f"{_length(c)}.")


def _maintenance(c: Conflict) -> str:
    name = c.details["window_set"]
    which = "the default maintenance windows" if name == "default" \
        else f"the maintenance windows of {name}"
    return (f"{c.changes[0].label} on {names_text(c.subjects)} is not inside {which}; the first "
            f"stretch outside them lasts {_length(c)}.")


def _initiative(c: Conflict) -> str:
    one, two = c.changes
    return (f"{_party(one)} and {_party(two)} both need {names_text(c.subjects)} during the same "
            f"{_length(c)}.")


_SENTENCES: dict[str, Callable[[Conflict], str]] = {
    "sameCi": _same_ci, "relatedCi": _related_ci, "capacity": _capacity,
    "blackouts": _blackout, "maintenanceWindows": _maintenance, "initiatives": _initiative,
}


def explain(conflict: Conflict) -> str:
    """The sentence for a conflict, from its check, changes, subjects, window and details."""
    return _SENTENCES[conflict.check](conflict)
