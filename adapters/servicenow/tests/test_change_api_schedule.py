"""The Change Management API's scheduling endpoints over real HTTP: free slots for a CI or a
change through a worker (202, then GET /change/worker/{sys_id}), and first_available moving a
change out of a blackout and past another change on its CI (change-management-api.md)."""

from __future__ import annotations

import requests

ADMIN = ("admin", "admin")  # emulator-only credentials from the seed
# the seed's "Year-end blackout" spans 2026-12-15 00:00 .. 2027-01-02 00:00 (Floating = UTC)


def api(emulator, path):
    return f"{emulator.url}/api/sn_chg_rest/v1/change{path}"


def as400(emulator):
    rows = requests.get(f"{emulator.url}/api/now/table/cmdb_ci", auth=ADMIN, timeout=5,
                        params={"sysparm_query": "name=AS400"}).json()["result"]
    return rows[0]["sys_id"]


def finished(emulator, accepted):
    assert accepted.status_code == 202, accepted.text
    started = accepted.json()["result"]
    assert started["state"] == {"value": 1, "display_value": "Waiting"}
    assert started["type"] == "schedule"
    worker = requests.get(started["worker"]["link"], auth=ADMIN, timeout=5).json()["result"]
    assert worker["state"] == {"value": 3, "display_value": "Complete"}
    return worker


def change_on(emulator, ci, start, end, **extra):
    answer = requests.post(api(emulator, "/normal"), auth=ADMIN, timeout=5, json={
        "short_description": "slot test", "cmdb_ci": ci, "start_date": start, "end_date": end,
        **extra})
    return answer.json()["result"]["sys_id"]["value"]


def test_free_slots_for_a_ci_skip_the_blackout(emulator):
    ci = as400(emulator)
    worker = finished(emulator, requests.get(api(emulator, f"/ci/{ci}/schedule"), auth=ADMIN,
                                             timeout=5, params={
                                                 "duration_in_seconds": "7200",
                                                 "planned_start_time": "2026-12-14 20:00:00"}))
    spans = worker["payload"]["spans"]
    assert spans[0]["start"] == {"value": "2026-12-14 20:00:00",
                                 "display_value": "2026-12-14 21:00:00"}  # admin: Amsterdam
    assert spans[1]["start"]["value"] == "2027-01-02 00:00:00"  # the first time after it
    bad = requests.get(api(emulator, f"/ci/{ci}/schedule"), auth=ADMIN, timeout=5)
    assert bad.status_code == 400 and "duration_in_seconds" in bad.json()["error"]["detail"]


def test_first_available_moves_a_change_past_the_blackout_and_its_neighbour(emulator):
    ci = as400(emulator)
    change_on(emulator, ci, "2027-01-02 00:00:00", "2027-01-02 03:00:00")  # already there
    mine = change_on(emulator, ci, "2026-12-20 10:00:00", "2026-12-20 12:00:00")
    moved = requests.patch(api(emulator, f"/{mine}/schedule/first_available"), auth=ADMIN,
                           timeout=5, json={"duration_in_seconds": 7200,
                                            "planned_start_time": "2026-12-20 10:00:00"})
    worker = finished(emulator, moved)
    assert worker["payload"]["spans"][0]["start"]["value"] == "2027-01-02 03:00:00"
    row = requests.get(api(emulator, f"/{mine}"), auth=ADMIN, timeout=5).json()["result"]
    assert (row["start_date"]["value"], row["end_date"]["value"]) == (
        "2027-01-02 03:00:00", "2027-01-02 05:00:00")


def test_a_changes_schedule_needs_its_window_and_ci(emulator):
    bare = requests.post(api(emulator, "/normal"), auth=ADMIN, timeout=5,
                         json={"short_description": "no window"}).json()["result"]
    answer = requests.get(api(emulator, f"/{bare['sys_id']['value']}/schedule"), auth=ADMIN,
                          timeout=5)
    assert answer.status_code == 400
    assert "planned start and end" in answer.json()["error"]["detail"]
    ci = as400(emulator)
    mine = change_on(emulator, ci, "2026-12-20 10:00:00", "2026-12-20 11:00:00")
    worker = finished(emulator, requests.get(api(emulator, f"/{mine}/schedule"), auth=ADMIN,
                                             timeout=5))
    assert worker["payload"]["spans"][0]["end"]["value"] == "2026-03-02 10:30:00"  # now + 1 h
    assert requests.get(api(emulator, "/worker/" + "0" * 32), auth=ADMIN,
                        timeout=5).status_code == 404
