"""Operations the official clients call for everyday work, and every `self` link resolving."""

from __future__ import annotations

from typing import Any

import pytest
import requests

AUTH = ("mia@example.com", "emulator-api-token")


def _get(emulator, path: str, **params: Any) -> requests.Response:
    return requests.get(emulator.url + path, auth=AUTH, params=params, timeout=5)


def test_create_issue_validates_then_creates_once(emulator, contract):
    api = emulator.url + "/rest/api/3/issue"
    missing = requests.post(api, auth=AUTH, json={"fields": {"summary": " "}}, timeout=5)
    assert missing.status_code == 400
    assert set(missing.json()["errors"]) == {"project", "issuetype", "summary"}
    plain = requests.post(api, auth=AUTH, timeout=5, json={"fields": {
        "project": {"key": "OPS"}, "issuetype": {"name": "Task"}, "summary": "Renew certs",
        "description": "plain text is refused on v3"}})
    assert plain.status_code == 400 and "description" in plain.json()["errors"]
    made = requests.post(api, auth=AUTH, timeout=5, json={"fields": {
        "project": {"key": "OPS"}, "issuetype": {"id": "10005"}, "summary": "Renew certs",
        "priority": {"name": "High"}, "labels": ["tls"],
        "assignee": {"accountId": "5b10ac8d82e05b22cc7d4ef5"}}})
    assert made.status_code == 201
    key = made.json()["key"]
    assert key == "OPS-3" and _get(emulator, made.json()["self"][len(emulator.url):]).ok
    issue = _get(emulator, f"/rest/api/3/issue/{key}").json()["fields"]
    assert (issue["status"]["name"], issue["priority"]["name"], issue["labels"]) == (
        "To Do", "High", ["tls"])
    assert issue["reporter"]["displayName"] == "Mia Krystof"
    assert issue["assignee"]["displayName"] == "Alex Agent"
    assert [p for e in emulator.exchanges for p in contract.problems(e)] == []


def test_user_search_and_lookup(emulator, dc_emulator):
    found = _get(emulator, "/rest/api/2/user/search", query="alex").json()
    assert [u["accountId"] for u in found] == ["5b10ac8d82e05b22cc7d4ef5"]
    assert _get(emulator, "/rest/api/2/user/search").status_code == 400
    one = _get(emulator, "/rest/api/3/user", accountId="5b10ac8d82e05b22cc7d4ef5")
    assert one.json()["displayName"] == "Alex Agent"
    dc = requests.get(dc_emulator.url + "/rest/api/2/user/search", params={"username": "alex"},
                      headers={"Authorization": "Bearer emulator-pat"}, timeout=5).json()
    assert [u["name"] for u in dc] == ["alex"]


def test_project_lookup_and_service_desks(emulator, contract):
    project = _get(emulator, "/rest/api/3/project/ITSM").json()
    assert project["key"] == "ITSM" and project["projectTypeKey"] == "service_desk"
    assert {t["name"] for t in project["issueTypes"]} >= {"Incident", "Change"}
    assert _get(emulator, "/rest/api/3/project/NOPE").status_code == 404
    desks = _get(emulator, "/rest/servicedeskapi/servicedesk").json()
    assert [(d["id"], d["projectKey"]) for d in desks["values"]] == [("1", "ITSM")]
    assert desks["isLastPage"] is True
    assert _get(emulator, "/rest/servicedeskapi/servicedesk/1").json()["projectKey"] == "ITSM"
    assert [p for e in emulator.exchanges for p in contract.problems(e)] == []


def test_changelog_pages_with_total_and_is_last(emulator, contract):
    site = emulator.site
    issue = site.issues["ITSM-1"]
    for n in range(5):
        site.add_comment(issue, "5b10a2844c20165700ede21g", f"c{n}")
        site.set_status(issue, "In Progress" if n % 2 == 0 else "Waiting for support",
                        "5b10a2844c20165700ede21g")
    total = len(issue.changelog)
    seen, start = [], 0
    while True:
        page = _get(emulator, "/rest/api/3/issue/ITSM-1/changelog", startAt=start,
                    maxResults=2).json()
        assert page["total"] == total and page["startAt"] == start and page["maxResults"] == 2
        seen += [h["id"] for h in page["values"]]
        if page["isLast"]:
            assert "nextPage" not in page
            break
        assert page["nextPage"].endswith(f"startAt={start + 2}&maxResults=2")
        start += 2
    assert seen == [h["id"] for h in issue.changelog] and len(seen) == total == 5
    assert [p for e in emulator.exchanges for p in contract.problems(e)] == []


