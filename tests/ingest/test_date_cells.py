"""Date-time cells read through the fast pattern give exactly what strptime gives (the same
value, the same refusals), on texts built to probe the edges: unpadded, padded and out-of-range
parts, stray spaces, non-ASCII digits, trailing text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from csi_rules.ingest.date_cells import DateCells, DateTimeError, fast_pattern

FORMATS = ["%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%m/%d/%Y", "%d.%m.%Y %H%M", "%Y%m%d%H%M%S"]


def _strptime(text: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        return None


def _cells(fmt: str) -> DateCells:
    return DateCells((fmt,), "Europe/Amsterdam", "test")


def _parsed(text: str, fmt: str) -> datetime | None:
    try:
        return _cells(fmt).parse(text).replace(tzinfo=None)
    except DateTimeError:
        return None


_part = st.one_of(st.integers(0, 2100).map(str), st.integers(0, 99).map(lambda n: f"{n:02d}"),
                  st.sampled_from([" 1", "٣", "", "0", "00", "29", "31", "60", "2016"]))
_sep = st.sampled_from(["/", "-", " ", ":", ".", "", "  ", "T", "x"])


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(FORMATS), st.lists(st.tuples(_part, _sep), min_size=1, max_size=7))
@example("%d/%m/%Y %H:%M", [("29", "/"), ("2", "/"), ("2016", " "), ("01", ":"), ("16", "")])
@example("%d/%m/%Y %H:%M", [("31", "/"), ("2", "/"), ("2016", " "), ("1", ":"), ("6", "")])
@example("%Y%m%d%H%M%S", [("20160229011659", "")])
def test_fast_path_agrees_with_strptime(fmt: str, parts: list[tuple[str, str]]) -> None:
    text = "".join(p + s for p, s in parts)
    assert _parsed(text, fmt) == _strptime(text, fmt)


@pytest.mark.parametrize("fmt", ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S"])
def test_plain_formats_take_the_fast_path(fmt: str) -> None:
    assert fast_pattern(fmt) is not None


@pytest.mark.parametrize("fmt", ["%d %b %Y", "%Y-%m-%d\t%H", "%H:%M", "%d/%m/%Y %%", "%y%m%d"])
def test_other_formats_are_left_to_strptime(fmt: str) -> None:
    assert fast_pattern(fmt) is None


def test_a_cell_in_no_format_names_the_formats() -> None:
    with pytest.raises(DateTimeError, match=r"'32/1/2016' is not a date-time in the format "
                                            r"%d/%m/%Y %H:%M"):
        _cells("%d/%m/%Y %H:%M").parse("32/1/2016")


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "America/St_Johns", "Australia/Lord_Howe"])
@pytest.mark.parametrize("fmt", ["%d-%m-%Y %H:%M", "%d %b %Y %H:%M"])  # quick reader, strptime
def test_local_times_get_the_zones_offset_around_dst_changes(zone: str, fmt: str) -> None:
    """A local time (also in a DST gap or fold) is the zone's first reading of it (fold 0),
    on a nameless fixed offset: what parsing its ISO text with that offset gives."""
    cells, local = DateCells((fmt,), zone, "test"), ZoneInfo(zone)
    for day in (datetime(2013, 3, 31), datetime(2013, 10, 27), datetime(2013, 4, 7),
                datetime(2013, 10, 6), datetime(2013, 3, 10), datetime(2013, 11, 3)):
        for minutes in range(0, 24 * 60, 10):
            wall = day + timedelta(minutes=minutes)
            value = cells.parse(wall.strftime(fmt))
            offset = wall.replace(tzinfo=local).utcoffset()
            assert value == wall.replace(tzinfo=timezone(offset))
            assert value.isoformat() == datetime.fromisoformat(value.isoformat()).isoformat()
            assert value.tzname() == timezone(offset).tzname(None) and value.fold == 0
