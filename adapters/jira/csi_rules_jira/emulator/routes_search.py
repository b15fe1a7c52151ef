"""Search: enhanced `/search/jql` (token paging, Cloud), offset `/search` (DC; 410 on Cloud)."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any
from zoneinfo import ZoneInfo

from csi_rules_jira.emulator import bodies, jql
from csi_rules_jira.emulator.http import HttpError, Reply, Request
from csi_rules_jira.emulator.model import Issue
from csi_rules_jira.emulator.render import ALL_SYSTEM, NAVIGABLE, View
from csi_rules_jira.emulator.store import Site

REMOVED = ("The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
           "A full migration guideline is available at "
           "https://developer.atlassian.com/changelog/#CHANGE-2046")
UNBOUNDED = ("Unbounded JQL queries are not allowed here. Please add a search restriction to "
             "your query.")
MAX_WITH_FIELDS = 100
MAX_ID_ONLY = 5000
# histories a search embeds per issue with expand=changelog ("a maximum of 40 changelogs", the
# v3 document on bulk fetch; reported the same for search/jql): the rest via /changelog
EMBEDDED_CHANGELOG = 40


class SearchCache:
    """The sorted result of the last query, reused while the site has not changed."""

    def __init__(self) -> None:
        self.key: tuple[str, str, int] | None = None
        self.result: list[Issue] = []


def _params(req: Request, shape: dict[str, Any]) -> dict[str, Any]:
    if req.method == "POST":
        return req.json_object(shape)
    out: dict[str, Any] = {k: req.arg(k) for k in ("jql", "nextPageToken", "expand", "startAt")}
    if req.arg("maxResults") is not None:
        out["maxResults"] = req.int_arg("maxResults", 50)
    if req.arg("fields") is not None:
        out["fields"] = [f for v in req.query["fields"] for f in v.split(",") if f]
    return {k: v for k, v in out.items() if v is not None}


def _field_list(site: Site, requested: list[str] | None, default: list[str]) -> list[str] | None:
    names = requested if requested is not None else default
    if names == ["id"] or not names:
        return None
    out: list[str] = []
    for name in names:
        if name in ("*all", "*navigable"):
            out.extend(ALL_SYSTEM if name == "*all" else NAVIGABLE)
            if name == "*all":
                out.extend(site.fields)
        elif not name.startswith("-") and name not in ("id", "key"):
            out.append(name)
    excluded = {n[1:] for n in names if n.startswith("-")}
    return [n for n in dict.fromkeys(out) if n not in excluded]


def _run(site: Site, req: Request, text: str, cache: SearchCache, *,
         require_bounded: bool) -> list[Issue]:
    zone = ZoneInfo(req.user.time_zone if req.user else "UTC")
    with site.lock:
        key = (text, str(zone), site.version)
        if cache.key == key:
            return cache.result
        try:
            query = jql.parse(text, site.clock(), zone)
        except jql.JqlError as exc:
            raise HttpError(400, str(exc)) from None
        if require_bounded and not query.bounded:
            raise HttpError(400, UNBOUNDED)
        where = query.where
        matched = [i for i in site.issues.values() if where is None or where(i)]
        cache.key, cache.result = key, jql.sort_issues(matched, query.order,
                                                         [p["name"] for p in site.priorities])
        return cache.result


def _token(offset: int, text: str) -> str:
    digest = hashlib.sha256(text.encode()).hexdigest()[:12]
    raw = json.dumps({"o": offset, "q": digest}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _offset(token: str, text: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data["q"] != hashlib.sha256(text.encode()).hexdigest()[:12]:
            raise ValueError
        return int(data["o"])
    except (ValueError, KeyError, TypeError):
        raise HttpError(400, "The provided next page token is invalid or expired.") from None


def enhanced(site: Site, req: Request, cache: SearchCache) -> Reply:
    """GET|POST /rest/api/{2,3}/search/jql: no total, `nextPageToken` until `isLast`."""
    if not site.is_cloud:
        raise HttpError(404, "null for uri: /rest/api/2/search/jql")
    p = _params(req, bodies.SEARCH_JQL)
    text = str(p.get("jql") or "")
    issues = _run(site, req, text, cache, require_bounded=True)
    fields = _field_list(site, p.get("fields"), ["id"])
    cap = MAX_WITH_FIELDS if fields else MAX_ID_ONLY
    limit = max(1, min(int(p.get("maxResults") or 50), cap))
    start = _offset(str(p["nextPageToken"]), text) if p.get("nextPageToken") else 0
    page = issues[start:start + limit]
    view = View(site, req.base_url, req.version, req.user)
    expand = str(p.get("expand") or "")
    out: dict[str, Any] = _hoisted({"issues": [view.issue(i, fields, expand, EMBEDDED_CHANGELOG)
                                               if fields else {"id": i.id} for i in page]})
    if start + limit < len(issues):
        out["nextPageToken"] = _token(start + limit, text)
        out["isLast"] = False
    else:
        out["isLast"] = True
    return Reply(200, out)


def legacy(site: Site, req: Request, cache: SearchCache) -> Reply:
    """GET|POST /rest/api/{2,3}/search: removed on Cloud (410), offset paging on DC."""
    if site.is_cloud:
        raise HttpError(410, REMOVED)
    p = _params(req, bodies.SEARCH_LEGACY)
    text = str(p.get("jql") or "")
    issues = _run(site, req, text, cache, require_bounded=False)
    fields = _field_list(site, p.get("fields"), ["*navigable"])
    start = int(p.get("startAt") or 0)
    limit = max(0, min(int(p.get("maxResults") or 50), 1000))
    view = View(site, req.base_url, req.version, req.user)
    expand = p.get("expand") or ""
    expand = ",".join(expand) if isinstance(expand, list) else str(expand)
    return Reply(200, _hoisted({"expand": "schema,names", "startAt": start, "maxResults": limit,
                                "total": len(issues),
                                "issues": [view.issue(i, fields or [], expand)
                                           for i in issues[start:start + limit]]}))


def _hoisted(results: dict[str, Any]) -> dict[str, Any]:
    """`expand=names,schema` on a search: one `names`/`schema` map beside `issues` (as the
    SearchResults beans hold them), not a copy inside every issue."""
    for part in ("names", "schema"):
        merged: dict[str, Any] = {}
        for issue in results["issues"]:
            merged.update(issue.pop(part, None) or {})
        if merged:
            results[part] = merged
    return results


def approximate_count(site: Site, req: Request, cache: SearchCache) -> Reply:
    body = req.json_object(bodies.JQL_COUNT)
    issues = _run(site, req, str(body.get("jql") or ""), cache, require_bounded=True)
    return Reply(200, {"count": len(issues)})
