"""The emulator's site state and every mutation on it; all changes go through `Site.change`.

`change` is the one place that bumps `updated`, appends the changelog and tells listeners
(the webhook outbox), so the REST handlers, tests and the benchmark all mutate issues the
same way a Jira user would.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from csi_rules_jira.emulator.model import Approval, Comment, Issue, Project, User, Workflow
from csi_rules_jira.emulator.seed import seed_time

Clock = Callable[[], datetime]
Listener = Callable[[str, Issue, list[dict[str, Any]], str, Comment | None], None]


class Site:
    """Everything the emulator knows; guard compound reads/writes with `site.lock`."""

    def __init__(self, seed: dict[str, Any], clock: Clock):
        self.lock = threading.RLock()
        self.clock = clock
        self.version = 0
        self.deployment = str(seed.get("deployment", "Cloud"))
        self.title = str(seed.get("serverTitle", "Jira emulator"))
        self.webhook_secret = str(seed.get("webhook_secret", ""))
        self.users = {u["accountId"]: User(u["accountId"], u.get("name", u["accountId"]),
                                           u.get("displayName", u["accountId"]),
                                           u.get("email", ""), u.get("timeZone", "UTC"),
                                           u.get("api_token", ""), u.get("pat", ""))
                      for u in seed.get("users", ())}
        self.categories: dict[str, dict[str, Any]] = dict(seed.get("statusCategories", {}))
        self.priorities: list[dict[str, str]] = list(seed.get("priorities", ()))
        self.issue_types: list[dict[str, str]] = list(seed.get("issueTypes", ()))
        self.link_types: list[dict[str, str]] = list(seed.get("linkTypes", ()))
        self.fields: dict[str, dict[str, Any]] = {f["id"]: f for f in seed.get("fields", ())}
        workflows = {name: Workflow({s["name"]: s for s in w["statuses"]}, list(w["transitions"]),
                                    dict(w.get("approval", {})))
                     for name, w in seed.get("workflows", {}).items()}
        self.projects = {p["key"]: Project(p["id"], p["key"], p["name"], workflows[p["workflow"]],
                                           str(p.get("serviceDeskId", "")),
                                           list(p.get("requestTypes", ())), list(p.get("slas", ())))
                         for p in seed.get("projects", ())}
        self.issues: dict[str, Issue] = {}
        self.by_id: dict[str, Issue] = {}
        self.links: list[dict[str, str]] = []
        self.listeners: list[Listener] = []
        self._next_id = 10000
        start = clock()
        for item in seed.get("issues", ()):
            self._seed_issue(item, start)

    @property
    def is_cloud(self) -> bool:
        return self.deployment.lower() == "cloud"

    def _new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    # --- lookups ---------------------------------------------------------------------------

    def user(self, ref: str | None) -> User | None:
        if not ref:
            return None
        if ref in self.users:
            return self.users[ref]
        return next((u for u in self.users.values() if ref in (u.name, u.email)), None)

    def issue(self, key_or_id: str) -> Issue | None:
        return self.issues.get(key_or_id.upper()) or self.by_id.get(key_or_id)

    def priority(self, name_or_id: str) -> dict[str, str] | None:
        return next((p for p in self.priorities if name_or_id in (p["name"], p["id"])), None)

    def status(self, project: Project, name: str) -> dict[str, Any]:
        return project.workflow.statuses[name]

    # --- creating --------------------------------------------------------------------------

    def create_issue(self, project_key: str, issue_type: str, summary: str, *, reporter: str,
                     created: datetime | None = None, priority: str = "Medium",
                     **extra: Any) -> Issue:
        """A new issue in the workflow's initial status; no changelog, no webhook."""
        with self.lock:
            project = self.projects[project_key]
            when = created or self.clock()
            key = f"{project.key}-{project.next_number}"
            project.next_number += 1
            issue = Issue(self._new_id(), key, project, issue_type, summary,
                          project.workflow.initial(), priority, reporter, when, when, **extra)
            self.issues[key] = issue
            self.by_id[issue.id] = issue
            self.version += 1
            return issue

    def _seed_issue(self, item: dict[str, Any], start: datetime) -> None:
        project_key = item["key"].rsplit("-", 1)[0]
        project = self.projects[project_key]
        project.next_number = max(project.next_number, int(item["key"].rsplit("-", 1)[1]))
        created = seed_time(item.get("created", "-1h"), start)
        reporter = self._account(item.get("reporter"))
        custom = {k: (seed_time(v, start).isoformat() if self._is_datetime(k) else v)
                  for k, v in item.get("custom", {}).items()}
        issue = self.create_issue(
            project_key, item["type"], item["summary"], reporter=reporter or "", created=created,
            priority=item.get("priority", "Medium"), description=item.get("description", ""),
            assignee=self._account(item.get("assignee")), labels=list(item.get("labels", ())),
            components=list(item.get("components", ())), custom=custom,
            request_type=str(item.get("requestType", "")))
        for step in item.get("history", ()):
            self.set_status(issue, step["status"], self._account(step.get("by")) or reporter or "",
                            at=seed_time(step["at"], start), notify=False)
        if issue.status != item.get("status", issue.status):
            self.set_status(issue, item["status"], reporter or "",
                            at=created + timedelta(minutes=1), notify=False)
        for a in item.get("approvals", ()):
            decided = a.get("decision", "pending")
            at = seed_time(a["at"], start) if a.get("at") else None
            issue.approvals.append(Approval(
                str(a["id"]), a["name"], {self._account(u) or u: decided for u in a["approvers"]},
                decided, created, at))

    def _account(self, ref: str | None) -> str | None:
        user = self.user(ref)
        return user.account_id if user else None

    def _is_datetime(self, field_id: str) -> bool:
        kind = (self.fields.get(field_id) or {}).get("schema", {}).get("type")
        return kind in ("datetime", "date")

    # --- changing --------------------------------------------------------------------------

    def change(self, issue: Issue, by: str, items: Iterable[dict[str, Any]], *,
               at: datetime | None = None, event: str = "issue_updated",
               comment: Comment | None = None, notify: bool = True) -> None:
        """Record a change made by `by`: changelog entry, `updated`, listeners."""
        with self.lock:
            when = at or self.clock()
            entries = list(items)
            if entries:
                issue.changelog.append({"id": self._new_id(), "author": by, "created": when,
                                        "items": entries})
            issue.updated = max(issue.updated, when) if at else when
            self.version += 1
            listeners = list(self.listeners) if notify else []
        for listener in listeners:
            listener(event, issue, entries, by, comment)

    def set_status(self, issue: Issue, status: str, by: str, *, at: datetime | None = None,
                   notify: bool = True) -> None:
        with self.lock:
            old = self.status(issue.project, issue.status)
            new = self.status(issue.project, status)
            when = at or self.clock()
            items = [{"field": "status", "fieldtype": "jira", "fieldId": "status",
                      "from": old["id"], "fromString": old["name"],
                      "to": new["id"], "toString": new["name"]}]
            if new["category"] == "done" and old["category"] != "done":
                issue.resolution, issue.resolved = "Done", when
                items.append({"field": "resolution", "fieldtype": "jira", "fieldId": "resolution",
                              "toString": "Done", "to": "10000"})
            elif new["category"] != "done" and old["category"] == "done":
                items.append({"field": "resolution", "fieldtype": "jira", "fieldId": "resolution",
                              "fromString": issue.resolution or "Done", "from": "10000"})
                issue.resolution, issue.resolved = None, None
            issue.status = status
            self.change(issue, by, items, at=when, event="issue_generic", notify=notify)

    def add_comment(self, issue: Issue, by: str, body: str, *,
                    properties: dict[str, Any] | None = None,
                    visibility: dict[str, Any] | None = None) -> Comment:
        with self.lock:
            comment = Comment(self._new_id(), by, body, self.clock(), dict(properties or {}),
                              visibility)
            issue.comments.append(comment)
            self.change(issue, by, (), event="issue_commented", comment=comment)
            return comment

    def add_link(self, type_name: str, inward: Issue, outward: Issue, by: str) -> dict[str, str]:
        with self.lock:
            link = {"id": self._new_id(), "type": type_name, "inward": inward.key,
                    "outward": outward.key}
            self.links.append(link)
            for issue, other in ((inward, outward), (outward, inward)):
                self.change(issue, by, [{"field": "Link", "fieldtype": "jira",
                                         "fieldId": "issuelinks", "to": other.key,
                                         "toString": f"{type_name} {other.key}"}])
            return link

    def links_of(self, issue: Issue) -> list[dict[str, str]]:
        return [link for link in self.links if issue.key in (link["inward"], link["outward"])]

    def answer_approval(self, issue: Issue, approval: Approval, who: str, decision: str) -> None:
        with self.lock:
            approval.approvers[who] = decision
            approval.final = decision
            approval.completed = self.clock()
            rule = issue.project.workflow.approval
            target = rule.get(decision)
            if target and issue.status == rule.get("status"):
                self.set_status(issue, target, who)
            else:
                self.change(issue, who, ())
