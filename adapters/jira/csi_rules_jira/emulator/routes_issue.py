"""Issue endpoints: get/edit, changelog, transitions, assignee, comments, properties, links."""

from __future__ import annotations

from typing import Any

from csi_rules_jira.emulator import bodies
from csi_rules_jira.emulator.edit import apply_edit, rich_text
from csi_rules_jira.emulator.http import HttpError, Reply, Request
from csi_rules_jira.emulator.model import Issue
from csi_rules_jira.emulator.render import ALL_SYSTEM, NAVIGABLE, View
from csi_rules_jira.emulator.richtext import to_wiki
from csi_rules_jira.emulator.store import Site

NO_ISSUE = "Issue does not exist or you do not have permission to see it."


def find(site: Site, key: str) -> Issue:
    issue = site.issue(key)
    if issue is None:
        raise HttpError(404, NO_ISSUE)
    return issue


def _by(req: Request) -> str:
    return req.user.account_id if req.user else ""


def _fields(site: Site, req: Request) -> list[str]:
    raw = [f for v in req.query.get("fields", ["*all"]) for f in v.split(",") if f]
    out: list[str] = []
    for name in raw:
        if name in ("*all", "*navigable"):
            out.extend(ALL_SYSTEM if name == "*all" else NAVIGABLE)
            if name == "*all":
                out.extend(site.fields)
        elif not name.startswith("-"):
            out.append(name)
    return list(dict.fromkeys(out))


def get_issue(site: Site, req: Request, key: str) -> Reply:
    with site.lock:
        issue = find(site, key)
        view = View(site, req.base_url, req.version, req.user)
        return Reply(200, view.issue(issue, _fields(site, req), req.arg("expand") or ""))


def edit_issue(site: Site, req: Request, key: str) -> Reply:
    body = req.json_object(bodies.ISSUE_UPDATE)
    issue = find(site, key)
    apply_edit(site, issue, body, req.version, _by(req))
    if req.arg("returnIssue") == "true":
        return get_issue(site, req, key)
    return Reply(204)


def changelog(site: Site, req: Request, key: str) -> Reply:
    with site.lock:
        issue = find(site, key)
        view = View(site, req.base_url, req.version, req.user)
        start, limit = req.int_arg("startAt", 0), min(req.int_arg("maxResults", 100), 100)
        values = [view.history(h) for h in issue.changelog[start:start + limit]]
        total = len(issue.changelog)
        page = f"{view.api}/issue/{issue.key}/changelog"
        out: dict[str, Any] = {"self": f"{page}?startAt={start}&maxResults={limit}",
                               "maxResults": limit, "startAt": start, "total": total,
                               "isLast": start + limit >= total, "values": values}
        if not out["isLast"]:
            out["nextPage"] = f"{page}?startAt={start + limit}&maxResults={limit}"
        return Reply(200, out)


def _transition_json(view: View, issue: Issue, t: dict[str, Any]) -> dict[str, Any]:
    return {"id": t["id"], "name": t["name"], "to": view.status(issue, t["to"]),
            "hasScreen": False, "isGlobal": t.get("from") == "*", "isInitial": False,
            "isAvailable": True, "isConditional": False, "isLooped": False}


def get_transitions(site: Site, req: Request, key: str) -> Reply:
    with site.lock:
        issue = find(site, key)
        view = View(site, req.base_url, req.version, req.user)
        return Reply(200, {"expand": "transitions", "transitions": [
            _transition_json(view, issue, t)
            for t in issue.project.workflow.available(issue.status)]})


def do_transition(site: Site, req: Request, key: str) -> Reply:
    body = req.json_object(bodies.ISSUE_UPDATE)
    issue = find(site, key)
    wanted = str((body.get("transition") or {}).get("id", ""))
    with site.lock:
        match = next((t for t in issue.project.workflow.available(issue.status)
                      if t["id"] == wanted), None)
        if match is None:
            raise HttpError(400, f"Transition id '{wanted}' is not valid for this issue.")
        extra = {k: v for k, v in body.items() if k in ("fields", "update")}
        chosen = (extra.get("fields") or {}).pop("resolution", None) or {}
        if not isinstance(chosen, dict):
            raise HttpError(400, errors={"resolution": "Specify the Resolution (id or name)."})
        resolution = chosen.get("name")
        if extra.get("fields") or extra.get("update"):
            apply_edit(site, issue, extra, req.version, _by(req))
        site.set_status(issue, match["to"], _by(req))
        if resolution and issue.resolution:
            issue.resolution = str(resolution)
    return Reply(204)


def assign(site: Site, req: Request, key: str) -> Reply:
    body = req.json_object(bodies.ASSIGNEE)
    issue = find(site, key)
    apply_edit(site, issue, {"fields": {"assignee": body}}, req.version, _by(req))
    return Reply(204)


def get_comments(site: Site, req: Request, key: str) -> Reply:
    with site.lock:
        issue = find(site, key)
        view = View(site, req.base_url, req.version, req.user)
        start, limit = req.int_arg("startAt", 0), min(req.int_arg("maxResults", 50), 100)
        props = "properties" in (req.arg("expand") or "")
        chosen = issue.comments[start:start + limit]
        return Reply(200, {"startAt": start, "maxResults": limit, "total": len(issue.comments),
                           "comments": [view.comment(issue, c, props) for c in chosen]})


def add_comment(site: Site, req: Request, key: str) -> Reply:
    body = req.json_object(bodies.COMMENT)
    issue = find(site, key)
    if body.get("body") is None:
        raise HttpError(400, errors={"comment": "Comment body can not be empty!"})
    text = rich_text(body["body"], req.version, "comment")
    props = {p["key"]: p.get("value") for p in body.get("properties") or ()}
    comment = site.add_comment(issue, _by(req), text, properties=props,
                               visibility=body.get("visibility"))
    if req.version == 3:
        comment.adf = dict(body["body"])
        comment.body = to_wiki(comment.adf)
    view = View(site, req.base_url, req.version, req.user)
    return Reply(201, view.comment(issue, comment, False))


def get_property(site: Site, req: Request, key: str, prop: str) -> Reply:
    issue = find(site, key)
    if prop not in issue.properties:
        raise HttpError(404, f"The property with key '{prop}' does not exist.")
    return Reply(200, {"key": prop, "value": issue.properties[prop]})


def put_property(site: Site, req: Request, key: str, prop: str) -> Reply:
    issue = find(site, key)
    value = req.json()
    with site.lock:
        created = prop not in issue.properties
        issue.properties[prop] = value
    return Reply(201 if created else 200)


def add_link(site: Site, req: Request) -> Reply:
    body = req.json_object(bodies.ISSUE_LINK)
    ltype = body.get("type") or {}
    match = next((t for t in site.link_types
                  if ltype.get("name") == t["name"] or str(ltype.get("id")) == t["id"]), None)
    if match is None:
        raise HttpError(404, f"No issue link type with name '{ltype.get('name')}' found.")
    ends = []
    for side in ("inwardIssue", "outwardIssue"):
        ref = body.get(side) or {}
        ends.append(find(site, str(ref.get("key") or ref.get("id") or "")))
    site.add_link(match["name"], ends[0], ends[1], _by(req))
    if body.get("comment"):
        site.add_comment(ends[0], _by(req), rich_text(body["comment"].get("body"), req.version,
                                                      "comment"))
    return Reply(201)

