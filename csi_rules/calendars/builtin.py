"""Calendars every policy can name without defining them."""

from __future__ import annotations

from datetime import UTC

from csi_rules.calendars.calendar import Calendar
from csi_rules.calendars.issues import CalendarError
from csi_rules.calendars.spans import WEEKDAYS, WeeklyHours, parse_span
from csi_rules.suggest import unknown_name

TWENTY_FOUR_SEVEN = Calendar(
    "24x7",
    UTC,  # every day whole: the zone cannot change the total, so UTC keeps it simple
    WeeklyHours.from_spans({day: [parse_span("00:00-24:00")] for day in WEEKDAYS}),
)

BUILTIN_CALENDARS: dict[str, Calendar] = {TWENTY_FOUR_SEVEN.name: TWENTY_FOUR_SEVEN}


def builtin_calendar(name: str) -> Calendar:
    """A built-in calendar by name; unknown names list the choices."""
    try:
        return BUILTIN_CALENDARS[name]
    except KeyError:
        raise CalendarError(unknown_name("built-in calendar", name, BUILTIN_CALENDARS)) from None
