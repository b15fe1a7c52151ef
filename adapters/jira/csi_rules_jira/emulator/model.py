"""The emulator's in-memory site: users, projects, workflows and issues with their changelogs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class User:
    account_id: str
    name: str
    display_name: str
    email: str
    time_zone: str
    api_token: str = field(repr=False, default="")
    pat: str = field(repr=False, default="")


@dataclass
class Workflow:
    statuses: dict[str, dict[str, Any]]          # name -> {id, name, category}
    transitions: list[dict[str, Any]]            # {id, name, from: [...] | "*", to}
    approval: dict[str, str] = field(default_factory=dict)

    def initial(self) -> str:
        return next(iter(self.statuses))

    def available(self, status: str) -> list[dict[str, Any]]:
        return [t for t in self.transitions if t.get("from") == "*" or status in t["from"]]


@dataclass
class Project:
    id: str
    key: str
    name: str
    workflow: Workflow
    service_desk_id: str = ""
    request_types: list[dict[str, Any]] = field(default_factory=list)
    slas: list[dict[str, Any]] = field(default_factory=list)
    next_number: int = 1


@dataclass
class Comment:
    id: str
    author: str
    body: str                                    # plain text; rendered as ADF on v3
    created: datetime
    properties: dict[str, Any] = field(default_factory=dict)
    visibility: dict[str, Any] | None = None
    adf: dict[str, Any] | None = None            # the document as written on v3, marks and all


@dataclass
class Approval:
    id: str
    name: str
    approvers: dict[str, str]                    # accountId -> approved | declined | pending
    final: str
    created: datetime
    completed: datetime | None = None


@dataclass
class Issue:
    id: str
    key: str
    project: Project
    issue_type: str
    summary: str
    status: str
    priority: str
    reporter: str | None
    created: datetime
    updated: datetime
    description: str = ""
    assignee: str | None = None
    labels: list[str] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)
    resolution: str | None = None
    resolved: datetime | None = None
    request_type: str = ""
    changelog: list[dict[str, Any]] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    approvals: list[Approval] = field(default_factory=list)