def _links(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "self" and isinstance(v, str)]
        return found + [u for v in value.values() for u in _links(v)]
    if isinstance(value, list):
        return [u for v in value for u in _links(v)]
    return []


@pytest.mark.parametrize("version", [2, 3])
def test_every_self_link_the_emulator_writes_resolves(emulator, version):
    site = emulator.site
    site.add_link("Blocks", site.issues["ITSM-1"], site.issues["OPS-1"],
                  "5b10a2844c20165700ede21g")
    site.add_comment(site.issues["ITSM-1"], "5b10ac8d82e05b22cc7d4ef5", "hello")
    pages = [f"/rest/api/{version}/issue/{k}" for k in ("ITSM-1", "ITSM-3", "OPS-1")] + [
        f"/rest/api/{version}/issue/ITSM-1/comment", f"/rest/api/{version}/myself",
        f"/rest/api/{version}/issueLinkType", "/rest/servicedeskapi/request/ITSM-1/sla",
        "/rest/servicedeskapi/request/ITSM-3/approval", "/rest/servicedeskapi/servicedesk",
        "/rest/servicedeskapi/request/ITSM-1/comment",
        "/rest/servicedeskapi/servicedesk/1/requesttype"]
    links: set[str] = set()
    for page in pages:
        reply = _get(emulator, page)
        assert reply.status_code == 200, page
        body = reply.json()
        links |= set(_links(body))
        links |= {v for s in _walk_links(body) for v in s}
    assert len(links) > 20
    broken = [u for u in sorted(links) if not requests.get(u, auth=AUTH, timeout=5).ok]
    assert broken == []


def _walk_links(value: Any) -> list[list[str]]:
    """JSM `_links.self` values."""
    if isinstance(value, dict):
        own = [[value["_links"]["self"]]] if isinstance(value.get("_links"), dict) and \
            "self" in value["_links"] else []
        return own + [s for v in value.values() for s in _walk_links(v)]
    if isinstance(value, list):
        return [s for v in value for s in _walk_links(v)]
    return []


def test_customer_transitions_list_and_move_the_request(emulator, contract):
    casey = ("casey@example.com", "casey-api-token")             # the reporter, a customer
    url = emulator.url + "/rest/servicedeskapi/request/ITSM-1/transition"
    offered = requests.get(url, auth=casey, timeout=5).json()
    assert [(t["id"], t["name"]) for t in offered["values"]] == [("51", "Resolve this issue")]
    assert offered["isLastPage"] is True
    wrong = requests.post(url, auth=casey, json={"id": "71"}, timeout=5)    # not from here
    assert wrong.status_code == 400 and wrong.json()["errorMessage"]
    done = requests.post(url, auth=casey, timeout=5,
                         json={"id": "51", "additionalComment": {"body": "Works again."}})
    assert done.status_code == 204 and done.content == b""
    issue = emulator.site.issues["ITSM-1"]
    assert issue.status == "Resolved"
    comment = issue.comments[-1]
    assert (comment.body, comment.author) == ("Works again.", "5b10a0effa615349cb016cd8")
    public = requests.get(emulator.url + "/rest/servicedeskapi/request/ITSM-1/comment",
                          auth=casey, timeout=5).json()["values"][-1]
    assert public["public"] is True
    again = requests.get(url, auth=casey, timeout=5).json()
    assert [t["name"] for t in again["values"]] == ["Reopen this issue"]
    assert requests.get(emulator.url + "/rest/servicedeskapi/request/OPS-1/transition",
                        auth=casey, timeout=5).status_code == 404        # not a service desk
    assert [p for e in emulator.exchanges for p in contract.problems(e)] == []
