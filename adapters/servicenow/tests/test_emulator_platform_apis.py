"""The ServiceNow emulator answers like the platform where integrations touch it (issue 13).

OAuth client authentication as HTTP Basic, client-chosen sys_ids, display-value input, SLA
timings on the emulator's clock, write ACLs, the Aggregate / Batch / Attachment APIs, XML
answers, and date helpers in queries following the emulator's clock. Real HTTP on loopback.
"""

from __future__ import annotations

import base64
import json
import xml.etree.ElementTree as ET

import pytest
import requests

GROUP = "287ebd7da9fe198100f92cc8d1d2154e"  # Service Desk
ADMIN_USER = "6816f79cc0a8016401c5a33be04be441"  # System Administrator
INC = "ef43c6d40a0a0b5700c77f9bf387afe3"
ACL_DELETE = {"error": {"message": "Operation Failed",
                        "detail": "ACL Exception Delete Failed due to security constraints"},
              "status": "failure"}


@pytest.fixture
def http(emulator):
    session = requests.Session()
    session.auth = ("admin", "admin")
    yield session
    session.close()


def table(emulator, path):
    return f"{emulator.url}/api/now/table/{path}"


# -- 1. OAuth --------------------------------------------------------------------------------
def test_client_credentials_sent_as_http_basic_get_a_token(emulator):
    token = requests.post(f"{emulator.url}/oauth_token.do", auth=("csi-rules-demo", "demo-secret"),
                          data={"grant_type": "client_credentials"})
    assert token.status_code == 200, token.text
    bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert requests.get(table(emulator, f"incident/{INC}"), headers=bearer).status_code == 200
    refused = requests.post(f"{emulator.url}/oauth_token.do", auth=("csi-rules-demo", "wrong"),
                            data={"grant_type": "client_credentials"})
    assert (refused.status_code, refused.json()["error_description"]) == (401, "access_denied")


def test_password_grant_with_basic_client_auth_and_no_client_id_in_the_form(emulator):
    token = requests.post(f"{emulator.url}/oauth_token.do", auth=("csi-rules-demo", "demo-secret"),
                          data={"grant_type": "password", "username": "itil", "password": "itil"})
    assert token.status_code == 200 and token.json()["refresh_token"]


# -- 2. client-chosen sys_id -------------------------------------------------------------------
def test_a_client_chosen_sys_id_is_kept_and_a_duplicate_refused(emulator, http):
    chosen = "0123456789abcdef0123456789abcdef"
    created = http.post(table(emulator, "incident"),
                        json={"sys_id": chosen, "short_description": "chosen id"})
    assert created.status_code == 201
    assert created.json()["result"]["sys_id"] == chosen
    assert created.headers["Location"].endswith(f"/incident/{chosen}")
    assert http.get(table(emulator, f"incident/{chosen}")).json()["result"]["short_description"] \
        == "chosen id"
    again = http.post(table(emulator, "incident"), json={"sys_id": chosen, "short_description": "x"})
    assert again.status_code == 403
    assert again.json()["error"]["message"] == "Operation Failed"
    assert http.get(table(emulator, "incident"), params={
        "sysparm_query": f"sys_id={chosen}"}).headers["X-Total-Count"] == "1"


# -- 3. sysparm_input_display_value ------------------------------------------------------------
def test_input_display_values_are_stored_as_values(emulator, http):
    created = http.post(table(emulator, "incident"),
                        params={"sysparm_input_display_value": "true"},
                        json={"assignment_group": "Service Desk",
                              "caller_id": "System Administrator", "state": "In Progress",
                              "opened_at": "2026-03-02 10:30:00",  # admin's zone: Amsterdam
                              "short_description": "by display value"})
    assert created.status_code == 201
    row = http.get(table(emulator, f"incident/{created.json()['result']['sys_id']}"),
                   params={"sysparm_exclude_reference_link": "true"}).json()["result"]
    assert (row["assignment_group"], row["caller_id"], row["state"]) == (GROUP, ADMIN_USER, "2")
    assert row["opened_at"] == "2026-03-02 09:30:00"  # CET is UTC+1 in March
    patched = http.patch(table(emulator, f"incident/{row['sys_id']}"),
                         params={"sysparm_input_display_value": "true"},
                         json={"assignment_group": "Hardware"})
    group = patched.json()["result"]["assignment_group"]["value"]
    assert http.get(table(emulator, f"sys_user_group/{group}")).json()["result"]["name"] \
        == "Hardware"


