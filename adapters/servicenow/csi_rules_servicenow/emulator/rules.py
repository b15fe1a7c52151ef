"""The few business rules and data policies the emulator runs on writes.

Each one is observable in the official examples or is a rule an adapter must cope with:
- incident priority from impact x urgency (POST example: impact 2, urgency 2 -> priority 3;
  PATCH example: impact 1, urgency 1 -> priority 1), through the instance's lookup matrix;
- a `number` from the table's sequence and `opened_at`/`opened_by` on insert (POST example);
- incident `state` and legacy `incident_state` kept equal (both present in every sample);
- closing/cancelling makes the record inactive; `reassignment_count` counts group changes (pk);
- data policies (pk): on-hold incidents need a hold reason, on-hold changes an on-hold reason;
  the platform answers such writes with 403 (r_RESTAPIHTTPResponseCodes.md: "data policy");
- the change state model's approval steps (change_model.py): asking for approval on entering
  Assess/Authorize, approved -> Scheduled, rejected -> New, approval rows deciding the change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from csi_rules_servicenow.emulator import change_conflicts, change_model
from csi_rules_servicenow.emulator.tables import NUMBER_PREFIX

if TYPE_CHECKING:
    from csi_rules_servicenow.emulator.store import Row, Store

INACTIVE_STATES = {"incident": {"7", "8"}, "change_request": {"3", "4"},
                   "problem": {"4", "107"}, "sc_req_item": {"3", "4", "7"},
                   "change_task": {"3", "4"}}


class DataPolicyError(Exception):
    """A write the instance refuses (403); `detail` is the platform's wording."""

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(detail)


def user_sys_id(store: Store, user_name: str) -> str:
    for row in store.rows("sys_user"):
        if row.get("user_name") == user_name:
            return row["sys_id"]
    return user_name


def on_insert(store: Store, table: str, row: Row, now: str, user: str) -> None:
    prefix = NUMBER_PREFIX.get(table)
    if prefix and not row.get("number"):
        row["number"] = store.next_number(table, prefix)
    if prefix:
        row["sys_class_name"] = table
        row["opened_at"] = row.get("opened_at") or now
        row["opened_by"] = row.get("opened_by") or user_sys_id(store, user)
    if table == "incident":
        _mirror_incident_state(row, {})
        _lookup_priority(store, row)
    if table == "sysapproval_group" and row.get("parent"):
        task = store.find_task(row["parent"])
        if task is not None and task.get("approval") in ("", "not requested"):
            store.update(task.get("sys_class_name") or "task", task["sys_id"],
                         {"approval": "requested"}, user)
    if table == change_model.CHANGE:
        change_model.on_change_insert(store, row, user)
        change_conflicts.on_write(store, None, row, user)
    _check_policies(store, table, row)
    _set_active(table, row)


def on_update(store: Store, table: str, before: Row, row: Row, now: str = "",
              user: str = "") -> None:
    if table == "incident":
        _mirror_incident_state(row, before)
        if (row.get("impact"), row.get("urgency")) != (before.get("impact"), before.get("urgency")):
            _lookup_priority(store, row)
    regrouped = row.get("assignment_group") != before.get("assignment_group")
    if regrouped and "reassignment_count" in row:
        row["reassignment_count"] = str(int(before.get("reassignment_count") or 0) + 1)
    if table == change_model.CHANGE:
        change_model.on_change_update(store, before, row, now, user)
        change_conflicts.on_write(store, before, row, user)
    elif table == change_model.APPROVER:
        change_model.on_approver_update(store, before, row, user)
    _check_policies(store, table, row)
    _set_active(table, row)


def _mirror_incident_state(row: Row, before: Row) -> None:
    if row.get("state") != before.get("state"):
        row["incident_state"] = row.get("state", "")
    elif row.get("incident_state") != before.get("incident_state"):
        row["state"] = row.get("incident_state", "")


def _lookup_priority(store: Store, row: Row) -> None:
    key = (row.get("impact", ""), row.get("urgency", ""))
    if key in store.priority_matrix:
        row["priority"] = store.priority_matrix[key]


def _set_active(table: str, row: Row) -> None:
    if table in INACTIVE_STATES and "active" in row:
        row["active"] = "false" if row.get("state") in INACTIVE_STATES[table] else "true"


def _check_policies(store: Store, table: str, row: Row) -> None:
    if not store.on_hold_requires_reason:
        return
    if table == "incident" and row.get("state") == "3" and not row.get("hold_reason"):
        raise DataPolicyError("Data Policy Exception: \n\tThe following fields are mandatory: "
                              "On hold reason\n")
    if table == "change_request" and row.get("on_hold") == "true" and not row.get("on_hold_reason"):
        raise DataPolicyError("Data Policy Exception: \n\tThe following fields are mandatory: "
                              "On hold reason\n")
