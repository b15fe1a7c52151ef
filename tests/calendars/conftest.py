"""Calendar fixtures shared by the calendar tests (pytest runs with --import-mode=importlib,
so small helpers are repeated in the modules that need them rather than imported from here)."""

from __future__ import annotations

import pytest

from csi_rules.calendars import Calendar, parse_calendar


@pytest.fixture(scope="module")
def amsterdam_office() -> Calendar:
    """Mon-Fri 09:00-17:00 in Amsterdam with Christmas and Boxing Day."""
    calendar, issues = parse_calendar({
        "timezone": "Europe/Amsterdam",
        "hours": {day: ["09:00-17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": [{"month": 12, "day": 25, "name": "Christmas Day"},
                     {"month": 12, "day": 26, "name": "Boxing Day"}],
    }, name="amsterdam-office")
    assert issues == [] and calendar is not None
    return calendar
