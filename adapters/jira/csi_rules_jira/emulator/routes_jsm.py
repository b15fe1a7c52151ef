"""Jira Service Management (`/rest/servicedeskapi`): requests, SLAs, approvals, request types."""

from __future__ import annotations

from typing import Any

from csi_rules_jira.emulator import bodies
from csi_rules_jira.emulator.http import HttpError, Reply, Request
from csi_rules_jira.emulator.model import Approval, Issue
from csi_rules_jira.emulator.render import View
from csi_rules_jira.emulator.sla import date, sla_info
from csi_rules_jira.emulator.store import Site

BASE = "/rest/servicedeskapi"


def _request(site: Site, key: str) -> Issue:
    issue = site.issue(key)
    if issue is None or not issue.project.service_desk_id:
        raise HttpError(404, "The request could not be found.")
    return issue


def _page(req: Request, values: list[Any], path: str) -> dict[str, Any]:
    start, limit = req.int_arg("start", 0), max(1, min(req.int_arg("limit", 50), 100))
    chosen = values[start:start + limit]
    last = start + limit >= len(values)
    links: dict[str, Any] = {"base": f"{req.base_url}{BASE}", "context": "",
                             "self": f"{req.base_url}{path}?start={start}&limit={limit}"}
    if not last:
        links["next"] = f"{req.base_url}{path}?start={start + limit}&limit={limit}"
    if start > 0:
        links["prev"] = f"{req.base_url}{path}?start={max(0, start - limit)}&limit={limit}"
    return {"_expands": [], "size": len(chosen), "start": start, "limit": limit,
            "isLastPage": last, "values": chosen, "_links": links}


def _user_dto(view: View, account_id: str) -> dict[str, Any]:
    user = view.site.users[account_id]
    out: dict[str, Any] = {"displayName": user.display_name, "active": True,
                           "timeZone": user.time_zone, "emailAddress": user.email,
                           "_links": {"self": f"{view.api}/user?accountId={account_id}"}}
    if view.site.is_cloud:
        out["accountId"] = account_id
    else:
        out.update(name=user.name, key=user.name)
    return out


def get_request(site: Site, req: Request, key: str) -> Reply:
    with site.lock:
        issue = _request(site, key)
        view = View(site, req.base_url, 2, req.user)
        category = issue.project.workflow.statuses[issue.status]["category"].upper()
        last_status = next((e["created"] for e in reversed(issue.changelog)
                            if any(i.get("fieldId") == "status" for i in e["items"])),
                           issue.created)
        out: dict[str, Any] = {
            "issueId": issue.id, "issueKey": issue.key, "requestTypeId": issue.request_type,
            "serviceDeskId": issue.project.service_desk_id,
            "createdDate": date(view, issue.created),
            "currentStatus": {"status": issue.status, "statusCategory": category,
                              "statusDate": date(view, last_status)},
            "requestFieldValues": [{"fieldId": "summary", "label": "Summary",
                                    "value": issue.summary}],
            "_links": {"self": f"{req.base_url}{BASE}/request/{issue.id}",
                       "web": f"{req.base_url}/servicedesk/customer/portal/1/{issue.key}"},
        }
        if issue.reporter:
            out["reporter"] = _user_dto(view, issue.reporter)
        return Reply(200, out)


def get_slas(site: Site, req: Request, key: str, metric: str | None = None) -> Reply:
    with site.lock:
        issue = _request(site, key)
        view = View(site, req.base_url, 2, req.user)
        base = f"{req.base_url}{BASE}/request/{issue.id}"
        now = site.clock()
        slas = [sla_info(issue, s, now, view, base) for s in issue.project.slas]
    if metric is not None:
        match = next((s for s in slas if s["id"] == metric), None)
        if match is None:
            raise HttpError(404, f"The SLA metric {metric} could not be found.")
        return Reply(200, match)
    return Reply(200, _page(req, slas, f"{BASE}/request/{key}/sla"))


def _approval_json(view: View, issue: Issue, a: Approval) -> dict[str, Any]:
    viewer = view.viewer.account_id if view.viewer else ""
    out: dict[str, Any] = {
        "id": a.id, "name": a.name, "finalDecision": a.final,
        "canAnswerApproval": a.final == "pending" and viewer in a.approvers,
        "approvers": [{"approver": _user_dto(view, who), "approverDecision": decision}
                      for who, decision in a.approvers.items() if who in view.site.users],
        "createdDate": date(view, a.created),
        "_links": {"self": f"{view.base}{BASE}/request/{issue.id}/approval/{a.id}"},
    }
    if a.completed:
        out["completedDate"] = date(view, a.completed)
    return out


def get_approvals(site: Site, req: Request, key: str, approval_id: str | None = None) -> Reply:
    with site.lock:
        issue = _request(site, key)
        view = View(site, req.base_url, 2, req.user)
        values = [_approval_json(view, issue, a) for a in issue.approvals]
    if approval_id is not None:
        match = next((a for a in values if a["id"] == approval_id), None)
        if match is None:
            raise HttpError(404, f"The approval {approval_id} could not be found.")
        return Reply(200, match)
    return Reply(200, _page(req, values, f"{BASE}/request/{key}/approval"))


def answer_approval(site: Site, req: Request, key: str, approval_id: str) -> Reply:
    body = req.json_object(bodies.APPROVAL_ANSWER)
    decision = {"approve": "approved", "decline": "declined"}.get(str(body.get("decision")))
    if decision is None:
        raise HttpError(400, "The decision must be 'approve' or 'decline'.")
    with site.lock:
        issue = _request(site, key)
        approval = next((a for a in issue.approvals if a.id == approval_id), None)
        if approval is None:
            raise HttpError(404, f"The approval {approval_id} could not be found.")
        who = req.user.account_id if req.user else ""
        if approval.final != "pending":
            raise HttpError(409, "This approval has already been decided.")
        if who not in approval.approvers:
            raise HttpError(403, "You are not an approver of this request.")
        site.answer_approval(issue, approval, who, decision)
        view = View(site, req.base_url, 2, req.user)
        return Reply(200, _approval_json(view, issue, approval))


