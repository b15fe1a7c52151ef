"""Emulator behaviour a client sees on the wire: status codes, headers, journals, auth, faults."""

from __future__ import annotations

import json

import pytest
import requests

from csi_rules_servicenow.emulator.ratelimit import RateLimitRule

INC = "ef43c6d40a0a0b5700c77f9bf387afe3"
CHANGE = "a9e9c33dc61122760072455df62663d2"  # CHG0000001


@pytest.fixture
def http(emulator):
    session = requests.Session()
    session.auth = ("admin", "admin")
    yield session
    session.close()


def url(emulator, path):
    return f"{emulator.url}/api/now/table/{path}"


def test_status_codes(emulator, http):
    assert http.get(url(emulator, "incident"), params={"sysparm_limit": 1}).status_code == 200
    assert http.get(url(emulator, f"incident/{INC}")).status_code == 200
    created = http.post(url(emulator, "incident"), json={"short_description": "x"})
    assert created.status_code == 201
    new_id = created.json()["result"]["sys_id"]
    assert created.headers["Location"].endswith(f"/api/now/table/incident/{new_id}")
    assert http.patch(url(emulator, f"incident/{new_id}"), json={"urgency": "1"}).status_code == 200
    assert http.put(url(emulator, f"incident/{new_id}"), json={"urgency": "2"}).status_code == 200
    deleted = http.delete(url(emulator, f"incident/{new_id}"))
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert http.get(url(emulator, f"incident/{new_id}")).status_code == 404
    assert http.delete(url(emulator, f"incident/{new_id}")).status_code == 404
    assert http.get(url(emulator, "no_such_table")).status_code == 400
    assert http.post(url(emulator, f"incident/{INC}"), json={}).status_code == 405
    assert http.get(url(emulator, "incident"), headers={"Accept": "text/html"}).status_code == 406
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert http.post(url(emulator, "incident"), data="x=1", headers=form).status_code == 415
    assert http.post(url(emulator, "incident"), data="{not json",
                     headers={"Content-Type": "application/json"}).status_code == 400
    assert requests.get(url(emulator, "incident")).status_code == 401
    forbidden = http.patch(url(emulator, f"incident/{INC}"), json={"state": "3"})
    assert forbidden.status_code == 403  # data policy: on hold needs a hold reason
    assert forbidden.json()["error"]["message"] == "Operation Failed"


def test_error_envelopes_have_the_documented_wording(emulator, http):
    assert http.get(url(emulator, "incident/0" * 1)).json() == {
        "error": {"message": "No Record found",
                  "detail": "Record doesn't exist or ACL restricts the record retrieval"},
        "status": "failure"}
    assert requests.get(url(emulator, "incident")).json() == {
        "error": {"message": "User Not Authenticated",
                  "detail": "Required to provide Auth information"}, "status": "failure"}


def test_empty_result_is_200_with_empty_list_but_404_on_v1(emulator, http):
    latest = http.get(url(emulator, "incident"), params={"sysparm_query": "number=NOPE"})
    assert (latest.status_code, latest.json(), latest.headers["X-Total-Count"]) == (
        200, {"result": []}, "0")
    v1 = http.get(f"{emulator.url}/api/now/v1/table/incident",
                  params={"sysparm_query": "number=NOPE"})
    assert v1.status_code == 404


def test_paging_headers(emulator, http):
    response = http.get(url(emulator, "incident"), params={
        "sysparm_limit": 10, "sysparm_offset": 20, "sysparm_query": "ORDERBYnumber"})
    assert response.headers["X-Total-Count"] == "67"
    links = {rel: link for link, rel in
             ((v["url"], k) for k, v in response.links.items())}
    assert set(links) == {"first", "prev", "next", "last"}
    assert "sysparm_offset=30" in links["next"] and "sysparm_offset=10" in links["prev"]
    assert "sysparm_offset=60" in links["last"] and "sysparm_offset=0" in links["first"]
    assert "sysparm_query=ORDERBYnumber" in links["next"]
    followed = http.get(links["next"]).json()["result"]
    assert len(followed) == 10
    quiet = http.get(url(emulator, "incident"), params={
        "sysparm_limit": 5, "sysparm_suppress_pagination_header": "true"})
    assert "Link" not in quiet.headers and quiet.headers["X-Total-Count"] == "67"


