"""The change state model's approval steps, run by the emulator on every change or approval write.

From the docs in specs/servicenow-docs: the state codes (state-model-activate-tasks.md: New -5,
Assess -4, Authorize -3, Scheduled -2, Implement -1, Review 0, Closed 3, Canceled 4); approving a
normal change through PATCH /sn_chg_rest/change/{sys_id}/approvals moves it to Scheduled
(change-management-api.md, its example answers state -2 "Scheduled"); approvals are the
`sysapproval_approver` rows of the change (change-approval-policy.md: approval definitions
generate them). Platform knowledge (pk), where the docs here say nothing:
- a change that enters Assess or Authorize asks for approval: its `approval` becomes
  "requested" and one approval row is generated, for the assignment group's manager or, when
  the group has none, the instance's administrator (one approval definition, simplified);
- when every approval row of a change is approved, the change's approval is approved; one
  rejected row rejects it; a new round (the change sent for approval again) marks the last
  round's decided rows "not_required" (No Longer Required), so they no longer count;
- approved while awaiting authorisation (Assess or Authorize) -> Scheduled, `approval_set` stamped;
  rejected there -> back to New with approval "rejected" (the Normal and Emergency models send a
  rejected change back for rework; `upon_reject: cancel` cancels the workflow's future tasks,
  not the change);
- a standard change is pre-approved: moving it on from New sets approval "approved".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from csi_rules_servicenow.emulator.store import Row, Store

NEW, ASSESS, AUTHORIZE, SCHEDULED = "-5", "-4", "-3", "-2"
AWAITING = (ASSESS, AUTHORIZE)
CHANGE = "change_request"
APPROVER = "sysapproval_approver"
UNDECIDED = ("", "not requested")
COUNTED = ("requested", "approved", "rejected")  # rows that take part in the decision


def admin_sys_id(store: Store) -> str:
    for row in store.rows("sys_user"):
        if row.get("user_name") == "admin":
            return row["sys_id"]
    return "admin"


def approver_for(store: Store, change: Row) -> str:
    group = store.get("sys_user_group", change.get("assignment_group", ""))
    manager = (group or {}).get("manager", "")
    return manager or admin_sys_id(store)


def on_change_insert(store: Store, row: Row, user: str) -> None:
    if row.get("state") in AWAITING:
        _request(store, row, user)
    elif row.get("type") == "standard" and row.get("state") not in ("", NEW, "4"):
        row["approval"] = "approved" if row.get("approval") in UNDECIDED else row["approval"]


def on_change_update(store: Store, before: Row, row: Row, now: str, user: str) -> None:
    state, approval = row.get("state"), row.get("approval")
    moved = state != before.get("state")
    if approval != before.get("approval") and state in AWAITING and not moved:
        if approval == "approved":
            row["state"] = SCHEDULED
            row["approval_set"] = now
        elif approval == "rejected":
            row["state"] = NEW
        return
    if moved and state in AWAITING and approval != "requested":
        _request(store, row, user)
    elif moved and row.get("type") == "standard" and before.get("state") == NEW \
            and approval in UNDECIDED:
        row["approval"] = "approved"


def _request(store: Store, change: Row, user: str) -> None:
    """Ask for approval: the change's approval is requested and one approval row is generated."""
    if change.get("approval") in ("approved",) and change.get("state") in AWAITING:
        return  # inserted already approved (a client that sets both): nothing to ask
    change["approval"] = "requested"
    mine = [r for r in store.rows(APPROVER) if r.get("sysapproval") == change["sys_id"]]
    for old in mine:  # a new round: the last round's decisions no longer count
        if old.get("state") in ("approved", "rejected"):
            store.update(APPROVER, old["sys_id"], {"state": "not_required"}, user)
    if any(r.get("state") == "requested" for r in mine):
        return
    store.insert(APPROVER, {"approver": approver_for(store, change),
                            "sysapproval": change["sys_id"], "document_id": change["sys_id"],
                            "source_table": CHANGE, "state": "requested"}, user)


def on_approver_update(store: Store, before: Row, row: Row, user: str) -> None:
    """A decided approval row decides the change once the others allow it."""
    if (row.get("state") == before.get("state") or row.get("state") not in COUNTED
            or row.get("source_table", CHANGE) != CHANGE):
        return  # only a decision (or a new request) can decide the change
    change = store.get(CHANGE, row.get("sysapproval", ""))
    if change is None or change.get("approval") != "requested":
        return
    states = [row.get("state")] + [r.get("state") for r in store.rows(APPROVER)
                                   if r.get("sysapproval") == change["sys_id"]
                                   and r["sys_id"] != row["sys_id"]]
    counted = [s for s in states if s in COUNTED]
    if "rejected" in counted:
        store.update(CHANGE, change["sys_id"], {"approval": "rejected"}, user)
    elif counted and all(s == "approved" for s in counted):
        store.update(CHANGE, change["sys_id"], {"approval": "approved"}, user)
