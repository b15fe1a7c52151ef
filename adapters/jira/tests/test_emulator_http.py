"""The emulator answers every request the way Jira does: wrong bodies, wrong methods, never silence."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

import pytest
import requests

AUTH = ("mia@example.com", "emulator-api-token")
API = "/rest/api/3"
SD = "/rest/servicedeskapi"

# every operation that reads a JSON body, with bodies of the wrong shape for it
_ANY = ["true", "[1]", '"text"', "12", "null"]
BODY_ROUTES = [
    ("POST", f"{SD}/request/ITSM-3/approval/1", ['{"decision": {"a": 1}}', '{"decision": []}']),
    ("POST", f"{SD}/request/ITSM-1/comment", ['{"body": {"a": 1}}', '{"public": "x"}']),
    ("POST", f"{API}/issue/ITSM-1/transitions", ['{"transition": [1]}', '{"fields": "x"}',
                                                  '{"transition": {"id": "11"}, "update": 1}']),
    ("POST", f"{API}/search/approximate-count", ['{"jql": 5}', '{"jql": ["a"]}']),
    ("PUT", f"{API}/issue/ITSM-1", ['{"fields": "x"}', '{"update": {"labels": "x"}}',
                                     '{"fields": {"priority": "High"}}',
                                     '{"fields": {"components": ["x"]}}',
                                     '{"update": {"comment": [{"add": "x"}]}}',
                                     '{"update": {"labels": [{"add": [1]}]}}']),
    ("POST", f"{API}/search/jql", ['{"maxResults": "x"}', '{"fields": "summary"}',
                                    '{"maxResults": true}', '{"jql": 1}']),
    ("POST", f"{API}/issueLink", ['{"type": "x", "inwardIssue": 1}', '{"comment": "x"}']),
    ("POST", f"{API}/issue/ITSM-1/comment", ['{"body": 5}', '{"properties": "x"}']),
    ("PUT", f"{API}/issue/ITSM-1/assignee", ['{"accountId": []}']),
    ("POST", f"{API}/issue", ['{"fields": "x"}', '{"fields": {"project": "ITSM"}}']),
    ("POST", f"{SD}/request/ITSM-1/transition", ['{"id": []}', '{"additionalComment": "x"}',
                                                  '{"id": "51", "additionalComment": {"body": []}}']),
]


@pytest.mark.parametrize(("method", "path", "wrong"), BODY_ROUTES)
def test_a_body_of_the_wrong_shape_is_a_400_with_the_error_envelope(emulator, method, path, wrong):
    with requests.Session() as http:
        for body in _ANY + wrong:
            reply = http.request(method, emulator.url + path, data=body, auth=AUTH,
                                 headers={"Content-Type": "application/json"}, timeout=5)
            assert reply.status_code == 400, (body, reply.status_code, reply.text)
            data = reply.json()
            if path.startswith(SD):
                assert data["errorMessage"], body
            else:
                assert data["errorMessages"] or data["errors"], body
                assert isinstance(data["errors"], dict)


def test_a_body_of_the_wrong_shape_changes_nothing(emulator):
    issue = emulator.site.issues["ITSM-1"]
    before = (issue.status, list(issue.labels), len(issue.comments))
    for body in ('{"update": {"labels": [{"add": "x"}], "comment": "x"}}',
                 '{"transition": {"id": "11"}, "fields": "x"}'):
        requests.post(emulator.url + f"{API}/issue/ITSM-1/transitions", data=body, auth=AUTH,
                      headers={"Content-Type": "application/json"}, timeout=5)
    assert (issue.status, list(issue.labels), len(issue.comments)) == before


def test_numbers_sent_as_strings_are_coerced_like_jackson(emulator):
    reply = requests.post(emulator.url + f"{API}/search/jql", auth=AUTH, timeout=5,
                          json={"jql": "project = ITSM", "maxResults": "2"})
    assert reply.status_code == 200 and len(reply.json()["issues"]) == 2
    moved = requests.post(emulator.url + f"{API}/issue/ITSM-1/transitions", auth=AUTH, timeout=5,
                          json={"transition": {"id": 11}})
    assert moved.status_code == 204
    assert emulator.site.issues["ITSM-1"].status == "In Progress"


def test_a_failing_handler_still_answers_500_with_the_envelope(emulator, monkeypatch):
    from csi_rules_jira.emulator import routes_meta

    def broken(site, req):
        raise RuntimeError("boom")
    emulator._routes = [(m, p, broken if fn is routes_meta.fields else fn)
                        for m, p, fn in emulator._routes]
    reply = requests.get(emulator.url + f"{API}/field", auth=AUTH, timeout=5)
    assert reply.status_code == 500
    assert reply.json()["errorMessages"] and reply.json()["errors"] == {}


def test_a_wrong_method_is_a_405_problem_document_naming_the_allowed_methods(emulator):
    for method, path in [("DELETE", f"{API}/serverInfo"), ("PATCH", f"{API}/issue/ITSM-1"),
                         ("PUT", f"{API}/search/jql"), ("GET", f"{SD}/request/ITSM-3/approval/1/x"),
                         ("DELETE", f"{SD}/request/ITSM-1/sla")]:
        reply = requests.request(method, emulator.url + path, auth=AUTH, timeout=5)
        if path.endswith("/x"):
            assert reply.status_code == 404
            continue
        assert reply.status_code == 405, (method, path, reply.status_code)
        assert reply.headers["Content-Type"].startswith("application/problem+json")
        assert reply.json()["status"] == 405 and reply.json()["title"] == "Method Not Allowed"
        assert method not in reply.headers["Allow"].split(",")
    allow = requests.options(emulator.url + f"{API}/search/jql", auth=AUTH, timeout=5)
    assert allow.status_code == 200
    assert set(allow.headers["Allow"].split(",")) == {"GET", "POST", "HEAD", "OPTIONS"}


def test_head_answers_like_get_without_a_body(emulator):
    head = requests.head(emulator.url + f"{API}/issue/ITSM-1", auth=AUTH, timeout=5)
    assert head.status_code == 200 and head.content == b""
    missing = requests.head(emulator.url + f"{API}/issue/NOPE-1", auth=AUTH, timeout=5)
    assert missing.status_code == 404


def test_a_broken_content_length_is_answered(emulator):
    import socket

    with socket.create_connection((emulator.host, emulator.port), timeout=5) as sock:
        sock.sendall(b"POST /rest/api/3/search/jql HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n"
                     b"Authorization: Basic " +
                     __import__("base64").b64encode(b"mia@example.com:emulator-api-token") +
                     b"\r\nConnection: close\r\n\r\n")
        answer = sock.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 400")
    assert "errorMessages" in answer             # the envelope, not an HTML page


ADF = {"type": "doc", "version": 1, "content": [
    {"type": "paragraph", "content": [
        {"type": "text", "text": "Restart "},
        {"type": "text", "text": "postfix", "marks": [{"type": "strong"}]},
        {"type": "text", "text": " then check "},
        {"type": "text", "text": "mailq", "marks": [{"type": "code"}]}]},
    {"type": "bulletList", "content": [
        {"type": "listItem", "content": [{"type": "paragraph", "content": [
            {"type": "text", "text": "relay one"}]}]},
        {"type": "listItem", "content": [{"type": "paragraph", "content": [
            {"type": "text", "text": "relay two", "marks": [{"type": "em"}]}]}]}]}]}


def test_adf_comments_keep_marks_and_lists(emulator):
    url = emulator.url + "/rest/api/3/issue/ITSM-1/comment"
    made = requests.post(url, auth=AUTH, json={"body": ADF}, timeout=5)
    assert made.status_code == 201 and made.json()["body"] == ADF
    back = requests.get(url, auth=AUTH, timeout=5).json()["comments"][-1]["body"]
    assert back == ADF
    v2 = requests.get(emulator.url + "/rest/api/2/issue/ITSM-1/comment", auth=AUTH,
                      timeout=5).json()["comments"][-1]["body"]
    assert v2 == "Restart *postfix* then check {{mailq}}\n\n* relay one\n* _relay two_"


def test_expand_names_schema_and_rendered_fields_are_honoured(emulator):
    requests.post(emulator.url + "/rest/api/3/issue/ITSM-1/comment", auth=AUTH,
                  json={"body": ADF}, timeout=5)
    issue = requests.get(emulator.url + "/rest/api/3/issue/ITSM-1", auth=AUTH, timeout=5,
                         params={"expand": "names,schema,renderedFields",
                                 "fields": "summary,description,customfield_10050,created,"
                                           "comment"}).json()
    assert issue["names"] == {"summary": "Summary", "description": "Description",
                              "customfield_10050": "Impact", "created": "Created",
                              "comment": "Comment"}
    assert issue["schema"]["created"] == {"type": "datetime", "system": "created"}
    rendered = issue["renderedFields"]
    assert rendered["description"].startswith("<p>Outbound mail queues")
    html = rendered["comment"]["comments"][-1]["body"]
    assert "<b>postfix</b>" in html and "<ul><li><p>relay one</p></li>" in html
    # times as Jira renders them for people: `dd/MMM/yy h:mm a` in the viewer's zone
    # (mia: Australia/Sydney; the real payloads show "14/May/18 11:54 PM")
    created = emulator.site.issues["ITSM-1"].created.astimezone(ZoneInfo("Australia/Sydney"))
    hour = created.hour % 12 or 12
    assert rendered["created"] == (f"{created:%d/%b/%y} {hour}:{created:%M} "
                                   f"{'AM' if created.hour < 12 else 'PM'}")
    assert re.fullmatch(r"\d\d/[A-Z][a-z]{2}/\d\d (1[0-2]|[1-9]):\d\d [AP]M", rendered["created"])
    only = requests.get(emulator.url + "/rest/api/3/issue/ITSM-1", auth=AUTH, timeout=5,
                        params={"expand": "renderedFields", "fields": "description"}).json()
    assert set(only["renderedFields"]) == {"description"}     # only the fields asked for
    plain = requests.get(emulator.url + "/rest/api/3/issue/ITSM-1", auth=AUTH, timeout=5).json()
    assert not {"names", "schema", "renderedFields"} & set(plain)
    assert set(plain["expand"].split(",")) <= {"renderedFields", "names", "schema", "changelog"}


def test_search_expand_names_and_schema_sit_beside_the_issues(emulator):
    for method in ("GET", "POST"):
        query = {"jql": "project = ITSM ORDER BY key", "fields": ["summary", "created"],
                 "expand": "names,schema"}
        sent = {"params": {**query, "fields": "summary,created"}} if method == "GET" else {
            "json": query}
        reply = requests.request(method, emulator.url + f"{API}/search/jql", auth=AUTH, timeout=5,
                                 **sent)
        found = reply.json()
        assert found["names"] == {"summary": "Summary", "created": "Created"}
        assert found["schema"]["created"] == {"type": "datetime", "system": "created"}
        assert found["issues"] and all(not {"names", "schema"} & set(i) for i in found["issues"])


def test_data_center_search_puts_names_and_schema_beside_the_issues(dc_emulator):
    reply = requests.get(dc_emulator.url + "/rest/api/2/search", timeout=5,
                         headers={"Authorization": "Bearer emulator-pat"},
                         params={"jql": "project = ITSM ORDER BY key", "fields": "summary,created",
                                 "expand": "names,schema", "maxResults": 2})
    found = reply.json()
    assert reply.status_code == 200 and found["total"] >= 2 and len(found["issues"]) == 2
    assert found["names"] == {"summary": "Summary", "created": "Created"}
    assert found["schema"]["created"] == {"type": "datetime", "system": "created"}
    assert all(not {"names", "schema"} & set(i) for i in found["issues"])


def test_the_comment_field_comes_with_all_fields_and_not_with_navigable_ones(emulator):
    requests.post(emulator.url + "/rest/api/3/issue/ITSM-1/comment", auth=AUTH,
                  json={"body": ADF}, timeout=5)
    whole = requests.get(emulator.url + "/rest/api/2/issue/ITSM-1", auth=AUTH, timeout=5).json()
    comments = whole["fields"]["comment"]
    assert comments["total"] == len(comments["comments"]) >= 1 and comments["startAt"] == 0
    assert comments["comments"][-1]["body"].startswith("Restart *postfix*")   # v2: wiki markup
    navigable = requests.get(emulator.url + "/rest/api/3/issue/ITSM-1", auth=AUTH, timeout=5,
                             params={"fields": "*navigable"}).json()
    assert "comment" not in navigable["fields"]
    found = requests.post(emulator.url + f"{API}/search/jql", auth=AUTH, timeout=5,
                          json={"jql": "key = ITSM-1", "fields": ["*all"]}).json()
    assert found["issues"][0]["fields"]["comment"]["comments"][-1]["body"] == ADF


def test_the_latest_api_is_served_as_version_2(emulator):
    def description(version):
        return requests.get(emulator.url + f"/rest/api/{version}/issue/ITSM-1", auth=AUTH,
                            timeout=5, params={"fields": "description"}).json()["fields"]["description"]
    assert description("latest") == description("2")
    assert isinstance(description("latest"), str) and isinstance(description("3"), dict)