def test_without_the_flag_names_are_not_resolved(emulator, http):
    created = http.post(table(emulator, "incident"), json={"assignment_group": "Service Desk"})
    assert created.json()["result"]["assignment_group"]["value"] == "Service Desk"


# -- 4. task_sla --------------------------------------------------------------------------------
def _slas(emulator, http, task):
    return http.get(table(emulator, "task_sla"), params={
        "sysparm_query": f"task={task}^ORDERBYsys_created_on",
        "sysparm_exclude_reference_link": "true"}).json()["result"]


def test_a_new_incident_gets_its_sla_and_the_timings_follow_the_clock(emulator, http, clock):
    created = http.post(table(emulator, "incident"), json={"impact": "1", "urgency": "1"})
    task = created.json()["result"]["sys_id"]
    (sla,) = _slas(emulator, http, task)
    definition = http.get(table(emulator, f"contract_sla/{sla['sla']}")).json()["result"]
    assert definition["name"] == "Priority 1 resolution (8 hour)"
    assert (sla["stage"], sla["percentage"], sla["time_left"]) == (
        "in_progress", "0.00", "1970-01-01 08:00:00")
    clock.advance(2 * 3600)
    (sla,) = _slas(emulator, http, task)
    assert (sla["percentage"], sla["business_percentage"]) == ("25.00", "25.00")
    assert (sla["time_left"], sla["business_time_left"]) == ("1970-01-01 06:00:00",) * 2
    http.patch(table(emulator, f"incident/{task}"), json={"state": "3", "hold_reason": "1"})
    clock.advance(3600)
    (sla,) = _slas(emulator, http, task)
    assert (sla["stage"], sla["percentage"]) == ("paused", "25.00")
    http.patch(table(emulator, f"incident/{task}"), json={"state": "2"})
    clock.advance(7 * 3600)  # 9 h in progress: breached
    (sla,) = _slas(emulator, http, task)
    assert sla["stage"] == "in_progress" and sla["pause_duration"] == "1970-01-01 01:00:00"
    assert (sla["percentage"], sla["has_breached"]) == ("112.50", "true")
    http.patch(table(emulator, f"incident/{task}"),
               json={"state": "6", "close_code": "Solved (Permanently)", "close_notes": "ok"})
    clock.advance(3600)
    (sla,) = _slas(emulator, http, task)
    assert (sla["stage"], sla["active"], sla["percentage"]) == ("completed", "false", "112.50")


def test_a_priority_change_cancels_one_sla_and_attaches_the_other(emulator, http, clock):
    task = http.post(table(emulator, "incident"),
                     json={"impact": "3", "urgency": "3"}).json()["result"]["sys_id"]
    clock.advance(60)
    http.patch(table(emulator, f"incident/{task}"), json={"impact": "1", "urgency": "1"})
    first, second = _slas(emulator, http, task)
    assert (first["stage"], second["stage"]) == ("cancelled", "in_progress")
    assert second["planned_end_time"] == "2026-03-02 17:31:00"  # attached at 09:31, 8 h


def test_seeded_slas_carry_timings(emulator, http):
    rows = http.get(table(emulator, "task_sla"), params={"sysparm_limit": 50}).json()["result"]
    assert rows and all(r["percentage"] and r["time_left"] for r in rows)


