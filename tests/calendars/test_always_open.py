"""A calendar open at every instant (24x7) counts plain differences: exactly what its year
tables add up to, in UTC and in zones that change their clocks, across years."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from csi_rules.calendars import Calendar
from csi_rules.calendars.builtin import TWENTY_FOUR_SEVEN
from csi_rules.calendars.exclusions import ExclusionWindow
from csi_rules.calendars.spans import WEEKDAYS, WeeklyHours, parse_span

WHOLE_WEEK = WeeklyHours.from_spans({day: [parse_span("00:00-24:00")] for day in WEEKDAYS})
# far from every instant below: the calendar is the same, but counted through its year tables
FAR = ExclusionWindow("far", datetime(2200, 1, 1, tzinfo=UTC), datetime(2200, 1, 2, tzinfo=UTC))
ZONES = [TWENTY_FOUR_SEVEN,
         Calendar("ams", "Europe/Amsterdam", WHOLE_WEEK),
         Calendar("santiago", "America/Santiago", WHOLE_WEEK)]  # clocks change at midnight

instants = st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2030, 12, 31),
                        timezones=st.just(UTC))


@settings(max_examples=60, deadline=None)
@given(instants, instants, st.integers(0, 400 * 24 * 3600 * 10**6))
def test_always_open_calendars_count_as_their_year_tables(a, b, amount) -> None:
    for calendar in ZONES:
        tables = calendar.with_exclusions([FAR])
        assert calendar.business_microseconds(a, b) == tables.business_microseconds(a, b)
        assert calendar.business_seconds(a, b) == tables.business_seconds(a, b)
        for start in (a, a.astimezone(ZoneInfo("Europe/Amsterdam"))):
            got = calendar.add_business_microseconds(start, amount)
            expected = tables.add_business_microseconds(start, amount)
            assert got == expected and got.utcoffset() == expected.utcoffset()
            assert got.tzinfo is start.tzinfo


def test_a_duration_past_the_supported_years_is_still_refused() -> None:
    late = datetime(9998, 6, 1, tzinfo=UTC)
    try:
        TWENTY_FOUR_SEVEN.add_business_seconds(late, 3 * 365 * 86400)
    except Exception as error:  # the tables' CalendarError, as before
        assert "outside the supported range" in str(error)
    else:
        raise AssertionError("no error past year 9998")
    assert TWENTY_FOUR_SEVEN.business_seconds(late, late + timedelta(hours=1)) == 3600