def test_default_limit_and_fields_and_reference_shapes(emulator, http):
    everything = http.get(url(emulator, "incident")).json()["result"]
    assert len(everything) == 67  # default sysparm_limit 10000
    one = http.get(url(emulator, f"incident/{INC}"), params={
        "sysparm_fields": "number,assignment_group,assignment_group.name,bogus"}).json()["result"]
    assert one == {"number": "INC0000050", "assignment_group": {
        "link": f"{emulator.url}/api/now/table/sys_user_group/8a5055c9c61122780043563ef53438e3",
        "value": "8a5055c9c61122780043563ef53438e3"}, "assignment_group.name": "Hardware"}
    bare = http.get(url(emulator, f"incident/{INC}"), params={
        "sysparm_fields": "assignment_group", "sysparm_exclude_reference_link": "true"})
    assert bare.json()["result"] == {"assignment_group": "8a5055c9c61122780043563ef53438e3"}
    shown = http.get(url(emulator, f"incident/{INC}"), params={
        "sysparm_fields": "assignment_group,state", "sysparm_display_value": "true"})
    assert shown.json()["result"] == {"assignment_group": {
        "display_value": "Hardware",
        "link": f"{emulator.url}/api/now/table/sys_user_group/8a5055c9c61122780043563ef53438e3"},
        "state": "In Progress"}


def test_every_value_is_a_string(emulator, http):
    result = http.post(url(emulator, "incident"), json={
        "short_description": "typed", "impact": 1, "urgency": 2, "active": True}).json()["result"]
    for name, value in result.items():
        assert isinstance(value, (str, dict)), name
    assert (result["impact"], result["urgency"], result["priority"]) == ("1", "2", "2")


def test_journal_fields_append_and_read_back_empty(emulator, http, clock):
    for text in ("first", "second", "second"):
        clock.advance(1)
        response = http.patch(url(emulator, f"incident/{INC}"), json={"work_notes": text})
        assert response.json()["result"]["work_notes"] == ""
    entries = http.get(url(emulator, "sys_journal_field"), params={
        "sysparm_query": f"element_id={INC}^element=work_notes^ORDERBYDESCsys_created_on"}
    ).json()["result"]
    assert [e["value"] for e in entries] == ["second", "second", "first"]
    assert {e["name"] for e in entries} == {"incident"}
    shown = http.get(url(emulator, f"incident/{INC}"), params={
        "sysparm_fields": "work_notes", "sysparm_display_value": "true"}).json()["result"]
    assert shown["work_notes"].count("(Work notes)\n") == 3
    assert emulator.store.get("incident", INC)["sys_mod_count"] == str(5 + 3)


def test_business_rules_on_update(emulator, http, clock):
    clock.advance(30)
    before = emulator.store.get("incident", INC).copy()
    result = http.patch(url(emulator, f"incident/{INC}"), json={
        "assignment_group": "d625dccec0a8016700a222a0f7900d06", "state": "7"},
        params={"sysparm_exclude_reference_link": "true"}).json()["result"]
    assert result["reassignment_count"] == str(int(before["reassignment_count"]) + 1)
    assert (result["active"], result["incident_state"]) == ("false", "7")
    assert result["sys_updated_on"] == clock.now().strftime("%Y-%m-%d %H:%M:%S")
    assert result["sys_updated_by"] == "admin"
    unchanged = http.patch(url(emulator, f"incident/{INC}"), json={"state": "7"}).json()["result"]
    assert unchanged["sys_mod_count"] == result["sys_mod_count"], "a no-op write is not an update"


def test_no_response_body_header_and_method_override(emulator, http):
    quiet = http.post(url(emulator, "incident"), json={"short_description": "q"},
                      headers={"X-no-response-body": "true"})
    assert (quiet.status_code, quiet.content) == (201, b"")
    overridden = http.post(url(emulator, f"incident/{INC}"), json={"urgency": "2"},
                           headers={"X-http-method-override": "PATCH"})
    assert overridden.status_code == 200 and overridden.json()["result"]["urgency"] == "2"


