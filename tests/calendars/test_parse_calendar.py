"""Validation of a Calendar spec: every problem reported, each at its pointer, in one line."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from csi_rules.calendars import CalendarIssue, parse_calendar
from csi_rules.calendars import country as country_module

WORKDAYS = ("mon", "tue", "wed", "thu", "fri")


def spec(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"timezone": "Europe/Amsterdam",
                            "hours": {d: ["09:00-17:00"] for d in WORKDAYS}}
    base.update(overrides)
    return base


def issues_of(value: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    calendar, issues = parse_calendar(value)
    if issues:
        assert calendar is None
    return [(i.pointer, i.message) for i in issues]


def test_valid_spec_gives_a_named_calendar_and_no_issues() -> None:
    calendar, issues = parse_calendar(spec(
        holidays=["2026-12-24", {"month": 12, "day": 25}, {"country": "NL"},
                  {"rule": "nth_weekday", "month": 11, "weekday": "thu", "n": 4},
                  {"rule": "easter", "offset": 1, "name": "Easter Monday"},
                  {"date": "2028-02-29", "name": "leap day"}],
        exclusions=[{"name": "dc move", "start": "2026-05-01T18:00:00Z",
                     "end": "2026-05-03T18:00:00+02:00", "kind": "blackout"}],
    ), name="office")
    assert issues == []
    assert calendar is not None and calendar.name == "office"
    assert [w.kind for w in calendar.exclusions] == ["blackout"]


def test_issues_are_plain_pointer_message_tuples() -> None:
    _, issues = parse_calendar(spec(timezone="Mars/Olympus"))
    assert issues == [CalendarIssue(("timezone",), issues[0].message)]
    pointer, message = issues[0]
    assert pointer == ("timezone",) and message.startswith("unknown time zone 'Mars/Olympus'")


@pytest.mark.parametrize(("zone", "suggestion"), [
    ("Europe/Amsterdm", "Europe/Amsterdam"),
    ("europe/amsterdam", "Europe/Amsterdam"),
    ("New York", "America/New_York"),
])
def test_unknown_time_zone_suggests_the_nearest_iana_name(zone: str, suggestion: str) -> None:
    assert issues_of(spec(timezone=zone)) == [(
        ("timezone",),
        f"unknown time zone {zone!r}; did you mean {suggestion!r}? "
        "(IANA names such as 'Europe/Amsterdam', 'America/New_York', 'UTC')",
    )]


def test_unknown_time_zone_without_anything_close() -> None:
    assert issues_of(spec(timezone="xyzzy")) == [(
        ("timezone",),
        "unknown time zone 'xyzzy' (IANA names such as 'Europe/Amsterdam', "
        "'America/New_York', 'UTC')",
    )]


@pytest.mark.parametrize(("text", "message"), [
    ("9-17", "malformed span '9-17': expected 'HH:MM-HH:MM', e.g. '09:00-17:30'"),
    ("09:00 to 17:00", "malformed span '09:00 to 17:00': expected 'HH:MM-HH:MM', "
                       "e.g. '09:00-17:30'"),
    ("08:00-25:00", "span '08:00-25:00' has an invalid time '25:00' "
                    "(hours 00-23, minutes 00-59; '24:00' only as an end)"),
    ("24:00-02:00", "span '24:00-02:00' has an invalid time '24:00' "
                    "(hours 00-23, minutes 00-59; '24:00' only as an end)"),
    ("09:60-10:00", "span '09:60-10:00' has an invalid time '09:60' "
                    "(hours 00-23, minutes 00-59; '24:00' only as an end)"),
    ("10:00-10:00", "span '10:00-10:00' is empty (start equals end); "
                    "write '00:00-24:00' for a whole day"),
])
def test_bad_span_text(text: str, message: str) -> None:
    assert issues_of(spec(hours={"mon": ["07:00-08:00", text]})) == [(("hours", "mon", 1), message)]


def test_spans_that_touch_are_fine_and_whole_days_and_overnights_parse() -> None:
    hours = {"mon": ["09:00-12:00", "12:00-17:00"], "tue": ["00:00-24:00"],
             "wed": ["22:00-00:00"], "thu": ["00:00-08:00", "22:00-08:00"]}
    assert issues_of(spec(hours=hours)) == []


def test_overlapping_spans_on_one_day() -> None:
    assert issues_of(spec(hours={"tue": ["08:00-12:00", "13:00-17:00", "11:00-13:30"]})) == [
        (("hours", "tue", 2), "span '11:00-13:30' overlaps '08:00-12:00' on the same day"),
        (("hours", "tue", 2), "span '11:00-13:30' overlaps '13:00-17:00' on the same day"),
    ]


def test_overnight_span_spilling_into_a_span_of_the_next_day() -> None:
    assert issues_of(spec(hours={"fri": ["22:00-06:00"], "sat": ["05:00-09:00"]})) == [(
        ("hours", "sat", 0),
        "span '05:00-09:00' overlaps fri's overnight span '22:00-06:00', "
        "which runs until 06:00 on sat",
    )]


def test_sunday_overnight_span_spilling_into_monday() -> None:
    assert issues_of(spec(hours={"mon": ["05:00-09:00"], "sun": ["22:00-06:00"]})) == [(
        ("hours", "sun", 0),
        "overnight span '22:00-06:00' runs until 06:00 on mon and overlaps mon's span "
        "'05:00-09:00'",
    )]


def test_no_business_hours_at_all() -> None:
    assert issues_of(spec(hours={})) == [(
        ("hours",),
        "no business hours on any weekday; list at least one span, or use the built-in "
        "'24x7' calendar",
    )]


@pytest.mark.parametrize(("holiday", "pointer", "message"), [
    ("2026-02-30", ("holidays", 0), "impossible date '2026-02-30': February 2026 has 28 days"),
    ("2027-02-29", ("holidays", 0), "impossible date '2027-02-29': February 2027 has 28 days"),
    ("2026-13-01", ("holidays", 0), "impossible date '2026-13-01': there is no month 13"),
    ("2026-04-00", ("holidays", 0), "impossible date '2026-04-00': days of the month start at 1"),
    ("2026-2-3", ("holidays", 0), "malformed date '2026-2-3': expected 'YYYY-MM-DD', "
                                  "e.g. '2026-12-25'"),
    ({"date": "2026-06-31", "name": "x"}, ("holidays", 0, "date"),
     "impossible date '2026-06-31': June 2026 has 30 days"),
    ({"month": 4, "day": 31}, ("holidays", 0, "day"),
     "impossible date: April has at most 30 days, not 31"),
    ({"month": 2, "day": 30}, ("holidays", 0, "day"),
     "impossible date: February has at most 29 days, not 30"),
])
def test_impossible_dates(holiday: Any, pointer: tuple[Any, ...], message: str) -> None:
    assert issues_of(spec(holidays=[holiday])) == [(pointer, message)]


def test_february_29_every_year_is_allowed() -> None:
    assert issues_of(spec(holidays=[{"month": 2, "day": 29}])) == []


def test_duplicate_holidays() -> None:
    thanksgiving = {"rule": "nth_weekday", "month": 11, "weekday": "thu", "n": 4}
    holidays = [
        "2026-12-24",
        {"month": 12, "day": 25, "name": "Christmas"},
        "2026-12-24",
        {"month": 12, "day": 25, "name": "Xmas"},
        thanksgiving,
        {**thanksgiving, "name": "Thanksgiving"},
        {"date": "2026-11-26"},
        {"rule": "easter", "offset": 1},
        "2027-03-29",
        {"country": "NL"},
        {"country": "NL"},
    ]
    assert issues_of(spec(holidays=holidays)) == [
        (("holidays", 10), "duplicate holiday public holidays of NL (also at holidays[9])"),
        (("holidays", 2), "duplicate holiday 2026-12-24 (also at holidays[0])"),
        (("holidays", 3), "duplicate holiday December 25 every year (also at holidays[1])"),
        (("holidays", 5), "duplicate holiday 4th thu of November (also at holidays[4])"),
        (("holidays", 6), "duplicate holiday 2026-11-26: already covered by 4th thu of November "
                          "(holidays[4])"),
        (("holidays", 8), "duplicate holiday 2027-03-29: already covered by Easter Sunday +1 days "
                          "(holidays[7])"),
    ]


def test_unknown_country_and_subdivision_for_the_holidays_package() -> None:
    found = issues_of(spec(holidays=[{"country": "NLX"},
                                     {"country": "US", "subdivision": "Kalifornia"},
                                     {"country": "US", "subdivision": "California"}]))
    assert found[0] == (("holidays", 0, "country"),
                        "unknown country 'NLX' for holidays; did you mean 'NL'? "
                        "(ISO 3166-1 codes such as 'NL', 'US', 'DE')")
    assert found[1][0] == ("holidays", 1, "subdivision")
    assert found[1][1].startswith("unknown subdivision 'Kalifornia' of US; did you mean 'CA'? "
                                  "(valid: AK, AL, ")
    assert len(found) == 2


def test_missing_holidays_package_is_a_clear_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "holidays", None)
    country_module.country_codes.cache_clear()
    try:
        found = issues_of(spec(holidays=[{"country": "NL"}]))
    finally:
        country_module.country_codes.cache_clear()
    assert found == [(("holidays", 0), "holidays by country need the 'holidays' package, "
                                       "which is not installed (pip install holidays)")]


def _window(name: str, start: str, end: str) -> dict[str, str]:
    return {"name": name, "start": start, "end": end}


def test_exclusion_problems() -> None:
    exclusions = [
        _window("db upgrade", "2026-03-01T10:00:00+01:00", "2026-03-01T09:00:00+01:00"),
        _window("noop", "2026-03-01T10:00:00+01:00", "2026-03-01T09:00:00Z"),
        _window("naive", "2026-03-01T10:00", "2026-03-01T12:00:00Z"),
        _window("feb", "2026-02-28T10:00:00Z", "2026-02-30T12:00:00Z"),
        _window("typo", "2026-03-01 10h", "2026-03-02T12:00:00Z"),
        _window("db upgrade", "2026-04-01T10:00:00Z", "2026-04-01T12:00:00Z"),
    ]
    assert issues_of(spec(exclusions=exclusions)) == [
        (("exclusions", 0, "end"), "exclusion 'db upgrade' ends before it starts "
                                   "(2026-03-01T09:00:00+01:00 < 2026-03-01T10:00:00+01:00)"),
        (("exclusions", 1, "end"), "exclusion 'noop' is empty: end equals start "
                                   "(2026-03-01T10:00:00+01:00)"),
        (("exclusions", 2, "start"), "date-time '2026-03-01T10:00' has no UTC offset; "
                                     "append one such as '+01:00' or 'Z'"),
        (("exclusions", 3, "end"), "impossible date-time '2026-02-30T12:00:00Z': "
                                   "February 2026 has 28 days"),
        (("exclusions", 4, "start"), "malformed date-time '2026-03-01 10h': expected ISO 8601 "
                                     "such as '2026-03-14T22:00:00+01:00'"),
        (("exclusions", 5, "name"), "duplicate exclusion name 'db upgrade' "
                                    "(also at exclusions[0])"),
    ]


def test_structural_problems_are_worded_for_people() -> None:
    bad = {
        "timezone": "UTC",
        "hours": {"monday": ["09:00-17:00"], "tue": "09:00-17:00"},
        "holidays": [{"rule": "eastr", "offset": 1},
                     {"rule": "nth_weekday", "month": 11, "weekday": "thursday", "n": 4},
                     {"month": 1, "day": 1, "nam": "New Year"},
                     {"mnth": 1},
                     5],
        "exclusions": [{"name": "x", "start": "2026-03-01T10:00:00Z",
                        "end": "2026-03-01T12:00:00Z", "kind": "freez"}],
        "zone": "UTC",
    }
    assert issues_of(bad) == [
        (("exclusions", 0, "kind"),
         "unknown kind 'freez'; did you mean 'freeze'? (valid: blackout, freeze, maintenance)"),
        (("holidays", 0, "rule"),
         "unknown holiday rule 'eastr'; did you mean 'easter'? (valid: easter, nth_weekday)"),
        (("holidays", 1, "weekday"),
         "unknown weekday 'thursday' (valid: fri, mon, sat, sun, thu, tue, wed)"),
        (("holidays", 2, "nam"),
         "unknown key 'nam'; did you mean 'name'? (valid: day, month, name)"),
        (("holidays", 3), "holiday object needs 'date', 'month' and 'day', 'rule' or 'country'"),
        (("holidays", 4), "a holiday is a date 'YYYY-MM-DD' or an object, not 5"),
        (("hours", "monday"),
         "unknown key 'monday'; did you mean 'mon'? (valid: fri, mon, sat, sun, thu, tue, wed)"),
        (("hours", "tue"), "'09:00-17:00' is not of type 'array'"),
        (("zone",), "unknown key 'zone'; did you mean 'timezone'? "
                    "(valid: exclusions, holidays, hours, timezone)"),
    ]


def test_missing_required_keys() -> None:
    assert issues_of({}) == [((), "'hours' is a required property"),
                             ((), "'timezone' is a required property")]


def test_every_problem_is_reported_not_just_the_first() -> None:
    found = issues_of(spec(timezone="Europe/Amsterdm",
                           hours={"mon": ["9-17"], "tue": ["08:00-12:00", "11:00-13:00"]},
                           holidays=["2026-02-30"],
                           exclusions=[_window("w", "2026-03-02T00:00:00Z",
                                               "2026-03-01T00:00:00Z")]))
    assert [pointer for pointer, _ in found] == [
        ("timezone",), ("hours", "mon", 0), ("hours", "tue", 1), ("holidays", 0),
        ("exclusions", 0, "end"),
    ]


def test_schema_check_can_be_left_to_the_policy_loader() -> None:
    calendar, issues = parse_calendar(spec(colour="blue"), check_schema=False)
    assert issues == [] and calendar is not None
    assert parse_calendar(spec(colour="blue"))[1] != []


def test_unchecked_spec_that_breaks_the_schema_still_gets_an_issue() -> None:
    calendar, issues = parse_calendar({"timezone": 5, "hours": "always"}, check_schema=False)
    assert calendar is None
    assert issues == [((), "spec does not match the Calendar schema (needs 'timezone' text "
                           "and an 'hours' mapping)")]


def test_non_mapping_spec_does_not_crash() -> None:
    calendar, issues = parse_calendar(["not", "a", "mapping"])
    assert calendar is None
    assert issues == [((), "['not', 'a', 'mapping'] is not of type 'object'")]
