"""IANA time zones by name, with a nearest-name suggestion when one is misspelt."""

from __future__ import annotations

import difflib
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

from csi_rules.calendars.issues import CalendarError


@lru_cache(maxsize=1)
def known_zones() -> frozenset[str]:
    """IANA names in the installed time zone database (scanning it is slow, so once only)."""
    return frozenset(available_timezones() | {"UTC"})


def suggest_zone(name: str) -> str | None:
    """The zone the user most likely meant: same name in other case, same city, or close."""
    zones = sorted(known_zones())
    by_lower = {z.lower(): z for z in zones}
    by_city = {z.rsplit("/", 1)[-1].lower(): z for z in zones}
    key = name.strip().replace(" ", "_").lower()
    for table in (by_lower, by_city):
        if key in table:
            return table[key]
    for table, cutoff in ((by_lower, 0.6), (by_city, 0.75)):
        near = difflib.get_close_matches(key, list(table), n=1, cutoff=cutoff)
        if near:
            return table[near[0]]
    return None


def load_zone(name: str) -> ZoneInfo:
    """The zone called `name`; raises CalendarError naming the nearest valid zone."""
    if name in known_zones():
        return ZoneInfo(name)
    near = suggest_zone(name)
    hint = f"; did you mean {near!r}?" if near else ""
    raise CalendarError(
        f"unknown time zone {name!r}{hint} (IANA names such as 'Europe/Amsterdam', "
        "'America/New_York', 'UTC')"
    )
