"""The `exclusions` list of a calendar spec: named windows with real, offset-carrying instants."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from csi_rules.calendars.date_text import parse_instant
from csi_rules.calendars.exclusions import EXCLUSION_KINDS, ExclusionWindow
from csi_rules.calendars.instants import to_us
from csi_rules.calendars.issues import CalendarIssue, Pointer


def _instant(item: dict[str, Any], key: str, where: Pointer,
             issues: list[CalendarIssue]) -> datetime | None:
    text = item.get(key)
    if not isinstance(text, str):
        return None
    try:
        return parse_instant(text)
    except ValueError as exc:
        issues.append(CalendarIssue((*where, key), str(exc)))
        return None


def parse_exclusions(items: Any) -> tuple[list[ExclusionWindow], list[CalendarIssue]]:
    """Windows in file order, and issues for bad instants, reversed windows and reused names."""
    issues: list[CalendarIssue] = []
    windows: list[ExclusionWindow] = []
    if not isinstance(items, list):
        return windows, issues
    first_at: dict[str, int] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        where: Pointer = ("exclusions", index)
        name = item["name"]
        if name in first_at:
            issues.append(CalendarIssue(
                (*where, "name"),
                f"duplicate exclusion name {name!r} (also at exclusions[{first_at[name]}])",
            ))
        else:
            first_at[name] = index
        start = _instant(item, "start", where, issues)
        end = _instant(item, "end", where, issues)
        kind = item.get("kind", "maintenance")
        if start is None or end is None or kind not in EXCLUSION_KINDS:
            continue
        if to_us(end) < to_us(start):
            issues.append(CalendarIssue(
                (*where, "end"),
                f"exclusion {name!r} ends before it starts ({item['end']} < {item['start']})",
            ))
        elif to_us(end) == to_us(start):
            issues.append(CalendarIssue(
                (*where, "end"),
                f"exclusion {name!r} is empty: end equals start ({item['start']})",
            ))
        else:
            windows.append(ExclusionWindow(name, start, end, kind))
    return windows, issues
