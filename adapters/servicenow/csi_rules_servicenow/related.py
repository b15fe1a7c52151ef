"""Records that hang off a ticket: task SLAs, approvals, and the schedules changes meet.

Task SLAs and approvals are fetched for a whole page of tickets in one `...IN<ids>` query and
attached under `raw.task_sla` / `raw.approvals`; schedules (`cmn_schedule` with its
`cmn_schedule_span` entries) are read on demand. Values are converted per field: durations to
seconds, percentages to numbers, booleans to bool, times to ISO 8601 UTC.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from csi_rules_servicenow.normalize import Cells
from csi_rules_servicenow.timefmt import duration_seconds, iso

FetchAll = Callable[[str, str, tuple[str, ...]], list[dict[str, Any]]]
"""fetch_all(table, encoded_query, fields) -> every matching row (paged by the caller)."""

SLA_FIELDS = ("sys_id", "task", "sla", "stage", "has_breached", "active", "start_time",
              "end_time", "planned_end_time", "original_breach_time", "duration",
              "business_duration", "percentage", "business_percentage", "time_left",
              "business_time_left", "pause_duration", "pause_time", "schedule")
APPROVAL_FIELDS = ("sys_id", "sysapproval", "approver", "group", "state", "due_date",
                   "sys_updated_on", "sys_created_on")
SCHEDULE_FIELDS = ("sys_id", "name", "type", "sys_class_name", "time_zone", "description",
                   "condition", "applies_to")
SPAN_FIELDS = ("sys_id", "schedule", "name", "type", "show_as", "all_day", "start_date_time",
               "end_date_time", "repeat_type", "repeat_count", "days_of_week", "repeat_until")
_TIMES = {"start_time", "end_time", "planned_end_time", "original_breach_time", "pause_time",
          "due_date", "sys_updated_on", "sys_created_on"}
_DURATIONS = {"duration", "business_duration", "time_left", "business_time_left",
              "pause_duration"}
_NUMBERS = {"percentage", "business_percentage"}
_BOOLEANS = {"has_breached", "active", "all_day"}


def convert(row: dict[str, Any]) -> dict[str, Any]:
    """One related row with typed values; references become their display value when known."""
    cells = Cells(row)
    out: dict[str, Any] = {}
    for name in row:
        value = cells.value(name)
        if name in _TIMES:
            out[name] = iso(value)
        elif name in _DURATIONS:
            out[name] = duration_seconds(value)
        elif name in _NUMBERS:
            out[name] = float(value) if value else None
        elif name in _BOOLEANS:
            out[name] = value == "true"
        else:
            shown = cells.display(name)
            out[name] = value
            if shown and shown != value and name not in ("stage", "state", "type"):
                out[f"{name}_name"] = shown
    return out


def _chunks(ids: list[str], size: int = 100) -> Iterable[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def by_task(fetch_all: FetchAll, table: str, column: str, fields: tuple[str, ...],
            task_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Related rows grouped by the ticket they belong to (one query per 100 tickets)."""
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for chunk in _chunks(task_ids):
        query = f"{column}IN{','.join(chunk)}^ORDERBYsys_created_on^ORDERBYsys_id"
        for row in fetch_all(table, query, fields):
            converted = convert(row)
            grouped[str(converted.get(column, ""))].append(converted)
    return grouped


def task_slas(fetch_all: FetchAll, task_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    return by_task(fetch_all, "task_sla", "task", SLA_FIELDS, task_ids)


def approvals(fetch_all: FetchAll, task_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    return by_task(fetch_all, "sysapproval_approver", "sysapproval", APPROVAL_FIELDS, task_ids)


def schedules(fetch_all: FetchAll, query: str = "") -> list[dict[str, Any]]:
    """Schedules with their entries under `spans` (glide `yyyyMMddTHHmmss` times kept as is)."""
    found = [convert(r) for r in fetch_all("cmn_schedule", f"{query}^ORDERBYname".lstrip("^"),
                                           SCHEDULE_FIELDS)]
    if not found:
        return []
    ids = ",".join(s["sys_id"] for s in found)
    spans: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in fetch_all("cmn_schedule_span", f"scheduleIN{ids}^ORDERBYname", SPAN_FIELDS):
        span = convert(row)
        spans[str(span["schedule"])].append(span)
    for schedule in found:
        schedule["spans"] = spans.get(schedule["sys_id"], [])
    return found
