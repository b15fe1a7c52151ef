"""IANA time zones by name, with a nearest-name suggestion when one is misspelt."""

from __future__ import annotations

import difflib
import os
import zoneinfo
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


def _found_by_scan(root: str, name: str) -> bool:
    """Whether available_timezones()'s scan of `root` (os.walk without following links to
    directories, right/ and posix/ left out, files starting with b"TZif") finds `name`, found
    by walking its one path instead of opening all ~600 files (20-40 ms, much of
    `csi-rules validate`'s start-up). False decides nothing: the caller asks known_zones()."""
    parts = name.split("/")
    if parts == ["posixrules"] or parts[0] in ("right", "posix"):
        return False
    here = root
    for depth, part in enumerate(parts):
        try:
            with os.scandir(here) as entries:  # exact names, as os.walk sees them
                entry = next((e for e in entries if e.name == part), None)
            if entry is None:
                return False
            if depth < len(parts) - 1:
                if not entry.is_dir() or entry.is_symlink():
                    return False
                here = entry.path
            elif entry.is_dir():
                return False
            else:
                with open(entry.path, "rb") as f:
                    return f.read(4) == b"TZif"
        except OSError:
            return False
    return False


def load_zone(name: str) -> ZoneInfo:
    """The zone called `name`; raises CalendarError naming the nearest valid zone."""
    on_path = isinstance(name, str) and any(_found_by_scan(root, name) for root in zoneinfo.TZPATH)
    if name == "UTC" or on_path or name in known_zones():
        return ZoneInfo(name)
    near = suggest_zone(name)
    hint = f"; did you mean {near!r}?" if near else ""
    raise CalendarError(
        f"unknown time zone {name!r}{hint} (IANA names such as 'Europe/Amsterdam', "
        "'America/New_York', 'UTC')"
    )
