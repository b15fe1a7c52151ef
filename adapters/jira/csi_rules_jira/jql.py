"""JQL for incremental sync: bounded, ordered, with a minute-resolution watermark.

JQL date literals have no seconds and are read in the *calling user's* time zone, so the
watermark is converted to that zone, floored to the minute, and moved back by the overlap.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

ORDER = "ORDER BY updated ASC, key ASC"


def quote(value: str) -> str:
    """A JQL string literal."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def jql_datetime(when: datetime, zone: ZoneInfo, overlap_minutes: int) -> str:
    """`"yyyy-MM-dd HH:mm"` in `zone`, floored to the minute, `overlap_minutes` earlier."""
    local = when.astimezone(zone).replace(second=0, microsecond=0)
    local -= timedelta(minutes=overlap_minutes)
    return quote(local.strftime("%Y-%m-%d %H:%M"))


def sync_jql(projects: Iterable[str], extra: str, since: datetime | None, zone: ZoneInfo,
             overlap_minutes: int) -> str:
    """`project in (...) [AND (extra)] [AND updated >= "..."] ORDER BY updated ASC, key ASC`."""
    clauses = [f"project in ({', '.join(quote(p) for p in projects)})"]
    if extra:
        clauses.append(f"({extra})")
    if since is not None:
        clauses.append(f"updated >= {jql_datetime(since, zone, overlap_minutes)}")
    return " AND ".join(clauses) + " " + ORDER


def keys_jql(keys: Iterable[str]) -> str:
    return f"key in ({', '.join(quote(k) for k in keys)}) {ORDER}"