# -- 5. ACLs ------------------------------------------------------------------------------------
def test_an_itil_user_cannot_delete_groups_or_users_but_admin_can(emulator, http):
    itil = ("itil", "itil")
    for path in (f"sys_user_group/{GROUP}", f"sys_user/{ADMIN_USER}"):
        refused = requests.delete(table(emulator, path), auth=itil)
        assert (refused.status_code, refused.json()) == (403, ACL_DELETE)
        assert http.get(table(emulator, path)).status_code == 200
    assert requests.post(table(emulator, "sys_user_group"), auth=itil,
                         json={"name": "x"}).status_code == 403
    assert requests.patch(table(emulator, f"incident/{INC}"), auth=itil,
                          json={"urgency": "2"}).status_code == 200  # itil works tickets
    assert http.delete(table(emulator, f"sys_user_group/{GROUP}")).status_code == 204


# -- 6. Aggregate, Batch, Attachment, XML ---------------------------------------------------------
def test_aggregate_api_counts_groups_and_averages(emulator, http):
    stats = f"{emulator.url}/api/now/stats/incident"
    total = http.get(stats, params={"sysparm_count": "true"}).json()
    assert total == {"result": {"stats": {"count": "67"}}}
    grouped = http.get(stats, params={"sysparm_count": "true", "sysparm_group_by": "priority",
                                      "sysparm_display_value": "true"}).json()["result"]
    assert sum(int(g["stats"]["count"]) for g in grouped) == 67
    assert {g["groupby_fields"][0]["field"] for g in grouped} == {"priority"}
    assert "1 - Critical" in {g["groupby_fields"][0]["value"] for g in grouped}
    numbers = http.get(stats, params={
        "sysparm_query": "priority=1", "sysparm_count": "true",
        "sysparm_avg_fields": "reassignment_count", "sysparm_min_fields": "priority",
        "sysparm_max_fields": "reassignment_count", "sysparm_sum_fields": "reassignment_count",
    }).json()["result"]["stats"]
    rows = http.get(table(emulator, "incident"), params={"sysparm_query": "priority=1"}).json()
    assert numbers["count"] == str(len(rows["result"]))
    # an empty integer is NULL in the database: aggregates skip it
    counts = [int(r["reassignment_count"]) for r in rows["result"] if r["reassignment_count"]]
    assert numbers["sum"] == {"reassignment_count": str(sum(counts))}
    assert numbers["avg"] == {"reassignment_count": f"{sum(counts) / len(counts):.4f}"}
    assert numbers["min"] == {"priority": "1"}
    assert numbers["max"] == {"reassignment_count": str(max(counts))}


def test_aggregate_api_name_value_pairs_having_and_order_by(emulator, http):
    """c_AggregateAPI.md: name=value pairs (display values too) instead of sysparm_query,
    `sysparm_having=aggregate^field^operator^value`, `sysparm_order_by` with `^DESC`."""
    stats = f"{emulator.url}/api/now/stats/incident"
    closed = http.get(table(emulator, "incident"), params={"sysparm_query": "state=7",
                                                           "sysparm_limit": 1})
    by_label = http.get(stats, params={"state": "Closed", "sysparm_count": "true"}).json()
    assert by_label["result"]["stats"]["count"] == closed.headers["X-Total-Count"] != "67"
    grouped = {"sysparm_count": "true", "sysparm_group_by": "priority"}
    every = {g["groupby_fields"][0]["value"]: int(g["stats"]["count"])
             for g in http.get(stats, params=grouped).json()["result"]}
    big = http.get(stats, params={**grouped, "sysparm_having": "count^priority^>^10"}).json()
    assert {g["groupby_fields"][0]["value"] for g in big["result"]} == {
        value for value, n in every.items() if n > 10} != set(every)
    busiest = http.get(stats, params={**grouped, "sysparm_order_by": "COUNT^DESC"}).json()
    counts = [int(g["stats"]["count"]) for g in busiest["result"]]
    assert counts == sorted(every.values(), reverse=True)
    down = http.get(stats, params={**grouped, "sysparm_order_by": "priority^DESC"}).json()
    assert [g["groupby_fields"][0]["value"] for g in down["result"]] == sorted(every, reverse=True)
    none = http.get(stats, params={"sysparm_count": "true", "sysparm_having": "count^sys_id^>^999"})
    assert none.json() == {"result": {"stats": {}}}
    wrong = http.get(stats, params={**grouped, "sysparm_having": "count^priority^>"})
    assert wrong.status_code == 400


