"""A `kind: Calendar` spec to a Calendar, reporting every problem found instead of stopping.

Layers: structure (JSON Schema, optional when the policy loader already ran it), then meaning:
zone names, span text and overlaps, real dates, duplicate holidays, reversed exclusions.
"""

from __future__ import annotations

from typing import Any

from csi_rules.calendars.calendar import Calendar
from csi_rules.calendars.holiday_rules import HolidaySet
from csi_rules.calendars.issues import CalendarError, CalendarIssue
from csi_rules.calendars.parse_exclusions import parse_exclusions
from csi_rules.calendars.parse_holidays import parse_holidays
from csi_rules.calendars.schema_issues import schema_issues
from csi_rules.calendars.spans import (
    WEEKDAYS,
    Span,
    SpanError,
    WeeklyHours,
    find_overlaps,
    parse_span,
)
from csi_rules.calendars.zones import load_zone

_NOT_A_SPEC = ("spec does not match the Calendar schema (needs 'timezone' text and an "
               "'hours' mapping)")


def _parse_hours(hours: Any) -> tuple[WeeklyHours | None, list[CalendarIssue]]:
    if not isinstance(hours, dict):
        return None, []
    issues: list[CalendarIssue] = []
    per_day: list[list[Span | None]] = []
    for day in WEEKDAYS:
        texts = hours.get(day, [])
        spans: list[Span | None] = []
        for index, text in enumerate(texts if isinstance(texts, list) else []):
            span = None
            if isinstance(text, str):
                try:
                    span = parse_span(text)
                except SpanError as exc:
                    issues.append(CalendarIssue(("hours", day, index), str(exc)))
            spans.append(span)
        per_day.append(spans)
    for weekday, index, message in find_overlaps(per_day):
        issues.append(CalendarIssue(("hours", WEEKDAYS[weekday], index), message))
    weekly = WeeklyHours.from_spans({
        day: [s for s in spans if s is not None]
        for day, spans in zip(WEEKDAYS, per_day, strict=True)
    })
    return weekly, issues


def parse_calendar(
    spec: Any, *, name: str = "", check_schema: bool = True
) -> tuple[Calendar | None, list[CalendarIssue]]:
    """The calendar described by `spec`, or None with every issue found.

    Pointers in issues are relative to `spec` (e.g. ("hours", "mon", 1)). Pass
    `check_schema=False` when the caller has already validated the spec against
    CALENDAR_SPEC_SCHEMA, to avoid reporting structural problems twice.
    """
    issues = schema_issues(spec) if check_schema else []
    if not isinstance(spec, dict):
        return None, issues or [CalendarIssue((), _NOT_A_SPEC)]
    zone = None
    if isinstance(spec.get("timezone"), str):
        try:
            zone = load_zone(spec["timezone"])
        except CalendarError as exc:
            issues.append(CalendarIssue(("timezone",), str(exc)))
    weekly, hour_issues = _parse_hours(spec.get("hours"))
    rules, holiday_issues = parse_holidays(spec.get("holidays", []))
    windows, exclusion_issues = parse_exclusions(spec.get("exclusions", []))
    issues += hour_issues + holiday_issues + exclusion_issues
    if weekly is not None and weekly.is_empty and not any(i.pointer[:1] == ("hours",)
                                                          for i in issues):
        issues.append(CalendarIssue(("hours",), "no business hours on any weekday; list at "
                                                "least one span, or use the built-in '24x7' "
                                                "calendar"))
    if not issues and (zone is None or weekly is None):
        # only reachable with check_schema=False on a spec that breaks the schema
        issues.append(CalendarIssue((), _NOT_A_SPEC))
    if issues or zone is None or weekly is None:
        return None, issues
    return Calendar(name, zone, weekly, HolidaySet(tuple(rules)), windows), issues
