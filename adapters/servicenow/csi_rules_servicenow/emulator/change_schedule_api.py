"""The scheduling endpoints of the Change Management API: free slots for a CI or a change, and
moving a change to the first free slot (see change_schedule.py for how slots are found)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from csi_rules_servicenow.emulator import change_schedule
from csi_rules_servicenow.emulator.call import Answer
from csi_rules_servicenow.emulator.change_model import CHANGE
from csi_rules_servicenow.emulator.security import User
from csi_rules_servicenow.emulator.store import Store

NOT_FOUND = ("No Record found", "Record doesn't exist or ACL restricts the record retrieval")


def _error(status: int, message: str, detail: str | None = None) -> Answer:
    return status, {}, {"error": {"message": message, "detail": detail}, "status": "failure"}


class ScheduleApi:
    def __init__(self, store: Store, workers: change_schedule.Workers,
                 base_url: Callable[[], str]):
        self.store = store
        self.workers = workers
        self.base_url = base_url

    def for_ci(self, ci: str, params: dict[str, str], user: User) -> Answer:
        if self.store.get("cmdb_ci", ci) is None:
            return _error(404, *NOT_FOUND)
        asked = _schedule_request(params, self.store.clock())
        if isinstance(asked, str):
            return _error(400, "Bad Request", asked)
        duration, start = asked
        with self.store.lock:
            spans = change_schedule.free_slots(self.store, ci, duration, start)
        request = {"cmdb_ci_sys_id": ci, "duration_in_seconds": int(duration.total_seconds()),
                   "timezone": user.time_zone}
        return 202, {}, {"result": self.workers.start(self.base_url(), request, spans,
                                                      user.time_zone)}

    def for_change(self, change: dict[str, str], user: User) -> Answer:
        missing = _schedule_gaps(change)
        if missing:
            return _error(400, "Bad Request", missing)
        with self.store.lock:
            spans = change_schedule.change_slots(self.store, change, self.store.clock())
        request = {"change_sys_id": change["sys_id"], "timezone": user.time_zone}
        return 202, {}, {"result": self.workers.start(self.base_url(), request, spans,
                                                      user.time_zone)}

    def first_available(self, change: dict[str, str], values: Mapping[str, Any],
                         user: User) -> Answer:
        if not change.get("cmdb_ci"):
            return _error(400, "Bad Request", "The change request has no configuration item")
        asked = _schedule_request(values, self.store.clock())
        if isinstance(asked, str):
            return _error(400, "Bad Request", asked)
        duration, start = asked
        with self.store.lock:
            spans = change_schedule.free_slots(self.store, change["cmdb_ci"], duration, start,
                                               skip=change["sys_id"])[:1]
            if spans:
                self.store.update(CHANGE, change["sys_id"], {
                    "start_date": change_schedule.format_time(spans[0][0]),
                    "end_date": change_schedule.format_time(spans[0][1])}, user.user_name)
        request = {"change_sys_id": change["sys_id"],
                   "duration_in_seconds": int(duration.total_seconds()), "timezone": user.time_zone}
        return 202, {}, {"result": self.workers.start(self.base_url(), request, spans,
                                                      user.time_zone)}


def _schedule_gaps(change: Mapping[str, str]) -> str:
    if not change.get("start_date") or not change.get("end_date"):
        return "The change request is missing the planned start and end times"
    if not change.get("cmdb_ci"):
        return "The change request doesn't have an associated configuration item (cmdb_ci)"
    return ""


def _schedule_request(values: Mapping[str, Any], now: Any
                      ) -> tuple[timedelta, Any] | str:
    """(duration, start) from duration_in_seconds and planned_start_time, or what is wrong."""
    try:
        seconds = int(str(values.get("duration_in_seconds", "")))
    except ValueError:
        return "The duration_in_seconds parameter value is invalid or was not provided"
    if seconds <= 0:
        return "The duration_in_seconds parameter value is invalid or was not provided"
    start = now
    if values.get("planned_start_time"):
        start = change_schedule.parse_time(str(values["planned_start_time"]))
        if start is None:
            return "Invalid planned_start_time parameter value (yyyy-mm-dd hh:mm:ss, UTC)"
    return timedelta(seconds=seconds), start