def test_batch_api_runs_each_request_and_answers_base64(emulator, http):
    body = base64.b64encode(json.dumps({"short_description": "from a batch"}).encode()).decode()
    json_headers = [{"name": "Content-Type", "value": "application/json"},
                    {"name": "Accept", "value": "application/json"}]
    answer = http.post(f"{emulator.url}/api/now/v1/batch", json={
        "batch_request_id": "1",
        "rest_requests": [
            {"id": "11", "method": "GET", "url": f"/api/now/table/incident/{INC}",
             "headers": json_headers},
            {"id": "12", "method": "POST", "url": "/api/now/table/incident", "body": body,
             "headers": json_headers, "exclude_response_headers": True},
            {"id": "13", "method": "GET", "url": "/api/now/table/incident/nope",
             "headers": json_headers}]})
    assert answer.status_code == 200
    result = answer.json()
    assert (result["batch_request_id"], result["unserviced_requests"]) == ("1", [])
    got, made, missing = result["serviced_requests"]
    assert (got["id"], got["status_code"], got["status_text"]) == ("11", 200, "OK")
    assert json.loads(base64.b64decode(got["body"]))["result"]["sys_id"] == INC
    assert {"name": "Content-Type", "value": "application/json;charset=UTF-8"} in got["headers"]
    assert (made["status_code"], made["headers"]) == (201, [])
    new_id = json.loads(base64.b64decode(made["body"]))["result"]["sys_id"]
    assert http.get(table(emulator, f"incident/{new_id}")).json()["result"][
        "short_description"] == "from a batch"
    assert missing["status_code"] == 404


def test_batch_items_keep_the_users_acls(emulator):
    answer = requests.post(f"{emulator.url}/api/now/v1/batch", auth=("itil", "itil"), json={
        "batch_request_id": "2", "rest_requests": [
            {"id": "1", "method": "DELETE", "url": f"/api/now/table/sys_user_group/{GROUP}",
             "headers": []}]}).json()
    (item,) = answer["serviced_requests"]
    assert item["status_code"] == 403
    assert json.loads(base64.b64decode(item["body"])) == ACL_DELETE


def test_attachment_api_upload_list_read_delete(emulator, http):
    api = f"{emulator.url}/api/now/attachment"
    uploaded = http.post(f"{api}/file", data=b"log line\n",
                         params={"table_name": "incident", "table_sys_id": INC,
                                 "file_name": "app.log"},
                         headers={"Content-Type": "text/plain"})
    assert uploaded.status_code == 201, uploaded.text
    meta = uploaded.json()["result"]
    assert (meta["file_name"], meta["size_bytes"], meta["content_type"]) == (
        "app.log", "9", "text/plain")
    assert meta["download_link"] == f"{emulator.url}/api/now/v1/attachment/{meta['sys_id']}/file"
    listed = http.get(api, params={"sysparm_query": f"table_sys_id={INC}"})
    assert listed.headers["X-Total-Count"] == "1"
    assert [a["file_name"] for a in listed.json()["result"]] == ["app.log"]
    content = http.get(meta["download_link"], headers={"Accept": "*/*"})
    assert (content.content, content.headers["Content-Type"]) == (b"log line\n", "text/plain")
    assert http.delete(f"{api}/{meta['sys_id']}").status_code == 204
    assert http.get(f"{api}/{meta['sys_id']}").status_code == 404
    refused = http.post(f"{api}/file", data=b"x", params={"table_name": "incident"},
                        headers={"Content-Type": "text/plain"})
    assert refused.status_code == 400


