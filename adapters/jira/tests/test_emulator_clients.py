"""Independent clients written against the real platforms drive the emulator.

pycontribs `jira` and `atlassian-python-api` know nothing of this project: if the emulator
differs from Jira where they look, these tests fail.
"""

from __future__ import annotations

from typing import Any

import pytest
from atlassian import Jira, ServiceDesk
from jira import JIRA

EMAIL, TOKEN = "mia@example.com", "emulator-api-token"
ALEX = "5b10ac8d82e05b22cc7d4ef5"


@pytest.fixture
def pycontribs(emulator: Any) -> JIRA:
    client = JIRA(server=emulator.url, basic_auth=(EMAIL, TOKEN), max_retries=0,
                  get_server_info=True)
    yield client
    client.close()


def _many_issues(emulator: Any, n: int) -> None:
    site = emulator.site
    for i in range(n):
        site.create_issue("OPS", "Task", f"bulk {i}", reporter="5b10a2844c20165700ede21g")


def test_pycontribs_search_pages_with_next_page_token(emulator, pycontribs):
    _many_issues(emulator, 7)
    found = pycontribs.enhanced_search_issues("project = OPS ORDER BY key ASC", maxResults=0,
                                              fields=["summary"])
    keys = [i.key for i in found]
    assert keys == [f"OPS-{n}" for n in range(1, 10)]
    first = pycontribs.enhanced_search_issues("project = OPS ORDER BY key ASC", maxResults=4,
                                              fields=["summary"])
    assert [i.key for i in first] == keys[:4] and first.nextPageToken
    second = pycontribs.enhanced_search_issues("project = OPS ORDER BY key ASC", maxResults=4,
                                               nextPageToken=first.nextPageToken,
                                               fields=["summary"])
    assert [i.key for i in second] == keys[4:8]
    assert [i.key for i in pycontribs.search_issues("project = OPS", maxResults=3)] == keys[::-1][:3]


def test_pycontribs_issue_transitions_comments_and_assignment(emulator, pycontribs):
    issue = pycontribs.issue("ITSM-1")
    assert issue.fields.summary.startswith("Email delivery")
    assert issue.fields.priority.name == "High" and issue.fields.status.name == "Waiting for support"
    names = {t["name"]: t["id"] for t in pycontribs.transitions(issue)}
    assert "Start progress" in names
    pycontribs.transition_issue(issue, "Start progress")
    assert pycontribs.issue("ITSM-1").fields.status.name == "In Progress"
    comment = pycontribs.add_comment("ITSM-1", "Looking at the relay now.")
    assert comment.body == "Looking at the relay now."
    assert [c.body for c in pycontribs.comments("ITSM-1")][-1] == "Looking at the relay now."
    assert pycontribs.assign_issue("ITSM-1", "alex")               # user search, then assignee
    assert pycontribs.issue("ITSM-1").fields.assignee.accountId == ALEX
    assert pycontribs.project("ITSM").key == "ITSM"
    created = pycontribs.create_issue(project="OPS", summary="From pycontribs",
                                      issuetype={"name": "Task"})
    assert created.key.startswith("OPS-") and created.fields.summary == "From pycontribs"


def test_pycontribs_service_desk_calls(emulator, pycontribs):
    desks = pycontribs.service_desks()
    assert [(d.id, d.projectKey) for d in desks] == [("1", "ITSM")]


def test_atlassian_python_api_jira(emulator):
    jira = Jira(url=emulator.url, username=EMAIL, password=TOKEN, cloud=True)
    _many_issues(emulator, 3)
    page = jira.enhanced_jql("project = OPS ORDER BY key ASC", fields="summary", limit=2)
    assert [i["key"] for i in page["issues"]] == ["OPS-1", "OPS-2"] and not page["isLast"]
    rest = jira.enhanced_jql("project = OPS ORDER BY key ASC", fields="summary", limit=10,
                             nextPageToken=page["nextPageToken"])
    assert [i["key"] for i in rest["issues"]] == ["OPS-3", "OPS-4", "OPS-5"] and rest["isLast"]
    assert jira.issue("OPS-1")["fields"]["summary"].startswith("Rotate the TLS")
    assert {t["to"] for t in jira.get_issue_transitions("OPS-1")} == {"In Progress", "Done"}
    jira.set_issue_status("OPS-1", "In Progress")
    assert jira.issue("OPS-1")["fields"]["status"]["name"] == "In Progress"
    jira.issue_add_comment("OPS-1", "started")
    jira.assign_issue("OPS-1", ALEX)
    fields = jira.issue("OPS-1")["fields"]
    assert fields["assignee"]["accountId"] == ALEX
    assert jira.issue_get_comments("OPS-1")["comments"][-1]["body"] == "started"


def test_atlassian_python_api_service_desk_sla_and_approvals(emulator):
    desk = ServiceDesk(url=emulator.url, username=EMAIL, password=TOKEN, cloud=True)
    assert [d["projectKey"] for d in desk.get_service_desks()] == ["ITSM"]
    slas = {s["name"]: s for s in desk.get_sla("ITSM-1")}
    assert slas["Time to first response"]["ongoingCycle"]["elapsedTime"]["millis"] == 3 * 3_600_000
    approvals = desk.get_approvals("ITSM-3")
    assert [a["finalDecision"] for a in approvals] == ["pending"]
    answered = desk.answer_approval("ITSM-3", approvals[0]["id"], "approve")
    assert answered["finalDecision"] == "approved"
    assert emulator.site.issues["ITSM-3"].status == "In Progress"


def test_atlassian_python_api_customer_transitions(emulator):
    desk = ServiceDesk(url=emulator.url, username="casey@example.com", password="casey-api-token",
                       cloud=True)
    offered = desk.get_customer_transitions("ITSM-1")
    assert [t["name"] for t in offered["values"]] == ["Resolve this issue"]
    desk.perform_transition("ITSM-1", offered["values"][0]["id"])     # no comment: body null
    assert emulator.site.issues["ITSM-1"].status == "Resolved"
    desk.perform_transition("ITSM-1", "71", comment="Still broken.")
    issue = emulator.site.issues["ITSM-1"]
    assert (issue.status, issue.comments[-1].body) == ("Waiting for support", "Still broken.")
