"""A small SLA engine: task_sla rows attached, paused, stopped and timed from contract_sla.

r_TaskSLATable.md names the timings: start, stop (end_time), breach (planned_end_time, moved
by pauses), actual elapsed time / percentage / time left and their business counterparts. A
definition (contract_sla row) applies to the table in its `collection`; it attaches when its
`start_condition` (an encoded query) matches a task, pauses while `pause_condition` matches and
completes when `stop_condition` matches; a task that no longer meets the start condition (a
priority change) has the SLA cancelled, and the one that now matches attaches. Durations are
glide_duration values (`1970-01-01 08:00:00` = 8 hours). Without a schedule the business values
equal the actual ones (no schedule = around the clock). Timings are refreshed from the
emulator's clock whenever task_sla is read, as the platform's SLA update job keeps them
current; the percentages are not capped at 100.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from csi_rules_servicenow.emulator.query import parse_query

if TYPE_CHECKING:
    from csi_rules_servicenow.emulator.store import Row, Store

TABLE = "task_sla"
FORMAT = "%Y-%m-%d %H:%M:%S"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ACTIVE_STAGES = ("in_progress", "paused")


def _time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def _duration(text: str) -> timedelta:
    moment = _time(text)
    return moment - EPOCH if moment is not None else timedelta(0)


def duration_text(span: timedelta) -> str:
    """glide_duration: a date-time counted from 1970-01-01 00:00:00."""
    return (EPOCH + max(span, timedelta(0))).strftime(FORMAT)


def _matches(store: Store, condition: str, row: Row, now: datetime) -> bool:
    from csi_rules_servicenow.emulator.render import getter  # render imports store: no cycle

    return bool(condition) and parse_query(condition, now=now).matches(getter(store, row))


def after_write(store: Store, table: str, task: Row) -> None:
    """Attach, pause, resume, complete or cancel `task`'s SLAs after an insert or update."""
    now = store.clock()
    stamp = now.strftime(FORMAT)
    definitions = [d for d in store.rows("contract_sla") if d.get("collection") == table]
    if not definitions:
        return
    attached = {r.get("sla"): r for r in store.task_slas(task["sys_id"])
                if r.get("stage") in ACTIVE_STAGES}
    for definition in definitions:
        current = attached.get(definition["sys_id"])
        starts = _matches(store, definition.get("start_condition", ""), task, now)
        if current is None:
            if starts and not _matches(store, definition.get("stop_condition", ""), task, now):
                _attach(store, definition, task, now)
            continue
        if _matches(store, definition.get("stop_condition", ""), task, now):
            _finish(current, "completed", now, stamp)
        elif not starts:
            _finish(current, "cancelled", now, stamp)
        elif _matches(store, definition.get("pause_condition", ""), task, now):
            if current.get("stage") != "paused":
                _touch(current, stamp, stage="paused", pause_time=stamp)
        elif current.get("stage") == "paused":
            _resume(current, now, stamp)


def _attach(store: Store, definition: Row, task: Row, now: datetime) -> None:
    stamp = now.strftime(FORMAT)
    breach = (now + _duration(definition.get("duration", ""))).strftime(FORMAT)
    row = {
        "task": task["sys_id"], "sla": definition["sys_id"], "stage": "in_progress",
        "active": "true", "has_breached": "false", "start_time": stamp, "end_time": "",
        "planned_end_time": breach, "original_breach_time": breach, "pause_time": "",
        "pause_duration": duration_text(timedelta(0)),
        "business_pause_duration": duration_text(timedelta(0)),
        "schedule": definition.get("schedule", ""), "sys_created_on": stamp,
        "sys_updated_on": stamp, "sys_created_by": "system", "sys_updated_by": "system",
    }
    store.load(TABLE, [row])
    refresh(store, now, [row])


def _resume(row: Row, now: datetime, stamp: str) -> None:
    paused_at = _time(row.get("pause_time", ""))
    gap = now - paused_at if paused_at else timedelta(0)
    total = _duration(row.get("pause_duration", "")) + gap
    breach = _time(row.get("planned_end_time", ""))
    _touch(row, stamp, stage="in_progress", pause_time="", pause_duration=duration_text(total),
           business_pause_duration=duration_text(total),
           planned_end_time=(breach + gap).strftime(FORMAT) if breach else "")


def _finish(row: Row, stage: str, now: datetime, stamp: str) -> None:
    if row.get("stage") == "paused":
        _resume(row, now, stamp)
    _touch(row, stamp, stage=stage, active="false", end_time=stamp)


def _touch(row: Row, stamp: str, **changes: str) -> None:
    row.update(changes)
    row["sys_updated_on"] = stamp
    row["sys_mod_count"] = str(int(row.get("sys_mod_count") or 0) + 1)


def refresh(store: Store, now: datetime, rows: list[Row] | None = None) -> None:
    """Bring every task_sla row's (or only `rows`') elapsed/left values to `now` (an ended row
    to its end)."""
    definitions = {d["sys_id"]: d for d in store.rows("contract_sla")}
    with store.lock:
        for row in store.rows(TABLE) if rows is None else rows:
            definition = definitions.get(row.get("sla", ""))
            start = _time(row.get("start_time", ""))
            if definition is None or start is None:
                continue
            target = _duration(definition.get("duration", ""))
            if target <= timedelta(0):
                continue
            until = now
            if row.get("stage") not in ACTIVE_STAGES:
                until = _time(row.get("end_time", "")) or _time(row.get("sys_updated_on", "")) or now
            elif row.get("stage") == "paused":
                until = _time(row.get("pause_time", "")) or now
            elapsed = until - start - _duration(row.get("pause_duration", ""))
            percentage = f"{elapsed / target * 100:.2f}"
            left = duration_text(target - elapsed)
            row.update({"duration": duration_text(elapsed),
                        "business_duration": duration_text(elapsed),
                        "percentage": percentage, "business_percentage": percentage,
                        "time_left": left, "business_time_left": left})
            if elapsed > target and row.get("stage") in ACTIVE_STAGES:
                row["has_breached"] = "true"  # an ended row keeps the verdict it ended with
