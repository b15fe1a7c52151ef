"""The change state model the emulator runs on Table API writes (emulator/change_model.py):
a change awaiting authorisation moves to Scheduled when approved and back to New when rejected,
whether the change's approval is written directly or decided through its approval rows."""

from __future__ import annotations

import requests

ADMIN = ("admin", "admin")  # emulator-only credentials from the seed


def table(emulator, name, sys_id=""):
    return f"{emulator.url}/api/now/table/{name}" + (f"/{sys_id}" if sys_id else "")


def insert_change(emulator, **fields):
    body = {"type": "normal", "short_description": "state model", **fields}
    answer = requests.post(table(emulator, "change_request"), json=body, auth=ADMIN, timeout=5)
    assert answer.status_code == 201, answer.text
    return answer.json()["result"]


def patch(emulator, name, sys_id, **fields):
    answer = requests.patch(table(emulator, name, sys_id), json=fields, auth=ADMIN, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


def approvals(emulator, change_id):
    return requests.get(table(emulator, "sysapproval_approver"), auth=ADMIN, timeout=5,
                        params={"sysparm_query": f"sysapproval={change_id}"}).json()["result"]


def get(emulator, sys_id):
    return requests.get(table(emulator, "change_request", sys_id), auth=ADMIN,
                        timeout=5).json()["result"]


def test_entering_authorize_asks_for_approval_and_approving_schedules(emulator):
    change = insert_change(emulator)
    assert (change["state"], change["approval"]) == ("-5", "not requested")
    assert approvals(emulator, change["sys_id"]) == []
    waiting = patch(emulator, "change_request", change["sys_id"], state="-3")
    assert waiting["approval"] == "requested"
    rows = approvals(emulator, change["sys_id"])
    assert [r["state"] for r in rows] == ["requested"]
    patch(emulator, "sysapproval_approver", rows[0]["sys_id"], state="approved")
    done = get(emulator, change["sys_id"])
    assert (done["state"], done["approval"]) == ("-2", "approved") and done["approval_set"]


def test_one_rejected_approval_sends_the_change_back_to_new(emulator):
    change = insert_change(emulator, state="-4", approval="requested")
    rows = approvals(emulator, change["sys_id"])
    assert len(rows) == 1  # inserted awaiting approval: the approval row is generated too
    patch(emulator, "sysapproval_approver", rows[0]["sys_id"], state="rejected")
    back = get(emulator, change["sys_id"])
    assert (back["state"], back["approval"]) == ("-5", "rejected")
    again = patch(emulator, "change_request", change["sys_id"], state="-4")  # reworked
    assert again["approval"] == "requested"
    rows = approvals(emulator, change["sys_id"])
    assert sorted(r["state"] for r in rows) == ["not_required", "requested"]
    fresh = next(r for r in rows if r["state"] == "requested")
    patch(emulator, "sysapproval_approver", fresh["sys_id"], state="approved")
    assert get(emulator, change["sys_id"])["state"] == "-2"  # the old rejection no longer counts


def test_every_approval_row_must_approve(emulator):
    change = insert_change(emulator, state="-3", approval="requested")
    first = approvals(emulator, change["sys_id"])[0]
    second = requests.post(table(emulator, "sysapproval_approver"), auth=ADMIN, timeout=5, json={
        "sysapproval": change["sys_id"], "source_table": "change_request",
        "approver": first["approver"], "state": "requested"}).json()["result"]
    patch(emulator, "sysapproval_approver", first["sys_id"], state="approved")
    assert get(emulator, change["sys_id"])["state"] == "-3"  # one still to decide
    patch(emulator, "sysapproval_approver", second["sys_id"], state="approved")
    assert get(emulator, change["sys_id"])["state"] == "-2"


def test_writing_the_changes_approval_directly_moves_it_too(emulator):
    change = insert_change(emulator, state="-3", approval="requested")
    assert patch(emulator, "change_request", change["sys_id"], approval="approved")["state"] == "-2"
    other = insert_change(emulator, state="-3", approval="requested")
    assert patch(emulator, "change_request", other["sys_id"], approval="rejected")["state"] == "-5"


def test_a_standard_change_moved_on_from_new_is_pre_approved(emulator):
    change = insert_change(emulator, type="standard")
    moved = patch(emulator, "change_request", change["sys_id"], state="-2")
    assert (moved["state"], moved["approval"]) == ("-2", "approved")
    assert approvals(emulator, change["sys_id"]) == []
