"""Conflict detection for one change: blackout windows and other changes on the same CI.

c_ConflictDetection.md lists what it finds; the emulator runs two of those reasons: "The CI is
in a blackout window" and "The configuration items (CIs) are already scheduled at the given date
and time". Results are `conflict` rows and the change's `conflict_status` ("Conflict" /
"No Conflict") and `conflict_last_run`. Simplified (pk): a blackout schedule applies to every CI
(its `condition` is not evaluated), and only single spans are read (a repeating span, such as
a weekly maintenance window, is skipped). With the system property
change.conflict.refresh.conflicts set to true (instance.json `properties`), detection also runs
when a change's CI or planned dates are written. Span times (`yyyyMMddTHHmmss`, r_ScheduleEntryFields.md)
are in the schedule's time zone; "Floating" is read as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # store.py runs rules.py, which runs this module, on writes
    from csi_rules_servicenow.emulator.store import Row, Store

TABLE = "conflict"
CHANGE_TIME = "%Y-%m-%d %H:%M:%S"


def span_time(text: str, zone: str) -> datetime | None:
    try:
        moment = datetime.strptime(text, "%Y%m%dT%H%M%S")
    except ValueError:
        return None
    tz = UTC if zone in ("", "Floating") else ZoneInfo(zone)
    return moment.replace(tzinfo=tz).astimezone(UTC)


def _window(row: Row) -> tuple[datetime, datetime] | None:
    try:
        start = datetime.strptime(row.get("start_date", ""), CHANGE_TIME).replace(tzinfo=UTC)
        end = datetime.strptime(row.get("end_date", ""), CHANGE_TIME).replace(tzinfo=UTC)
    except ValueError:
        return None
    return (start, end) if start < end else None


def blackouts(store: Store, start: datetime, end: datetime) -> list[tuple[Row, Row]]:
    """(schedule, span) pairs of blackout schedules whose single spans overlap [start, end)."""
    found = []
    for schedule in store.rows("cmn_schedule"):
        if schedule.get("type") != "blackout":
            continue
        for span in store.rows("cmn_schedule_span"):
            if span.get("schedule") != schedule["sys_id"] or span.get("repeat_type"):
                continue
            zone = schedule.get("time_zone", "")
            begins = span_time(span.get("start_date_time", ""), zone)
            ends = span_time(span.get("end_date_time", ""), zone)
            if begins and ends and begins < end and start < ends:
                found.append((schedule, span))
    return found


def find(store: Store, change: Row) -> list[dict[str, str]]:
    """The conflicts of `change` as it stands (values for `conflict` rows, change not set)."""
    window = _window(change)
    found: list[dict[str, str]] = []
    if window is None:
        return found
    ci = change.get("cmdb_ci", "")
    for schedule, _ in blackouts(store, *window):
        found.append({"type": "blackout", "schedule": schedule["sys_id"],
                      "configuration_item": ci})
    for other in store.rows("change_request"):
        theirs = _window(other)
        if (ci and other["sys_id"] != change["sys_id"] and other.get("cmdb_ci") == ci
                and other.get("active") != "false" and theirs is not None
                and theirs[0] < window[1] and window[0] < theirs[1]):
            found.append({"type": "ci_already_scheduled", "configuration_item": ci,
                          "conflicting_change": other["sys_id"]})
    return found


def refresh(store: Store, change: Row, user: str) -> list[Row]:
    """Replace the change's conflict rows with a fresh run; `change` (a row being written, or
    stored) gets its conflict_status and conflict_last_run. The caller holds the lock."""
    for old in [r for r in store.rows(TABLE) if r.get("change") == change["sys_id"]]:
        store.delete(TABLE, old["sys_id"])
    rows = [store.insert(TABLE, {"change": change["sys_id"], **values}, user)
            for values in find(store, change)]
    change["conflict_status"] = "Conflict" if rows else "No Conflict"
    change["conflict_last_run"] = store.clock().strftime(CHANGE_TIME)
    return rows


def detect(store: Store, change: Row, user: str) -> list[Row]:
    """Run detection for a stored change (POST .../conflict): its rows, its status updated."""
    with store.lock:
        probe = dict(change)
        rows = refresh(store, probe, user)
        store.update("change_request", change["sys_id"], {
            "conflict_status": probe["conflict_status"],
            "conflict_last_run": probe["conflict_last_run"]}, user)
        return rows


REFRESH_PROPERTY = "change.conflict.refresh.conflicts"
WATCHED = ("cmdb_ci", "start_date", "end_date")


def on_write(store: Store, before: Row | None, row: Row, user: str) -> None:
    """With change.conflict.refresh.conflicts on (configure-conflict-properties.md), a change
    whose CI or planned dates are set or changed has its conflicts run again."""
    if store.properties.get(REFRESH_PROPERTY) != "true":
        return
    if before is not None and all(row.get(f) == before.get(f) for f in WATCHED):
        return
    if row.get("cmdb_ci") and row.get("start_date") and row.get("end_date"):
        refresh(store, row, user)
