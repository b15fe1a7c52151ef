"""Lookups behind every `self` link the emulator writes: users, projects, statuses, priorities,
issue types, components, links and comments; plus user search (pycontribs `assign_issue`)."""

from __future__ import annotations

import zlib
from typing import Any

from csi_rules_jira.emulator.http import HttpError, Reply, Request
from csi_rules_jira.emulator.model import Project, User
from csi_rules_jira.emulator.render import View
from csi_rules_jira.emulator.routes_issue import find
from csi_rules_jira.emulator.store import Site


def _view(site: Site, req: Request) -> View:
    return View(site, req.base_url, req.version, req.user)


def _user_json(view: View, user: User) -> dict[str, Any]:
    out = dict(view.user(user.account_id) or {})
    if view.site.is_cloud:
        out["avatarUrls"] = {"48x48": f"{view.base}/avatar/{user.account_id}.png"}
    return out


def get_user(site: Site, req: Request) -> Reply:
    """GET /user?accountId= (Cloud) or ?username= / ?key= (Data Center)."""
    ref = req.arg("accountId") if site.is_cloud else (req.arg("username") or req.arg("key"))
    if not ref:
        wanted = "accountId" if site.is_cloud else "username"
        raise HttpError(400, f"The '{wanted}' query parameter needs to be provided.")
    user = site.users.get(ref) if site.is_cloud else site.user(ref)
    if user is None:
        raise HttpError(404, "Specified user does not exist or you do not have required "
                             "permissions.")
    return Reply(200, _user_json(_view(site, req), user))


def search_users(site: Site, req: Request) -> Reply:
    """GET /user/search: Cloud matches `query` (name or email prefix) or `accountId`; DC `username`."""
    if site.is_cloud:
        query, account = req.arg("query"), req.arg("accountId")
        if not query and not account:
            raise HttpError(400, "One of 'accountId' or 'query' or 'property' must be specified.")
        found = [u for u in site.users.values()
                 if (account and u.account_id == account) or (query and _matches(u, query))]
    else:
        username = req.arg("username")
        if not username:
            raise HttpError(400, "The username query parameter was not provided")
        found = [u for u in site.users.values() if _matches(u, username)]
    start, limit = req.int_arg("startAt", 0), max(0, min(req.int_arg("maxResults", 50), 1000))
    view = _view(site, req)
    return Reply(200, [_user_json(view, u) for u in found[start:start + limit]])


def _matches(user: User, text: str) -> bool:
    text = text.casefold()
    words = [user.name, user.email, user.account_id, *user.display_name.split()]
    return text == "." or any(w.casefold().startswith(text) for w in words if w)


def project_json(view: View, project: Project) -> dict[str, Any]:
    site = view.site
    lead = next((u for u in site.users.values()), None)
    names = {r["issueType"] for r in project.request_types} or {t["name"] for t in site.issue_types}
    types = [{"self": f"{view.api}/issuetype/{t['id']}", "id": t["id"], "name": t["name"],
              "description": "", "subtask": False} for t in site.issue_types if t["name"] in names]
    return {"self": f"{view.api}/project/{project.id}", "id": project.id, "key": project.key,
            "name": project.name, "description": "", "lead": view.user(lead.account_id) if lead
            else None, "components": [], "issueTypes": types, "versions": [],
            "projectTypeKey": "service_desk" if project.service_desk_id else "software",
            "simplified": False, "style": "classic", "isPrivate": False, "properties": {},
            "assigneeType": "UNASSIGNED",
            "avatarUrls": {"48x48": f"{view.base}/avatar/project/{project.id}.png"}}


def get_project(site: Site, req: Request, ref: str) -> Reply:
    project = next((p for p in site.projects.values() if ref in (p.key, p.id)), None)
    if project is None:
        raise HttpError(404, f"No project could be found with key '{ref}'.")
    return Reply(200, project_json(_view(site, req), project))


def list_projects(site: Site, req: Request) -> Reply:
    view = _view(site, req)
    return Reply(200, [project_json(view, p) for p in site.projects.values()])


def get_priority(site: Site, req: Request, ref: str) -> Reply:
    prio = site.priority(ref)
    if prio is None:
        raise HttpError(404, f"The priority with id '{ref}' does not exist.")
    return Reply(200, _priority(_view(site, req), prio))


