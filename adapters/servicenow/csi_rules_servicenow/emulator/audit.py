"""`sys_audit`: one row per changed field of an audited record, as the platform keeps them.

Columns (c_UnderstandingTheSysAuditTable.md, "Sys audit table columns"; the remaining names as
the Table API serves them, e.g. turbot/steampipe-plugin-servicenow `table_servicenow_sys_audit.go`):
`tablename`, `fieldname`, `documentkey` (the record's sys_id), `user` (user name of who made the
change), `oldvalue` / `newvalue` (stored values: sys_ids for references, codes for choices, UTC
for date-times), `record_checkpoint` (the record's update count: 0 for the insert, then its
sys_mod_count), `internal_checkpoint`, `reason`, `sys_created_on`, `sys_created_by`.

Audited here: the task tables (incident, change, problem are audited out of the box; "Exploring
auditing"), every column except sys_* ones; inserts too (rows with checkpoint 0 and an empty old
value). Journal entries are audited with old value "JOURNAL FIELD ADDITION" (pk). The
`internal_checkpoint` format is not documented: a hex time-and-sequence string here (pk).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta

from csi_rules_servicenow.emulator.tables import TASK_TABLES

TABLE = "sys_audit"
COLUMNS = ("sys_id", "tablename", "documentkey", "fieldname", "oldvalue", "newvalue", "user",
           "reason", "record_checkpoint", "internal_checkpoint", "sys_created_on",
           "sys_created_by")
AUDITED_TABLES = frozenset(TASK_TABLES)
JOURNAL_ADDITION = "JOURNAL FIELD ADDITION"
_FORMAT = "%Y-%m-%d %H:%M:%S"

Row = dict[str, str]
Change = tuple[str, str, str]
"""(fieldname, oldvalue, newvalue)"""


def audited(table: str, field: str) -> bool:
    return table in AUDITED_TABLES and not field.startswith("sys_")


def field_changes(table: str, before: Mapping[str, str], after: Mapping[str, str]) -> list[Change]:
    """Audited fields whose value differs (an insert is a change from nothing)."""
    return [(name, before.get(name, ""), value) for name, value in after.items()
            if audited(table, name) and value != before.get(name, "")]


class AuditLog:
    """Builds sys_audit rows; `new_sys_id` is the store's id source (one RNG, reproducible)."""

    def __init__(self, new_sys_id: Callable[[], str]):
        self._new_sys_id = new_sys_id
        self._sequence = itertools.count(1)
        self._lock = threading.Lock()

    def rows(self, table: str, sys_id: str, changes: Iterable[Change], *, checkpoint: str,
             user: str, now: str) -> list[Row]:
        out = []
        for field, old, new in changes:
            with self._lock:
                sequence = next(self._sequence)
            out.append({
                "sys_id": self._new_sys_id(), "tablename": table, "documentkey": sys_id,
                "fieldname": field, "oldvalue": old, "newvalue": new, "user": user,
                "reason": "", "record_checkpoint": checkpoint,
                "internal_checkpoint": f"{_millis(now):011x}{sequence:07x}",
                "sys_created_on": now, "sys_created_by": user,
            })
        return out


def _millis(text: str) -> int:
    try:
        return int(datetime.strptime(text, _FORMAT).replace(tzinfo=UTC).timestamp() * 1000)
    except ValueError:
        return 0


# -- a plausible trail for seeded records -------------------------------------------------------
# The state a record starts in, works in, and is resolved / closed with (tables.py choices).
INITIAL_STATE = {"incident": "1", "change_request": "-5", "problem": "101", "sc_req_item": "1",
                 "change_task": "1"}
WORKING_STATE = {"incident": "2", "sc_req_item": "2", "change_task": "2"}
RESOLVED_STATE = {"incident": "6", "problem": "106"}
CLOSED_STATES = {"incident": ("7", "8"), "change_request": ("3", "4"), "problem": ("107", "4"),
                 "sc_req_item": ("3", "4", "7"), "change_task": ("3", "4", "7")}
ON_HOLD = {"incident": ("3", "hold_reason")}
# Set when the record was opened (current values: the seed keeps no earlier ones).
OPENING_FIELDS = ("number", "short_description", "caller_id", "requested_by", "requested_for",
                  "category", "subcategory", "impact", "urgency", "priority", "cmdb_ci",
                  "business_service", "assignment_group", "assigned_to", "type", "risk",
                  "approval", "opened_at", "opened_by")
WORK_START = timedelta(minutes=5)
Step = tuple[str, str, list[Change]]
"""(time, user, changes) of one write in a seeded record's life."""


def seed_trail(table: str, row: Mapping[str, str]) -> list[Step]:
    """Writes that lead from opening to the row's current values, at the row's own times.

    opened_at: the insert (state new, the opening fields); work starts 5 minutes later (or at
    the next event); resolved_at / closed_at: the state changes that set them; sys_updated_on:
    whatever still differs (e.g. put on hold with its reason). Seeds are real exports whose
    times are not always in order (resolved after closed); each step is kept at or after the
    previous one.
    """
    initial = INITIAL_STATE.get(table)
    opened = row.get("opened_at") or row.get("sys_created_on") or ""
    if initial is None or not _parse(opened):
        return []
    current = row.get("state", "")
    creator = row.get("sys_created_by") or "system"
    editor = row.get("sys_updated_by") or creator
    mirror = table == "incident"
    state = {"state": initial, **({"incident_state": initial} if mirror else {})}
    opening = [(f, "", row[f]) for f in OPENING_FIELDS if row.get(f)]
    steps: list[Step] = [(opened, creator, [(f, "", v) for f, v in state.items()] + opening)]
    events: list[tuple[str, str, list[Change]]] = []  # (time, new state, extra changes)
    if current != initial and table in WORKING_STATE:
        events.append(("work", WORKING_STATE[table], []))
    if row.get("resolved_at") and table in RESOLVED_STATE:
        events.append((row["resolved_at"], RESOLVED_STATE[table],
                       [("resolved_at", "", row["resolved_at"])]))
    if row.get("closed_at"):
        closed = current if current in CLOSED_STATES.get(table, ()) else CLOSED_STATES[table][0]
        events.append((row["closed_at"], closed, [("closed_at", "", row["closed_at"])]))
    hold = ON_HOLD.get(table)
    final: list[Change] = []
    if hold and current == hold[0] and row.get(hold[1]):
        final.append((hold[1], "", row[hold[1]]))
    events.append((row.get("sys_updated_on") or opened, current, final))
    previous = _parse(opened)
    for i, (when, new_state, extra) in enumerate(events):
        if when == "work":
            later = [t for t in (_parse(e[0]) for e in events[i + 1:]) if t is not None]
            at = min([previous + WORK_START, *later]) if later else previous + WORK_START
        else:
            at = _parse(when) or previous
        at = max(at, previous)
        previous = at
        changes = [(f, old, new_state) for f, old in state.items() if old != new_state]
        changes += extra
        if changes:
            steps.append((at.strftime(_FORMAT), editor, changes))
        state = {f: new_state for f in state}
    return steps


def _parse(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
