"""Free time slots for a change or a CI, and the workers that carry them (change-management-api.md).

GET /change/{sys_id}/schedule, GET /change/ci/{cmdb_ci_sys_id}/schedule and PATCH
/change/{sys_id}/schedule/first_available answer 202 with a worker ("Waiting", state 1) whose
link, GET /change/worker/{sys_id}, gives the result; the emulator computes at once, so the
worker is "Complete" (3) when first read, with `payload.spans` (start and end as
{value, display_value}) or, when nothing fits, an info message. A slot is a span of the
change's duration in a gap between busy times on the CI: blackout windows (change_conflicts.py)
and other active changes on it, within the 90-day scheduling window the doc names as default
(change.conflict.next_available.schedule_window). first_available also moves the change's
planned start and end to the first slot.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from csi_rules_servicenow.emulator.change_conflicts import blackouts, span_time
from csi_rules_servicenow.emulator.render import local_time
from csi_rules_servicenow.emulator.store import Row, Store, format_time

WINDOW = timedelta(days=90)
MAX_SPANS = 10
STATES = {1: "Waiting", 2: "In-Progress", 3: "Complete", 4: "Error"}
NOTHING_FITS = "No available time slot was found within the schedule window"


def parse_time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _busy(store: Store, ci: str, start: datetime, end: datetime,
          skip: str) -> list[tuple[datetime, datetime]]:
    busy = []
    for _, span in blackouts(store, start, end):

        zone = (store.get("cmn_schedule", span.get("schedule", "")) or {}).get("time_zone", "")
        begins = span_time(span.get("start_date_time", ""), zone)
        ends = span_time(span.get("end_date_time", ""), zone)
        if begins and ends:
            busy.append((begins, ends))
    for other in store.rows("change_request"):
        if other["sys_id"] == skip or other.get("cmdb_ci") != ci or other.get("active") == "false":
            continue
        begins, ends = parse_time(other.get("start_date", "")), parse_time(other.get("end_date", ""))
        if begins and ends and begins < end and start < ends:
            busy.append((begins, ends))
    return sorted(busy)


def free_slots(store: Store, ci: str, duration: timedelta, start: datetime,
               skip: str = "") -> list[tuple[datetime, datetime]]:
    """The first slot of each gap long enough for `duration`, from `start`, up to MAX_SPANS."""
    end = start + WINDOW
    slots: list[tuple[datetime, datetime]] = []
    cursor = start
    for begins, ends in [*_busy(store, ci, start, end, skip), (end, end)]:
        if begins - cursor >= duration and cursor + duration <= end:
            slots.append((cursor, cursor + duration))
            if len(slots) == MAX_SPANS:
                break
        cursor = max(cursor, ends)
    return slots


class Workers:
    """Finished workers by sys_id (GET /change/worker/{sys_id})."""

    def __init__(self, store: Store):
        self.store = store
        self._done: dict[str, dict[str, Any]] = {}

    def start(self, base_url: str, request: dict[str, Any], spans: list[tuple[datetime, datetime]],
              time_zone: str) -> dict[str, Any]:
        """Record a finished worker; answer the 202 body (state Waiting, as the doc shows)."""
        sys_id = self.store.new_sys_id()
        head = {"worker": {"sysId": sys_id,
                           "link": f"{base_url}/api/sn_chg_rest/change/worker/{sys_id}"},
                "request": json.dumps(request), "type": "schedule"}
        messages: dict[str, list[str]] = {"errorMessages": [], "warningMessages": [],
                                          "infoMessages": [] if spans else [NOTHING_FITS]}
        done = {**head, "state": {"value": 3, "display_value": STATES[3]}, "messages": messages}
        if spans:
            done["payload"] = {"spans": [{"start": _cell(s, time_zone), "end": _cell(e, time_zone)}
                                         for s, e in spans]}
        self._done[sys_id] = done
        return {**head, "state": {"value": 1, "display_value": STATES[1]},
                "messages": {"errorMessages": [], "warningMessages": [], "infoMessages": []}}

    def get(self, sys_id: str) -> dict[str, Any] | None:
        return self._done.get(sys_id)


def _cell(moment: datetime, time_zone: str) -> dict[str, str]:
    value = format_time(moment)
    return {"value": value, "display_value": local_time(value, time_zone)}


def change_slots(store: Store, change: Row, now: datetime) -> list[tuple[datetime, datetime]]:
    """Slots of the change's own planned duration on its CI (it must have both)."""
    start, end = parse_time(change.get("start_date", "")), parse_time(change.get("end_date", ""))
    if start is None or end is None or end <= start:
        return []
    return free_slots(store, change.get("cmdb_ci", ""), end - start, now, skip=change["sys_id"])