def request_types(site: Site, req: Request, desk: str) -> Reply:
    project = next((p for p in site.projects.values() if p.service_desk_id == desk), None)
    if project is None:
        raise HttpError(404, f"The service desk {desk} could not be found.")
    values = []
    for rt in project.request_types:
        issue_type = next((t for t in site.issue_types if t["name"] == rt["issueType"]),
                          {"id": "0"})
        values.append({"id": rt["id"], "name": rt["name"], "helpText": "",
                       "issueTypeId": issue_type["id"], "serviceDeskId": desk, "portalId": desk,
                       "groupIds": [], "practice": rt.get("practice", ""),
                       "_links": {"self": f"{req.base_url}{BASE}/servicedesk/{desk}/requesttype/"
                                          f"{rt['id']}"}})
    return Reply(200, _page(req, values, f"{BASE}/servicedesk/{desk}/requesttype"))


def add_request_comment(site: Site, req: Request, key: str) -> Reply:
    body = req.json_object(bodies.REQUEST_COMMENT)
    if body.get("body") is None:
        raise HttpError(400, "The comment body is required.")
    issue = _request(site, key)
    public = bool(body.get("public", True))
    who = req.user.account_id if req.user else ""
    comment = site.add_comment(issue, who, str(body["body"]),
                               properties={"sd.public.comment": {"internal": not public}})
    view = View(site, req.base_url, 2, req.user)
    return Reply(201, _comment_dto(view, issue, comment))


def _customer_transitions(issue: Issue) -> list[dict[str, Any]]:
    """Workflow transitions open to customers from the issue's status: those the seed gives a
    customer-facing name (`"customer"`), as a request type's customer transitions are set up."""
    return [{"id": t["id"], "name": t["customer"]}
            for t in issue.project.workflow.available(issue.status) if t.get("customer")]


def customer_transitions(site: Site, req: Request, key: str) -> Reply:
    with site.lock:
        values = _customer_transitions(_request(site, key))
    return Reply(200, _page(req, values, f"{BASE}/request/{key}/transition"))


def perform_customer_transition(site: Site, req: Request, key: str) -> Reply:
    """POST /request/{key}/transition: moves the request, adding `additionalComment` as a
    public comment by the caller; 204 with no body, as the document declares."""
    body = req.json_object(bodies.CUSTOMER_TRANSITION)
    wanted = str(body.get("id") or "")
    comment = (body.get("additionalComment") or {}).get("body")
    who = req.user.account_id if req.user else ""
    with site.lock:
        issue = _request(site, key)
        match = next((t for t in _customer_transitions(issue) if t["id"] == wanted), None)
        if match is None:
            raise HttpError(400, f"The transition {wanted or '(none)'} is not valid for this "
                                 "request.")
        target = next(t["to"] for t in issue.project.workflow.available(issue.status)
                      if t["id"] == wanted)
        if comment not in (None, ""):
            site.add_comment(issue, who, str(comment),
                             properties={"sd.public.comment": {"internal": False}})
        site.set_status(issue, target, who)
    return Reply(204)


def _desk_json(req: Request, project: Any) -> dict[str, Any]:
    desk = project.service_desk_id
    return {"id": desk, "projectId": project.id, "projectKey": project.key,
            "projectName": project.name,
            "_links": {"self": f"{req.base_url}{BASE}/servicedesk/{desk}"}}


def service_desks(site: Site, req: Request) -> Reply:
    """GET /servicedesk: every project that is a service desk, paged like every JSM list."""
    values = [_desk_json(req, p) for p in site.projects.values() if p.service_desk_id]
    return Reply(200, _page(req, values, f"{BASE}/servicedesk"))


def service_desk(site: Site, req: Request, desk: str) -> Reply:
    project = next((p for p in site.projects.values()
                    if desk in (p.service_desk_id, p.key) and p.service_desk_id), None)
    if project is None:
        raise HttpError(404, f"The service desk {desk} could not be found.")
    return Reply(200, _desk_json(req, project))


def request_type(site: Site, req: Request, desk: str, type_id: str) -> Reply:
    page = request_types(site, req, desk).body
    match = next((v for v in page["values"] if v["id"] == type_id), None)
    if match is None:
        raise HttpError(404, f"The request type {type_id} could not be found.")
    return Reply(200, match)


def _comment_dto(view: View, issue: Issue, comment: Any) -> dict[str, Any]:
    internal = (comment.properties.get("sd.public.comment") or {}).get("internal", False)
    return {"id": comment.id, "body": comment.body, "public": not internal,
            "author": _user_dto(view, comment.author), "created": date(view, comment.created),
            "_links": {"self": f"{view.base}{BASE}/request/{issue.id}/comment/{comment.id}"}}


def request_comments(site: Site, req: Request, key: str, comment_id: str | None = None) -> Reply:
    with site.lock:
        issue = _request(site, key)
        view = View(site, req.base_url, 2, req.user)
        values = [_comment_dto(view, issue, c) for c in issue.comments
                  if c.author in site.users]
    if comment_id is not None:
        match = next((c for c in values if c["id"] == comment_id), None)
        if match is None:
            raise HttpError(404, f"The comment {comment_id} could not be found.")
        return Reply(200, match)
    return Reply(200, _page(req, values, f"{BASE}/request/{key}/comment"))
