"""Business calendars (`kind: Calendar`) and business-time arithmetic for SLA clocks.

    calendar, issues = parse_calendar(spec, name="office")
    calendar.business_seconds(opened, now)           # elapsed business time
    calendar.add_business_seconds(opened, 4 * 3600)  # when 4 business hours are used up
"""

from __future__ import annotations

from csi_rules.calendars.builtin import BUILTIN_CALENDARS, TWENTY_FOUR_SEVEN, builtin_calendar
from csi_rules.calendars.calendar import Calendar
from csi_rules.calendars.exclusions import EXCLUSION_KINDS, ExclusionWindow
from csi_rules.calendars.issues import CalendarError, CalendarIssue
from csi_rules.calendars.parse import parse_calendar
from csi_rules.calendars.schema import CALENDAR_SPEC_SCHEMA

__all__ = [
    "BUILTIN_CALENDARS",
    "CALENDAR_SPEC_SCHEMA",
    "EXCLUSION_KINDS",
    "TWENTY_FOUR_SEVEN",
    "Calendar",
    "CalendarError",
    "CalendarIssue",
    "ExclusionWindow",
    "builtin_calendar",
    "parse_calendar",
]