def list_priorities(site: Site, req: Request) -> Reply:
    view = _view(site, req)
    return Reply(200, [_priority(view, p) for p in site.priorities])


def _priority(view: View, prio: dict[str, str]) -> dict[str, Any]:
    return {"self": f"{view.api}/priority/{prio['id']}", "id": prio["id"], "name": prio["name"],
            "description": prio["name"], "statusColor": "#cccccc",
            "iconUrl": f"{view.base}/images/icons/priorities/{prio['name'].lower()}.svg"}


def get_status(site: Site, req: Request, ref: str) -> Reply:
    view = _view(site, req)
    for project in site.projects.values():
        for status in project.workflow.statuses.values():
            if ref in (status["id"], status["name"]):
                out = {k: v for k, v in _status_of(view, project, status["name"]).items()}
                return Reply(200, out)
    raise HttpError(404, f"The status with id '{ref}' does not exist.")


def _status_of(view: View, project: Project, name: str) -> dict[str, Any]:
    issue = next((i for i in view.site.issues.values() if i.project is project), None)
    if issue is not None:
        return view.status(issue, name)
    status = project.workflow.statuses[name]
    return {"self": f"{view.api}/status/{status['id']}", "id": status["id"], "name": name}


def get_status_category(site: Site, req: Request, ref: str) -> Reply:
    view = _view(site, req)
    for key, cat in site.categories.items():
        if ref in (str(cat["id"]), key):
            return Reply(200, {"self": f"{view.api}/statuscategory/{cat['id']}", "id": cat["id"],
                               "key": key, "colorName": cat["colorName"], "name": cat["name"]})
    raise HttpError(404, f"The status category with id '{ref}' does not exist.")


def get_issue_type(site: Site, req: Request, ref: str) -> Reply:
    kind = next((t for t in site.issue_types if ref in (t["id"], t["name"])), None)
    if kind is None:
        raise HttpError(404, f"The issue type with id '{ref}' does not exist.")
    view = _view(site, req)
    return Reply(200, {"self": f"{view.api}/issuetype/{kind['id']}", "id": kind["id"],
                       "name": kind["name"], "description": "", "subtask": False})


def get_component(site: Site, req: Request, ref: str) -> Reply:
    view = _view(site, req)
    for issue in site.issues.values():
        for name in issue.components:
            if str(zlib.crc32(name.encode()) % 100000) == ref:
                return Reply(200, {"self": f"{view.api}/component/{ref}", "id": ref,
                                   "name": name, "project": issue.project.key,
                                   "projectId": int(issue.project.id)})
    raise HttpError(404, f"The component with id {ref} does not exist.")


def get_link_type(site: Site, req: Request, ref: str) -> Reply:
    lt = next((t for t in site.link_types if t["id"] == ref), None)
    if lt is None:
        raise HttpError(404, f"No issue link type with id '{ref}' exists.")
    return Reply(200, {**lt, "self": f"{_view(site, req).api}/issueLinkType/{lt['id']}"})


def get_link(site: Site, req: Request, ref: str) -> Reply:
    link = next((k for k in site.links if k["id"] == ref), None)
    if link is None:
        raise HttpError(404, f"No issue link with id '{ref}' exists.")
    view = _view(site, req)
    lt = next(t for t in site.link_types if t["name"] == link["type"])
    ends = {side: site.issues[link[end]] for side, end in
            (("inwardIssue", "inward"), ("outwardIssue", "outward"))}
    return Reply(200, {"id": link["id"], "self": f"{view.api}/issueLink/{link['id']}",
                       "type": {**lt, "self": f"{view.api}/issueLinkType/{lt['id']}"},
                       **{side: {"id": i.id, "key": i.key, "self": f"{view.api}/issue/{i.id}",
                                 "fields": {"status": view.status(i)}}
                          for side, i in ends.items()}})


def get_comment(site: Site, req: Request, key: str, comment_id: str) -> Reply:
    with site.lock:
        issue = find(site, key)
        comment = next((c for c in issue.comments if c.id == comment_id), None)
        if comment is None:
            raise HttpError(404, "Can not find a comment for the id: " + comment_id)
        props = "properties" in (req.arg("expand") or "")
        return Reply(200, _view(site, req).comment(issue, comment, props))
