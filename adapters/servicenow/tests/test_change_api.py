"""The emulator's Change Management API (/api/sn_chg_rest) over real HTTP, against what
change-management-api.md says each call does and answers; it shares the Table API's store."""

from __future__ import annotations

import requests

ADMIN = ("admin", "admin")  # emulator-only credentials from the seed
ITIL = ("itil", "itil")
TEMPLATE = "7b2c1a0e9f3d4c5b8a6e2d1f0c9b8a71"  # seed: "Deploy a service release"
VERSION = "4c1d2e3f5a6b7c8d9e0f1a2b3c4d5e6f"


def api(emulator, path=""):
    return f"{emulator.url}/api/sn_chg_rest/v1/change{path}"


def create(emulator, kind="normal", auth=ADMIN, **fields):
    answer = requests.post(api(emulator, f"/{kind}"), json=fields, auth=auth, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


def table_row(emulator, sys_id):
    answer = requests.get(f"{emulator.url}/api/now/table/change_request/{sys_id}", auth=ADMIN,
                          timeout=5)
    return answer.json()["result"]


def test_creating_a_normal_change_answers_it_in_new_with_the_ignored_fields(emulator):
    answer = requests.post(api(emulator, "/normal"), auth=ADMIN, timeout=5,
                           params={"short_description": "Remove server", "description": "test",
                                   "no_such_field": "something", "state": "-1"})
    assert answer.status_code == 200
    result = answer.json()["result"]
    assert result["state"] == {"display_value": "New", "value": -5.0}
    assert result["type"] == {"display_value": "Normal", "value": "normal"}
    assert result["short_description"]["value"] == "Remove server"
    assert set(result["__meta"]["ignoredFields"]) == {"no_such_field", "state"}
    assert result["active"] == {"display_value": "true", "value": True}
    assert set(result["opened_at"]) == {"display_value", "value", "display_value_internal"}
    row = table_row(emulator, result["sys_id"]["value"])  # one store behind both APIs
    assert (row["number"], row["state"], row["approval"]) == (
        result["number"]["value"], "-5", "not requested")


def test_an_emergency_change_and_typed_paths(emulator):
    made = create(emulator, "emergency", short_description="Patch the firewall now")
    sys_id = made["sys_id"]["value"]
    assert made["type"]["value"] == "emergency" and made["state"]["value"] == -5.0
    assert requests.get(api(emulator, f"/emergency/{sys_id}"), auth=ADMIN,
                        timeout=5).status_code == 200
    wrong = requests.get(api(emulator, f"/normal/{sys_id}"), auth=ADMIN, timeout=5)
    assert wrong.status_code == 404 and wrong.json()["status"] == "failure"
    listed = requests.get(api(emulator, "/emergency"), auth=ADMIN, timeout=5).json()["result"]
    assert sys_id in [c["sys_id"]["value"] for c in listed]
    assert {c["type"]["value"] for c in listed} == {"emergency"}


def test_a_standard_change_comes_from_its_template_and_keeps_the_templates_plans(emulator):
    templates = requests.get(api(emulator, "/standard/template"), auth=ADMIN,
                             params={"sysparm_query": "name=Deploy a service release"},
                             timeout=5).json()["result"]
    assert [t["sys_id"]["value"] for t in templates] == [TEMPLATE]
    answer = requests.post(api(emulator, f"/standard/{TEMPLATE}"), auth=ADMIN, timeout=5,
                           json={"short_description": "Deploy pay-api 4.2",
                                 "backout_plan": "pray", "no_such_field": "x",
                                 "start_date": "2026-03-02 10:00:00"})
    assert answer.status_code == 200
    result = answer.json()["result"]
    assert result["type"]["value"] == "standard"
    assert result["std_change_producer_version"] == {
        "display_value": "Deploy a service release - 1", "value": VERSION}
    assert result["backout_plan"]["value"] == "Roll back to the previous image"  # not "pray"
    assert result["short_description"]["value"] == "Deploy pay-api 4.2"
    assert result["risk"] == {"display_value": "Low", "value": 4.0}
    # only the template's own fields may be given, less description and the plans (the doc)
    assert set(result["__meta"]["ignoredFields"]) == {"backout_plan", "no_such_field",
                                                      "start_date"}
    assert result["start_date"]["value"] == ""
    missing = requests.post(api(emulator, "/standard/" + "0" * 32), auth=ADMIN, timeout=5)
    assert missing.status_code == 404


def test_patch_updates_fields_the_body_wins_and_work_notes_are_journalled(emulator):
    sys_id = create(emulator, short_description="Reboot")["sys_id"]["value"]
    answer = requests.patch(api(emulator, f"/{sys_id}"), auth=ADMIN, timeout=5,
                            params={"short_description": "from the URL"},
                            json={"short_description": "Reboot the server at 6 am",
                                  "work_notes": "deploy started"})
    assert answer.status_code == 200
    result = answer.json()["result"]
    assert result["short_description"]["value"] == "Reboot the server at 6 am"
    assert "deploy started" in result["work_notes"]["display_value"]
    assert requests.patch(api(emulator, "/" + "f" * 32), json={}, auth=ADMIN,
                          timeout=5).status_code == 404


def test_approving_through_the_api_schedules_a_normal_change(emulator):
    sys_id = create(emulator, short_description="Remove server")["sys_id"]["value"]
    assessed = requests.patch(api(emulator, f"/{sys_id}"), json={"state": "-4"}, auth=ADMIN,
                              timeout=5).json()["result"]
    assert (assessed["state"]["display_value"], assessed["approval"]["value"]) == (
        "Assess", "requested")
    approved = requests.patch(api(emulator, f"/{sys_id}/approvals"), auth=ADMIN, timeout=5,
                              json={"state": "approved"})
    assert approved.status_code == 200
    result = approved.json()["result"]
    assert result["state"] == {"display_value": "Scheduled", "value": -2.0}  # as the doc's example
    assert result["approval"]["value"] == "approved" and result["approval_set"]["value"]


def test_a_rejection_needs_comments_and_sends_the_change_back_to_new(emulator):
    sys_id = create(emulator, "emergency", short_description="Hotfix")["sys_id"]["value"]
    requests.patch(api(emulator, f"/{sys_id}"), json={"state": "-3"}, auth=ADMIN, timeout=5)
    bare = requests.post(api(emulator, f"/{sys_id}/approvals"), json={"state": "rejected"},
                         auth=ADMIN, timeout=5)
    assert bare.status_code == 400
    rejected = requests.post(api(emulator, f"/{sys_id}/approvals"), auth=ADMIN, timeout=5,
                             json={"state": "rejected", "comments": "no rollback tested"})
    result = rejected.json()["result"]
    assert (result["state"]["value"], result["approval"]["value"]) == (-5.0, "rejected")
    again = requests.post(api(emulator, f"/{sys_id}/approvals"), json={"state": "approved"},
                          auth=ADMIN, timeout=5)
    assert again.status_code == 400  # nothing left for this user to decide
    assert "has no requested approval" in again.json()["error"]["detail"]


def test_roles_decide_who_may_read_write_and_delete(emulator):
    made = create(emulator, auth=ITIL, short_description="by itil")
    sys_id = made["sys_id"]["value"]
    assert requests.get(api(emulator, f"/{sys_id}"), auth=ITIL, timeout=5).status_code == 200
    assert requests.delete(api(emulator, f"/{sys_id}"), auth=ITIL, timeout=5).status_code == 403
    assert requests.delete(api(emulator, f"/{sys_id}"), auth=ADMIN, timeout=5).status_code == 204
    assert requests.get(api(emulator, f"/{sys_id}"), auth=ADMIN, timeout=5).status_code == 404
    assert requests.get(api(emulator), timeout=5).status_code == 401


def test_tasks_belong_to_their_change(emulator):
    sys_id = create(emulator, short_description="With tasks")["sys_id"]["value"]
    task = requests.post(api(emulator, f"/{sys_id}/task"), auth=ADMIN, timeout=5,
                         params={"short_description": "Retire node",
                                 "no_such_field": "test"}).json()["result"]
    assert task["parent"]["value"] == sys_id and task["number"]["value"].startswith("CTASK")
    listed = requests.get(api(emulator, f"/{sys_id}/task"), auth=ADMIN, timeout=5).json()
    assert [t["sys_id"]["value"] for t in listed["result"]] == [task["sys_id"]["value"]]
    closed = requests.patch(api(emulator, f"/{sys_id}/task/{task['sys_id']['value']}"),
                            json={"state": "3"}, auth=ADMIN, timeout=5).json()["result"]
    assert (closed["state"]["display_value"], closed["active"]["value"]) == ("Closed", False)


def test_lists_filter_sort_and_page(emulator):
    for name in ("b-change", "a-change", "c-change"):
        create(emulator, short_description=name, category="pipeline-test")
    params = {"category": "pipeline-test", "order": "short_description", "sysparm_limit": "2"}
    first = requests.get(api(emulator), params=params, auth=ADMIN, timeout=5)
    assert [c["short_description"]["value"] for c in first.json()["result"]] == [
        "a-change", "b-change"]
    rest = requests.get(api(emulator), params={**params, "sysparm_offset": "2"}, auth=ADMIN,
                        timeout=5).json()["result"]
    assert [c["short_description"]["value"] for c in rest] == ["c-change"]


def test_conflict_detection_finds_a_blackout_covering_the_window(emulator):
    sys_id = create(emulator, short_description="In the freeze",
                    start_date="2026-12-20 10:00:00", end_date="2026-12-20 12:00:00")["sys_id"]
    sys_id = sys_id["value"]
    before = requests.get(api(emulator, f"/{sys_id}/conflict"), auth=ADMIN, timeout=5).json()
    assert before["result"]["status"] == "Not Run"
    started = requests.post(api(emulator, f"/{sys_id}/conflict"), auth=ADMIN, timeout=5)
    assert started.status_code == 200 and len(started.json()["result"]) == 32
    found = requests.get(api(emulator, f"/{sys_id}/conflict"), auth=ADMIN, timeout=5).json()
    conflicts = found["result"]["conflicts"]
    assert [c["type"]["value"] for c in conflicts] == ["blackout"]
    assert conflicts[0]["schedule"]["display_value"] == "Year-end blackout"
    assert table_row(emulator, sys_id)["conflict_status"] == "Conflict"

    clear = create(emulator, short_description="Before the freeze",
                   start_date="2026-12-01 10:00:00", end_date="2026-12-01 12:00:00")
    requests.post(api(emulator, f"/{clear['sys_id']['value']}/conflict"), auth=ADMIN, timeout=5)
    assert table_row(emulator, clear["sys_id"]["value"])["conflict_status"] == "No Conflict"


def test_nextstates_lists_the_transitions_out_of_the_current_state(emulator):
    sys_id = create(emulator, short_description="Model")["sys_id"]["value"]
    fresh = requests.get(api(emulator, f"/{sys_id}/nextstates"), auth=ADMIN, timeout=5)
    assert fresh.status_code == 200
    result = fresh.json()["result"]
    assert result["available_states"] == ["-4", "4", "-5"]  # assess, canceled, and where it is
    assert result["state_label"] == {"-4": "Assess", "4": "Canceled", "-5": "New"}
    requests.patch(api(emulator, f"/{sys_id}"), json={"state": "-4"}, auth=ADMIN, timeout=5)
    waiting = requests.get(api(emulator, f"/{sys_id}/nextstates"), auth=ADMIN,
                           timeout=5).json()["result"]
    to_scheduled = waiting["state_transitions"][0][0]
    assert (to_scheduled["display_value"], to_scheduled["automatic_transition"],
            to_scheduled["transition_available"]) == ("Assess to Scheduled", True, False)
    assert to_scheduled["conditions"][0]["condition"]["name"] == "Approval is approved"
    assert waiting["available_states"] == ["4", "-4"]  # only cancel until a decision


def test_with_the_refresh_property_table_api_writes_run_conflict_detection(emulator):
    ci = requests.get(f"{emulator.url}/api/now/table/cmdb_ci", auth=ADMIN, timeout=5,
                      params={"sysparm_query": "name=AS400"}).json()["result"][0]["sys_id"]
    frozen = {"type": "normal", "short_description": "in the freeze", "cmdb_ci": ci,
              "start_date": "2026-12-20 10:00:00", "end_date": "2026-12-20 12:00:00"}
    table = f"{emulator.url}/api/now/table/change_request"
    off = requests.post(table, json=frozen, auth=ADMIN, timeout=5).json()["result"]
    assert off["conflict_status"] == "Not Run"  # the property is off by default
    emulator.store.properties["change.conflict.refresh.conflicts"] = "true"
    on = requests.post(table, json=frozen, auth=ADMIN, timeout=5).json()["result"]
    assert on["conflict_status"] == "Conflict" and on["conflict_last_run"]
    moved = requests.patch(f"{table}/{on['sys_id']}", auth=ADMIN, timeout=5, json={
        "start_date": "2027-02-01 10:00:00", "end_date": "2027-02-01 12:00:00"}).json()
    assert moved["result"]["conflict_status"] == "No Conflict"
    found = requests.get(api(emulator, f"/{on['sys_id']}/conflict"), auth=ADMIN, timeout=5)
    assert found.json()["result"]["conflicts"] == []  # the old blackout row is gone
