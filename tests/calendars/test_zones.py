"""A time zone is known exactly when the installed database lists it, however it is looked up."""

from __future__ import annotations

import os
import zoneinfo

import pytest

from csi_rules.calendars.issues import CalendarError
from csi_rules.calendars.zones import _found_by_scan, known_zones, load_zone


def _on_path(name: str) -> bool:
    return any(_found_by_scan(root, name) for root in zoneinfo.TZPATH)


def test_every_listed_zone_is_found_by_its_path_and_nothing_else_is():
    listed = known_zones()
    assert {z for z in listed if z != "UTC"} <= {z for z in listed if _on_path(z)}
    near = {"posixrules", "right/UTC", "posix/Europe/Amsterdam", "Europe", "europe/amsterdam",
            "EUROPE/Amsterdam", "Europe//Amsterdam", "Europe/../UTC", "./UTC", "/UTC",
            "Europe/Amsterdam/", "", "zone.tab", "tzdata.zi", "iso3166.tab", "leapseconds"}
    for root in zoneinfo.TZPATH:  # every file and folder under the roots, links followed
        for folder, dirs, files in os.walk(root, followlinks=True):
            near |= {os.path.relpath(os.path.join(folder, f), root) for f in dirs + files}
    assert [n for n in sorted(near) if _on_path(n) and n not in listed] == []


def test_a_misspelt_zone_is_refused_with_the_nearest_name():
    assert str(load_zone("Europe/Amsterdam")) == "Europe/Amsterdam"
    with pytest.raises(CalendarError, match="did you mean 'Europe/Amsterdam'"):
        load_zone("europe/amsterdam")
    with pytest.raises(CalendarError, match="unknown time zone 'posix/Europe/Amsterdam'"):
        load_zone("posix/Europe/Amsterdam")