def test_oauth_token_endpoint_grants(emulator):
    token_url = f"{emulator.url}/oauth_token.do"
    form = {"client_id": "csi-rules-demo", "client_secret": "demo-secret"}
    password = requests.post(token_url, data={**form, "grant_type": "password",
                                              "username": "admin", "password": "admin"})
    body = password.json()
    assert password.status_code == 200
    assert set(body) == {"scope", "token_type", "expires_in", "refresh_token", "access_token"}
    assert (body["token_type"], body["expires_in"]) == ("Bearer", 1799)
    bearer = {"Authorization": f"Bearer {body['access_token']}"}
    assert requests.get(url(emulator, "incident"), headers=bearer,
                        params={"sysparm_limit": 1}).status_code == 200
    refreshed = requests.post(token_url, data={**form, "grant_type": "refresh_token",
                                               "refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200
    client = requests.post(token_url, data={**form, "grant_type": "client_credentials"}).json()
    assert "access_token" in client and "refresh_token" not in client
    denied = requests.post(token_url, data={**form, "grant_type": "password",
                                            "username": "admin", "password": "nope"})
    assert (denied.status_code, denied.json()["error_description"]) == (401, "access_denied")


def test_expired_token_is_refused(emulator, clock):
    body = requests.post(f"{emulator.url}/oauth_token.do", data={
        "client_id": "csi-rules-demo", "client_secret": "demo-secret",
        "grant_type": "client_credentials"}).json()
    clock.advance(1800)
    response = requests.get(url(emulator, "incident"),
                            headers={"Authorization": f"Bearer {body['access_token']}"})
    assert response.status_code == 401


def test_rate_limit_headers_and_429_body_as_documented(emulator, http, clock):
    emulator.rate_limiter.rules.append(RateLimitRule(limit=2, sys_id="a" * 32))
    first = http.get(url(emulator, "incident"), params={"sysparm_limit": 1})
    reset = (int(clock.time()) // 3600 + 1) * 3600
    assert first.headers["X-RateLimit-Limit"] == "2"
    assert first.headers["X-RateLimit-Reset"] == str(reset)
    assert first.headers["X-RateLimit-Rule"] == "a" * 32
    http.get(url(emulator, "incident"), params={"sysparm_limit": 1})
    denied = http.get(url(emulator, "incident"), params={"sysparm_limit": 1})
    assert denied.status_code == 429
    assert int(denied.headers["Retry-After"]) == reset - int(clock.time())
    assert denied.json() == {"error": {
        "message": "Rate limit exceeded",
        "detail": "Rate limit of 2 requests per hour for Table API exceeded"}, "status": "failure"}
    clock.advance(int(denied.headers["Retry-After"]))
    assert http.get(url(emulator, "incident"), params={"sysparm_limit": 1}).status_code == 200


def test_no_rate_limit_headers_without_a_matching_rule(emulator, http):
    emulator.rate_limiter.rules.append(RateLimitRule(limit=1, user_name="someone_else"))
    response = http.get(url(emulator, "incident"), params={"sysparm_limit": 1})
    assert "X-RateLimit-Limit" not in response.headers


def test_faults(emulator, http):
    emulator.faults.add("status", status=502, times=2)
    assert [http.get(url(emulator, "incident")).status_code for _ in range(3)] == [502, 502, 200]
    emulator.faults.add("drop")
    with pytest.raises(requests.ConnectionError):
        http.get(url(emulator, "incident"))
    emulator.faults.add("html")
    page = http.get(url(emulator, "incident"))
    assert page.status_code == 200 and "Hibernating" in page.text
    emulator.faults.add("latency", seconds=0.3)
    with pytest.raises(requests.Timeout):
        http.get(url(emulator, "incident"), timeout=0.1)
    assert len(emulator.faults.fired) == 5


def test_seed_directory_and_standalone_entry_point(tmp_path, clock):
    from csi_rules_servicenow.emulator import ServiceNowEmulator

    (tmp_path / "incident.json").write_text(json.dumps({"result": [
        {"sys_id": "1" * 32, "number": "INC0000001", "state": "1", "sys_updated_on":
         "2024-01-01 00:00:00"}]}))
    (tmp_path / "instance.json").write_text(json.dumps({
        "users": [{"user_name": "u", "password": "p"}]}))
    with ServiceNowEmulator(seed_dir=tmp_path, clock=clock.now) as emulator:
        response = requests.get(url(emulator, "incident"), auth=("u", "p"))
        assert [r["number"] for r in response.json()["result"]] == ["INC0000001"]


def test_a_wrong_method_is_405_and_head_is_get_without_a_body(emulator, http):
    for method, path in [("DELETE", "/api/now/table/incident"), ("POST", "/api/now/stats/incident"),
                         ("GET", "/api/now/v1/batch"), ("PUT", "/api/now/attachment/file"),
                         ("GET", "/oauth_token.do"), ("POST", "/api/sn_chg_rest/change"),
                         ("GET", f"/api/sn_chg_rest/change/{CHANGE}/ci"),
                         ("POST", f"/api/sn_chg_rest/change/{CHANGE}/refresh_impacted_services")]:
        refused = http.request(method, emulator.url + path, json={})
        assert refused.status_code == 405, (method, path)
        assert refused.json()["error"]["message"] == "Method not Supported"
    head = http.head(url(emulator, f"incident/{INC}"))
    assert (head.status_code, head.content) == (200, b"")
    assert int(head.headers["Content-Length"]) == len(http.get(url(emulator, f"incident/{INC}")).content)
    unknown = http.get(f"{emulator.url}/api/now/ui/meta/incident")
    assert unknown.status_code == 400
    assert unknown.json()["error"]["message"] == "Requested URI does not represent any resource"
