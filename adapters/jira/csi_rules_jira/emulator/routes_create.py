"""POST /rest/api/{2,3}/issue: create an issue as Jira validates it (project, type, summary)."""

from __future__ import annotations

from typing import Any

from csi_rules_jira.emulator import bodies
from csi_rules_jira.emulator.edit import store_value, user_ref, validate_value
from csi_rules_jira.emulator.http import HttpError, Reply, Request
from csi_rules_jira.emulator.store import Site

_SET_AT_CREATION = ("project", "issuetype", "summary", "reporter")


def _project(site: Site, value: Any) -> str:
    ref = value if isinstance(value, str) else (
        (value.get("key") or value.get("id")) if isinstance(value, dict) else None)
    project = next((p for p in site.projects.values() if ref is not None and
                    str(ref) in (p.key, p.id)), None)
    if project is None:
        raise HttpError(400, errors={"project": "Specify a valid project ID or key"})
    return project.key


def _issue_type(site: Site, value: Any) -> str:
    ref = (value.get("name") or value.get("id")) if isinstance(value, dict) else None
    kind = next((t for t in site.issue_types if ref is not None and str(ref) in
                 (t["name"], t["id"])), None)
    if kind is None:
        raise HttpError(400, errors={"issuetype": "Specify an issue type"})
    return kind["name"]


def create_issue(site: Site, req: Request) -> Reply:
    """Validate every field first (all errors in one answer), then create once."""
    body = req.json_object(bodies.ISSUE_UPDATE)
    fields = dict(body.get("fields") or {})
    errors: dict[str, str] = {}
    chosen: dict[str, Any] = {}
    for name, check in (("project", _project), ("issuetype", _issue_type)):
        try:
            chosen[name] = check(site, fields.get(name))
        except HttpError as exc:
            errors.update(exc.errors)
    summary = fields.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        errors["summary"] = "You must specify a summary of the issue."
    values: dict[str, Any] = {}
    for field_id, value in fields.items():
        if field_id in _SET_AT_CREATION:
            continue
        try:
            values[field_id] = validate_value(site, field_id, value, req.version)
        except HttpError as exc:
            errors.update(exc.errors or {field_id: "; ".join(exc.messages)})
    reporter = req.user.account_id if req.user else ""
    if fields.get("reporter") is not None:
        try:
            reporter = user_ref(site, fields["reporter"], "reporter") or reporter
        except HttpError as exc:
            errors.update(exc.errors or {"reporter": "; ".join(exc.messages)})
    if errors:
        raise HttpError(400, errors=errors)
    with site.lock:
        issue = site.create_issue(chosen["project"], chosen["issuetype"], str(summary),
                                  reporter=reporter)
        for field_id, value in values.items():
            store_value(issue, field_id, value)
        site.change(issue, reporter, (), at=issue.created, event="issue_created")
    api = f"{req.base_url}/rest/api/{req.version}"
    return Reply(201, {"id": issue.id, "key": issue.key, "self": f"{api}/issue/{issue.id}"})
