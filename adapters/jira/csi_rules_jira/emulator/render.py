"""Issue, user, status, comment and changelog JSON as Jira REST v2/v3 writes them.

Differences that matter to clients: v3 rich text is ADF, v2 is a plain string; Cloud users
carry `accountId`, Data Center users `name`/`key`; timestamps are `yyyy-MM-ddTHH:mm:ss.SSS+hhmm`
in the viewer's time zone. Null-valued changelog `from`/`to` are left out (the schema types
them as non-nullable strings).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from csi_rules_jira.adf import text_to_adf
from csi_rules_jira.emulator.model import Comment, Issue, User
from csi_rules_jira.emulator.richtext import to_html
from csi_rules_jira.emulator.store import Site

NAVIGABLE = ("summary", "description", "status", "priority", "issuetype", "project", "components",
             "labels", "assignee", "reporter", "creator", "created", "updated", "resolutiondate",
             "resolution", "issuelinks")
ALL_SYSTEM = (*NAVIGABLE, "comment")  # `*all` adds the fields search does not show by default


class View:
    """Who is asking and through which API: decides formats and time zone."""

    def __init__(self, site: Site, base_url: str, version: int, viewer: User | None):
        self.site = site
        self.base = base_url
        self.version = version
        self.viewer = viewer
        self.zone = ZoneInfo(viewer.time_zone if viewer else "UTC")

    @property
    def api(self) -> str:
        return f"{self.base}/rest/api/{self.version}"

    def time(self, when: datetime | None) -> str | None:
        if when is None:
            return None
        local = when.astimezone(self.zone)
        return local.strftime("%Y-%m-%dT%H:%M:%S.") + f"{local.microsecond // 1000:03d}" + \
            local.strftime("%z")

    def text(self, body: str) -> Any:
        return text_to_adf(body) if self.version == 3 else body

    def user(self, account_id: str | None) -> dict[str, Any] | None:
        user = self.site.users.get(account_id or "")
        if user is None:
            return None
        out: dict[str, Any] = {"displayName": user.display_name, "active": True,
                               "timeZone": user.time_zone}
        if self.site.is_cloud:
            out.update(accountId=user.account_id, accountType="atlassian",
                       self=f"{self.api}/user?accountId={user.account_id}")
        else:
            out.update(name=user.name, key=user.name, emailAddress=user.email,
                       self=f"{self.api}/user?username={user.name}")
        return out

    def status(self, issue: Issue, name: str | None = None) -> dict[str, Any]:
        status = self.site.status(issue.project, name or issue.status)
        cat = self.site.categories[status["category"]]
        return {"self": f"{self.api}/status/{status['id']}", "id": status["id"],
                "name": status["name"], "description": "",
                "iconUrl": f"{self.base}/images/icons/statuses/generic.png",
                "statusCategory": {"self": f"{self.api}/statuscategory/{cat['id']}",
                                   "id": cat["id"], "key": status["category"],
                                   "colorName": cat["colorName"], "name": cat["name"]}}

    def issue_fields(self, issue: Issue, wanted: Iterable[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in wanted:
            if name in out:
                continue
            value = self._field(issue, name)
            if value is not _ABSENT:
                out[name] = value
        return out

    def _field(self, issue: Issue, name: str) -> Any:
        site = self.site
        if name == "summary":
            return issue.summary
        if name == "description":
            return self.text(issue.description) if issue.description else None
        if name == "status":
            return self.status(issue)
        if name == "priority":
            p = site.priority(issue.priority) or {"id": "3", "name": issue.priority}
            return {"self": f"{self.api}/priority/{p['id']}", "id": p["id"], "name": p["name"],
                    "iconUrl": f"{self.base}/images/icons/priorities/{p['name'].lower()}.svg"}
        if name == "issuetype":
            t = next((t for t in site.issue_types if t["name"] == issue.issue_type),
                     {"id": "0", "name": issue.issue_type})
            return {"self": f"{self.api}/issuetype/{t['id']}", "id": t["id"], "name": t["name"],
                    "subtask": False, "description": ""}
        if name == "project":
            project = issue.project
            return {"self": f"{self.api}/project/{project.id}", "id": project.id,
                    "key": project.key, "name": project.name,
                    "projectTypeKey": "service_desk" if project.service_desk_id else "software"}
        if name == "components":
            ids = [str(zlib.crc32(c.encode()) % 100000) for c in issue.components]
            return [{"self": f"{self.api}/component/{i}", "id": i, "name": c}
                    for i, c in zip(ids, issue.components, strict=True)]
        if name == "labels":
            return list(issue.labels)
        if name in ("assignee", "reporter", "creator"):
            return self.user(issue.assignee if name == "assignee" else issue.reporter)
        if name in ("created", "updated", "resolutiondate"):
            return self.time({"created": issue.created, "updated": issue.updated,
                              "resolutiondate": issue.resolved}[name])
        if name == "resolution":
            return {"id": "10000", "name": issue.resolution} if issue.resolution else None
        if name == "issuelinks":
            return self.links(issue)
        if name == "comment":
            return {"comments": [self.comment(issue, c, False) for c in issue.comments],
                    "self": f"{self.api}/issue/{issue.id}/comment", "maxResults":
                    len(issue.comments), "total": len(issue.comments), "startAt": 0}
        if name in site.fields:
            return self.custom(issue, name)
        return _ABSENT

    def custom(self, issue: Issue, field_id: str) -> Any:
        value = issue.custom.get(field_id)
        schema = self.site.fields[field_id].get("schema", {})
        kind = schema.get("type")
        if field_id == "customfield_10010" or kind == "sd-customerrequesttype":
            rt = next((r for r in issue.project.request_types if r["id"] == issue.request_type),
                      None)
            if rt is None:
                return None
            return {"requestType": {"id": rt["id"], "name": rt["name"],
                                    "serviceDeskId": issue.project.service_desk_id},
                    "currentStatus": {"status": issue.status}}
        if value is None:
            return None
        if kind == "option":
            return {"value": value, "id": str(zlib.crc32(value.encode()) % 100000)}
        if kind == "group":
            return {"name": value}
        if kind == "user":
            return self.user(value)
        if kind == "datetime":
            return self.time(datetime.fromisoformat(value))
        if kind == "string" and schema.get("custom", "").endswith("textarea"):
            return self.text(value)
        return value

    def links(self, issue: Issue) -> list[dict[str, Any]]:
        out = []
        for link in self.site.links_of(issue):
            lt = next(t for t in self.site.link_types if t["name"] == link["type"])
            ltype = {"id": lt["id"], "name": lt["name"], "inward": lt["inward"],
                     "outward": lt["outward"], "self": f"{self.api}/issueLinkType/{lt['id']}"}
            side, other_key = ("outwardIssue", link["outward"]) if link["inward"] == issue.key \
                else ("inwardIssue", link["inward"])
            other = self.site.issues[other_key]
            out.append({"id": link["id"], "self": f"{self.api}/issueLink/{link['id']}",
                        "type": ltype, side: {"id": other.id, "key": other.key,
                                              "self": f"{self.api}/issue/{other.id}",
                                              "fields": {"status": self.status(other)}}})
        return out

    def issue(self, issue: Issue, fields: Iterable[str] | None, expand: str = "",
              changelog_limit: int | None = None) -> dict[str, Any]:
        """`changelog_limit`: embed only that many of the most recent histories, `total` still
        counting all of them (search/jql and bulk fetch return at most 40; the rest is paged
        from /issue/{key}/changelog)."""
        out: dict[str, Any] = {"expand": "renderedFields,names,schema,changelog",
                               "id": issue.id, "self": f"{self.api}/issue/{issue.id}",
                               "key": issue.key}
        wanted = {e.strip() for e in expand.split(",")}
        if fields is not None:
            out["fields"] = self.issue_fields(issue, fields)
            if "renderedFields" in wanted:
                out["renderedFields"] = self.rendered(issue, out["fields"])
            if "names" in wanted:
                out["names"] = {f: self.field_name(f) for f in out["fields"]}
            if "schema" in wanted:
                out["schema"] = {f: self.field_schema(f) for f in out["fields"]}
        if "changelog" in expand:
            kept = issue.changelog
            if changelog_limit is not None and len(kept) > changelog_limit:
                kept = kept[-changelog_limit:]
            histories = [self.history(h) for h in kept]
            out["changelog"] = {"startAt": 0, "maxResults": len(histories),
                                "total": len(issue.changelog), "histories": histories}
        return out

    def rendered_time(self, when: datetime | None) -> str | None:
        """A date-time as `renderedFields` shows it: Jira's default complete date/time format
        `dd/MMM/yy h:mm a` in the viewer's zone ("14/May/18 11:54 PM" in the real payloads)."""
        if when is None:
            return None
        local = when.astimezone(self.zone)
        return f"{local:%d/%b/%y} {local.hour % 12 or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"

    def rendered(self, issue: Issue, fields: dict[str, Any]) -> dict[str, Any]:
        """`renderedFields`: HTML for rich text, display strings for times, null elsewhere."""
        out: dict[str, Any] = {}
        for name in fields:
            if name == "description":
                out[name] = to_html(issue.description) if issue.description else None
            elif name in ("created", "updated", "resolutiondate"):
                out[name] = self.rendered_time({"created": issue.created, "updated": issue.updated,
                                                "resolutiondate": issue.resolved}[name])
            else:
                out[name] = None
        if "comment" in fields:          # only the fields asked for, as Jira renders them
            out["comment"] = {"comments": [
                {**self.comment(issue, c, False), "body": to_html(c.adf or c.body)}
                for c in issue.comments], "total": len(issue.comments),
                "maxResults": len(issue.comments), "startAt": 0}
        return out

    def field_name(self, field_id: str) -> str:
        custom = self.site.fields.get(field_id)
        if custom:
            return str(custom["name"])
        return _SYSTEM_NAMES.get(field_id, field_id.capitalize())

    def field_schema(self, field_id: str) -> dict[str, Any]:
        custom = self.site.fields.get(field_id)
        if custom:
            return dict(custom.get("schema", {}))
        kind = _SYSTEM_TYPES.get(field_id, "string")
        schema: dict[str, Any] = {"type": kind, "system": field_id}
        if kind == "array":
            schema["items"] = "component" if field_id == "components" else (
                "issuelinks" if field_id == "issuelinks" else "string")
        return schema

    def history(self, entry: dict[str, Any]) -> dict[str, Any]:
        items = [{k: v for k, v in item.items() if v is not None} for item in entry["items"]]
        return {"id": entry["id"], "author": self.user_details(entry["author"]),
                "created": self.time(entry["created"]), "items": items}

    def user_details(self, account_id: str) -> dict[str, Any]:
        """A user as the UserDetails schema allows (no accountType-free extras)."""
        return self.user(account_id) or {"displayName": "Anonymous", "active": False}

    def comment(self, issue: Issue, comment: Comment, with_properties: bool) -> dict[str, Any]:
        out: dict[str, Any] = {
            "self": f"{self.api}/issue/{issue.id}/comment/{comment.id}", "id": comment.id,
            "author": self.user_details(comment.author),
            "body": comment.adf if comment.adf and self.version == 3 else self.text(comment.body),
            "updateAuthor": self.user_details(comment.author),
            "created": self.time(comment.created), "updated": self.time(comment.created),
        }
        if issue.project.service_desk_id:
            internal = (comment.properties.get("sd.public.comment") or {}).get("internal", False)
            out["jsdPublic"] = not internal
        if comment.visibility:
            out["visibility"] = dict(comment.visibility)
        if with_properties:
            out["properties"] = [{"key": k, "value": v} for k, v in comment.properties.items()]
        return out


_ABSENT = object()
_SYSTEM_NAMES = {"summary": "Summary", "description": "Description", "status": "Status",
                 "priority": "Priority", "issuetype": "Issue Type", "project": "Project",
                 "components": "Components", "labels": "Labels", "assignee": "Assignee",
                 "reporter": "Reporter", "creator": "Creator", "created": "Created",
                 "updated": "Updated", "resolutiondate": "Resolved", "resolution": "Resolution",
                 "issuelinks": "Linked Issues", "comment": "Comment"}
_SYSTEM_TYPES = {"status": "status", "priority": "priority", "issuetype": "issuetype",
                 "project": "project", "components": "array", "labels": "array",
                 "assignee": "user", "reporter": "user", "creator": "user",
                 "created": "datetime", "updated": "datetime", "resolutiondate": "datetime",
                 "resolution": "resolution", "issuelinks": "array", "comment": "comments-page"}