def test_attachment_multipart_upload_as_the_docs_curl_sends_it(emulator, http):
    """c_AttachmentAPI.md: `-F table_name=... -F table_sys_id=... -F uploadFile=@file`."""
    api = f"{emulator.url}/api/now/attachment"
    sent = http.post(f"{api}/upload", data={"table_name": "incident", "table_sys_id": INC},
                     files={"uploadFile": ("app.log", b"log line\n", "text/plain")})
    assert sent.status_code == 201, sent.text
    meta = sent.json()["result"]
    assert (meta["file_name"], meta["size_bytes"], meta["content_type"], meta["table_sys_id"]) \
        == ("app.log", "9", "text/plain", INC)
    assert sent.headers["Location"].endswith(f"/attachment/{meta['sys_id']}")
    assert http.get(meta["download_link"], headers={"Accept": "*/*"}).content == b"log line\n"
    nowhere = http.post(f"{api}/upload", data={"table_name": "incident", "table_sys_id": "0" * 32},
                        files={"uploadFile": ("a.txt", b"x", "text/plain")})
    assert nowhere.status_code == 404                      # the record does not exist
    unnamed = http.post(f"{api}/upload", files={"uploadFile": ("a.txt", b"x", "text/plain")})
    assert unnamed.status_code == 400                      # no table_name / table_sys_id
    assert http.post(f"{api}/upload", data=b"x", headers={"Content-Type": "text/plain"}
                     ).status_code == 400
    missing = http.post(f"{api}/file", data=b"x", headers={"Content-Type": "text/plain"}, params={
        "table_name": "incident", "table_sys_id": "0" * 32, "file_name": "a.txt"})
    assert missing.status_code == 404
    assert http.get(api, params={"sysparm_query": f"table_sys_id={INC}"}
                    ).headers["X-Total-Count"] == "1"


def test_accept_xml_is_answered_in_xml(emulator, http):
    one = http.get(table(emulator, f"incident/{INC}"), headers={"Accept": "application/xml"})
    assert one.status_code == 200 and one.headers["Content-Type"].startswith("application/xml")
    assert one.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?><response>')
    record = ET.fromstring(one.content).find("result")
    assert record is not None and record.findtext("sys_id") == INC
    assert record.findtext("assignment_group/value") == "8a5055c9c61122780043563ef53438e3"
    assert record.findtext("caller_id") == ""  # an empty value: an empty element
    page = ET.fromstring(http.get(table(emulator, "incident"), params={"sysparm_limit": 3},
                                  headers={"Accept": "application/xml"}).content)
    assert len(page.findall("result")) == 3
    missing = http.get(table(emulator, "incident/nope"), headers={"Accept": "application/xml"})
    assert missing.status_code == 404
    assert ET.fromstring(missing.content).findtext("error/message") == "No Record found"
    html = http.get(table(emulator, "incident"), headers={"Accept": "text/html"})
    assert html.status_code == 406


# -- 7. date helpers on the emulator's clock --------------------------------------------------
def test_date_helpers_use_the_emulator_clock(emulator, http, clock):
    created = http.post(table(emulator, "incident"), json={"short_description": "just now"})
    number = created.json()["result"]["number"]

    def numbers(query):
        return {r["number"] for r in http.get(table(emulator, "incident"), params={
            "sysparm_query": query, "sysparm_fields": "number"}).json()["result"]}

    assert number in numbers("opened_at>=javascript:gs.hoursAgoStart(1)")
    assert number not in numbers("opened_at<javascript:gs.hoursAgoStart(1)")
    clock.advance(3 * 86400)
    assert number not in numbers("opened_at>=javascript:gs.daysAgoStart(1)")
    assert number in numbers("opened_at>=javascript:gs.daysAgoStart(3)")
