"""JSON Schema of the `spec` of a `kind: Calendar` policy document.

Structure only: span text, real dates, zone names and overlaps are semantic checks in `parse`,
which can say precisely what is wrong. Every property carries a description for generated docs.
"""

from __future__ import annotations

from typing import Any

from csi_rules.calendars.exclusions import EXCLUSION_KINDS
from csi_rules.calendars.spans import WEEKDAYS

_DAY_NAMES = dict(zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                 "Saturday", "Sunday"), strict=True))

_SPAN_LIST: dict[str, Any] = {
    "type": "array",
    "items": {
        "type": "string",
        "description": (
            "'HH:MM-HH:MM' in 24-hour local time, e.g. '09:00-17:30'. An end before the start "
            "runs into the next day ('22:00-06:00'); '00:00-24:00' is the whole day."
        ),
    },
}

_NAME: dict[str, Any] = {
    "type": "string",
    "description": "Name shown when an SLA explains why its clock stood still.",
}
_MONTH: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": 12,
                          "description": "Month, 1 (January) to 12 (December)."}
_DATE: dict[str, Any] = {"type": "string",
                         "description": "A calendar date, 'YYYY-MM-DD' (e.g. '2026-12-24')."}

_HOLIDAY_DATE: dict[str, Any] = {
    "type": "object",
    "description": "One date, once, with a name.",
    "required": ["date"],
    "additionalProperties": False,
    "properties": {"date": _DATE, "name": _NAME},
}
_HOLIDAY_YEARLY: dict[str, Any] = {
    "type": "object",
    "description": "The same date every year, e.g. {month: 12, day: 25}.",
    "required": ["month", "day"],
    "additionalProperties": False,
    "properties": {
        "month": _MONTH,
        "day": {"type": "integer", "minimum": 1, "maximum": 31,
                "description": "Day of the month; February 29 applies in leap years only."},
        "name": _NAME,
    },
}
_HOLIDAY_NTH_WEEKDAY: dict[str, Any] = {
    "type": "object",
    "description": "The n-th weekday of a month every year, e.g. the 4th Thursday of November.",
    "required": ["rule", "month", "weekday", "n"],
    "additionalProperties": False,
    "properties": {
        "rule": {"const": "nth_weekday", "description": "Selects this form of holiday."},
        "month": _MONTH,
        "weekday": {"enum": list(WEEKDAYS), "description": "Weekday, 'mon' to 'sun'."},
        "n": {"type": "integer", "enum": [1, 2, 3, 4, 5, -1, -2, -3, -4, -5],
              "description": "Which one: 1 = first ... 5 = fifth, -1 = last, -2 = second-last. "
                             "A month without a fifth one has no holiday that year."},
        "name": _NAME,
    },
}
_HOLIDAY_EASTER: dict[str, Any] = {
    "type": "object",
    "description": "A day relative to Western Easter Sunday every year.",
    "required": ["rule", "offset"],
    "additionalProperties": False,
    "properties": {
        "rule": {"const": "easter", "description": "Selects this form of holiday."},
        "offset": {"type": "integer", "minimum": -63, "maximum": 63,
                   "description": "Days after Easter Sunday: -2 Good Friday, 1 Easter Monday, "
                                  "39 Ascension Day, 50 Whit Monday."},
        "name": _NAME,
    },
}
_HOLIDAY_COUNTRY: dict[str, Any] = {
    "type": "object",
    "description": "All public holidays of a country, from the 'holidays' Python package.",
    "required": ["country"],
    "additionalProperties": False,
    "properties": {
        "country": {"type": "string",
                    "description": "ISO 3166-1 alpha-2 or alpha-3 country code, e.g. 'NL', "
                                   "'US', 'DEU'."},
        "subdivision": {"type": "string",
                        "description": "State or region code (or name) as the 'holidays' "
                                       "package knows it, e.g. 'CA' or 'California'."},
    },
}

HOLIDAY_FORMS: dict[str, dict[str, Any]] = {
    "date": _HOLIDAY_DATE,
    "yearly": _HOLIDAY_YEARLY,
    "nth_weekday": _HOLIDAY_NTH_WEEKDAY,
    "easter": _HOLIDAY_EASTER,
    "country": _HOLIDAY_COUNTRY,
}

EXCLUSION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A window that is not business time, whatever the weekly hours say.",
    "required": ["name", "start", "end"],
    "additionalProperties": False,
    "properties": {
        "name": {"type": "string", "minLength": 1,
                 "description": "Unique name, shown when an SLA explains a pause."},
        "start": {"type": "string",
                  "description": "ISO 8601 date-time with UTC offset, e.g. "
                                 "'2026-03-14T22:00:00+01:00' (included)."},
        "end": {"type": "string",
                "description": "ISO 8601 date-time with UTC offset (excluded); after start."},
        "kind": {"enum": list(EXCLUSION_KINDS),
                 "description": "maintenance (planned work), blackout (no service) or freeze "
                                "(no changes; also read by change gates). Default maintenance."},
    },
}

# A fragment (no "$schema"/"$id") so the policy document schema can embed it under `spec`;
# it is written for JSON Schema draft 2020-12.
CALENDAR_SPEC_SCHEMA: dict[str, Any] = {
    "title": "Calendar spec",
    "description": "Business hours in one time zone, minus holidays and exclusion windows.",
    "type": "object",
    "required": ["timezone", "hours"],
    "additionalProperties": False,
    "properties": {
        "timezone": {
            "type": "string",
            "description": "IANA time zone the hours are read in, e.g. 'Europe/Amsterdam'. "
                           "Daylight saving is followed: a spring-forward day is an hour short.",
        },
        "hours": {
            "type": "object",
            "description": "Weekly business hours; a weekday left out has none.",
            "additionalProperties": False,
            "properties": {
                day: {**_SPAN_LIST, "description": f"Business hours on {full}; several spans "
                                                   "allowed, none may overlap."}
                for day, full in _DAY_NAMES.items()
            },
        },
        "holidays": {
            "type": "array",
            "description": "Whole local dates without business time, including any overnight "
                           "span running into them.",
            "items": {
                "description": "A date 'YYYY-MM-DD' or one of the holiday objects.",
                "oneOf": [_DATE, *HOLIDAY_FORMS.values()],
            },
        },
        "exclusions": {
            "type": "array",
            "description": "Named windows subtracted from business time (maintenance, "
                           "blackouts, change freezes); adapters can add more at run time.",
            "items": EXCLUSION_SCHEMA,
        },
    },
}
