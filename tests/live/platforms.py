"""One incident on each emulator, changed the way an agent changes it (REST, as the admin user),
and the runner/adapter settings that read it back.

Each platform turns the same abstract update ("hold", "resolve", "assign", "priority 2", ...)
into its own calls: ServiceNow sets the state code on the Table API (with the hold reason or
close code an instance demands); Jira moves the issue through its workflow's transitions (a
state the workflow cannot reach from where the issue is, e.g. canceled, is not applied, and the
update says so by returning False) and edits fields with PUT.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import requests

from csi_rules.runtime import ManualClock
from csi_rules_jira.adapter import JiraAdapter
from csi_rules_jira.config import parse_config
from csi_rules_jira.emulator import JiraEmulator
from csi_rules_servicenow.emulator import ServiceNowEmulator
from csi_rules_servicenow.mapping import INCIDENT_STATES, SET_PRIORITY_5
from csi_rules_servicenow.plugin import make_adapter as make_sn_adapter

SN_PASSWORD = "admin"  # the emulator seeds' credentials (emulator-only)
JIRA_AUTH = ("mia@example.com", "emulator-api-token")
JIRA_TOKEN_ENV = "CSI_LIVE_JIRA_TOKEN"
GROUPS = ("Service Desk L2", "Infrastructure On-Call", "Service Desk Leads")  # the ladder's
PEOPLE = ("alex", "casey")
# The JSM ITSM workflow's statuses for the incident states (what states.py reads them as).
JIRA_STATUS = {"new": "Waiting for support", "in_progress": "In Progress",
               "on_hold": "Waiting for customer", "resolved": "Resolved", "closed": "Closed",
               "canceled": "Declined"}
JIRA_PRIORITY = {1: "Highest", 2: "High", 3: "Medium", 4: "Low", 5: "Lowest"}


def _call(method: str, url: str, auth: tuple[str, str], **kwargs: Any) -> requests.Response:
    response = requests.request(method, url, auth=auth, timeout=5,
                                headers={"Accept": "application/json"}, **kwargs)
    assert response.status_code < 300, (method, url, response.status_code, response.text)
    return response


class ServiceNowDesk:
    name = "servicenow"

    def __init__(self, clock: ManualClock):
        self.clock = clock
        self.emulator = ServiceNowEmulator(clock=clock.now)
        self.emulator.start()
        self.url = self.emulator.url
        self._codes = {v: k for k, v in INCIDENT_STATES.items()}
        self._refs = {("sys_user_group", g): self._ref("sys_user_group", g) for g in GROUPS}
        self._refs.update({("sys_user", p): self._ref("sys_user", p) for p in PEOPLE})

    def close(self) -> None:
        self.emulator.stop()

    def _table(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return _call(method, f"{self.url}/api/now/table/{path}", ("admin", SN_PASSWORD),
                     **kwargs).json()["result"]

    def _ref(self, table: str, name: str) -> str:
        field = "user_name" if table == "sys_user" else "name"
        found = self._table("GET", table, params={"sysparm_query": f"{field}={name}"})
        if found:
            return str(found[0]["sys_id"])
        return str(self._table("POST", table, json={"name": name, field: name})["sys_id"])

    def open(self, priority: int) -> str:
        impact, urgency = SET_PRIORITY_5[priority]
        at = self.clock.now().strftime("%Y-%m-%d %H:%M:%S")
        row = self._table("POST", "incident", json={
            "short_description": "live equals replay", "impact": str(impact),
            "urgency": str(urgency), "state": "1", "opened_at": at})
        return str(row["sys_id"])

    def update(self, ticket: str, op: str, value: Any = None) -> bool:
        body: dict[str, str]
        if op == "state":
            body = {"state": self._codes[value]}
            if value == "on_hold":
                body["hold_reason"] = "1"  # awaiting caller
            if value in ("resolved", "closed"):
                body.update(close_code="Solved (Permanently)", close_notes="done")
        elif op == "assign":
            body = {"assigned_to": self._refs[("sys_user", value)] if value else ""}
        else:  # priority: an instance derives it from impact x urgency
            impact, urgency = SET_PRIORITY_5[value]
            body = {"impact": str(impact), "urgency": str(urgency)}
        self._table("PATCH", f"incident/{ticket}", json=body)
        return True

    def settings(self, ticket: str) -> dict[str, Any]:
        return {"url": self.url, "allow_insecure_loopback": True,
                "auth": {"type": "basic", "username": "admin", "password_env": "SN_PASSWORD"},
                "filters": {"incident": f"sys_id={ticket}"}, "page_size": 50,
                "timeouts": {"connect": 2, "read": 5},
                "retries": {"max_attempts": 2, "backoff_seconds": 0.1, "max_delay_seconds": 5}}

    def adapter(self, settings: dict[str, Any]) -> Any:
        return make_sn_adapter(settings, clock=lambda: self.clock.now().timestamp(),
                               sleep=self.clock.advance, environ={"SN_PASSWORD": SN_PASSWORD})


class JiraDesk:
    name = "jira"

    def __init__(self, clock: ManualClock):
        self.clock = clock
        self.emulator = JiraEmulator(clock=clock.now)
        self.emulator.start()
        self.url = self.emulator.url
        self._workflow = self.emulator.site.projects["ITSM"].workflow

    def close(self) -> None:
        self.emulator.stop()

    def _api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return _call(method, f"{self.url}/rest/api/2/{path}", JIRA_AUTH, **kwargs)

    def open(self, priority: int) -> str:
        return str(self._api("POST", "issue", json={"fields": {
            "project": {"key": "ITSM"}, "issuetype": {"name": "Incident"},
            "summary": "live equals replay", "priority": {"name": JIRA_PRIORITY[priority]},
        }}).json()["key"])

    def _path(self, start: str, target: str) -> list[str] | None:
        queue: deque[tuple[str, list[str]]] = deque([(start, [])])
        seen = {start}
        while queue:
            status, chain = queue.popleft()
            if status == target:
                return chain
            for t in self._workflow.available(status):
                if t["to"] not in seen:
                    seen.add(t["to"])
                    queue.append((t["to"], [*chain, t["id"]]))
        return None

    def update(self, ticket: str, op: str, value: Any = None) -> bool:
        if op == "state":
            current = self.emulator.site.issue(ticket).status
            chain = self._path(current, JIRA_STATUS[value])
            if chain is None:
                return False  # the workflow has no way there (Declined: only by approval)
            for transition in chain:
                self._api("POST", f"issue/{ticket}/transitions",
                          json={"transition": {"id": transition}})
            return True
        if op == "assign":
            user = self.emulator.site.user(value) if value else None
            body = {"accountId": user.account_id} if user else None
            self._api("PUT", f"issue/{ticket}", json={"fields": {"assignee": body}})
            return True
        self._api("PUT", f"issue/{ticket}",
                  json={"fields": {"priority": {"name": JIRA_PRIORITY[value]}}})
        return True

    def settings(self, ticket: str) -> dict[str, Any]:
        return {"base_url": self.url, "allow_insecure_loopback": True,
                "auth": {"token_env": JIRA_TOKEN_ENV, "email": JIRA_AUTH[0]},
                "projects": ["ITSM"], "jql": f"key = {ticket}",
                "field_map": {"assignment_group": "customfield_10060"},
                "service_desk_projects": ["ITSM"], "page_size": 50, "max_retries": 1}

    def adapter(self, settings: dict[str, Any]) -> Any:
        config = parse_config(settings, environ={JIRA_TOKEN_ENV: JIRA_AUTH[1]})
        return JiraAdapter(config, sleep=self.clock.advance, clock=self.clock.now)


DESKS = {"servicenow": ServiceNowDesk, "jira": JiraDesk}
