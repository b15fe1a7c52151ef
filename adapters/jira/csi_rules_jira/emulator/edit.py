"""Applying an edit (`fields` + `update` operations) to an issue, with Jira's validation errors."""

from __future__ import annotations

from typing import Any

from csi_rules_jira.adf import adf_to_text
from csi_rules_jira.emulator.http import HttpError
from csi_rules_jira.emulator.model import Issue
from csi_rules_jira.emulator.store import Site

NOT_ADF = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"


def rich_text(value: Any, version: int, field: str) -> str:
    """v3 takes ADF only; v2 takes a string."""
    if version == 3:
        if not (isinstance(value, dict) and value.get("type") == "doc"):
            raise HttpError(400, errors={field: NOT_ADF})
        return adf_to_text(value)
    if not isinstance(value, str):
        raise HttpError(400, errors={field: "Field value must be a string."})
    return value


def user_ref(site: Site, value: Any, field: str) -> str | None:
    """Cloud identifies users by accountId only; DC by name."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise HttpError(400, errors={field: "Invalid user: expected an object."})
    if site.is_cloud:
        if "accountId" not in value:
            raise HttpError(400, "'accountId' must be the only user identifying query parameter "
                                 "in GDPR strict mode.")
        ref = value["accountId"]
    else:
        ref = value.get("name") or value.get("key")
    if ref in (None, "-1"):
        return None
    user = site.users.get(ref) if site.is_cloud else site.user(ref)
    if user is None:
        raise HttpError(400, errors={field: f"User '{ref}' does not exist."})
    return user.account_id


def _item(site: Site, field_id: str, before: Any, after: Any) -> dict[str, Any]:
    custom = field_id.startswith("customfield_")
    name = site.fields.get(field_id, {}).get("name", field_id) if custom else field_id
    item = {"field": name, "fieldtype": "custom" if custom else "jira", "fieldId": field_id,
            "fromString": _text(before), "toString": _text(after)}
    if field_id == "assignee":                 # ids in from/to, display names in the strings
        item.update({"from": before, "to": after,
                     "fromString": _display(site, before), "toString": _display(site, after)})
    return item


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        return " ".join(value)
    return None if value is None else str(value)


def _display(site: Site, account_id: Any) -> str | None:
    user = site.users.get(str(account_id)) if account_id else None
    return user.display_name if user else None


def _custom_value(site: Site, field_id: str, value: Any, version: int) -> Any:
    spec = site.fields[field_id]
    kind = spec.get("schema", {}).get("type")
    if value is None:
        return None
    if kind == "option":
        text = value.get("value") if isinstance(value, dict) else None
        if text not in spec.get("options", [text]):
            raise HttpError(400, errors={field_id: f"Option value '{text}' is not valid"})
        return text
    if kind == "group":
        if not isinstance(value, dict) or not value.get("name"):
            raise HttpError(400, errors={field_id: "Specify a valid group name."})
        return value["name"]
    if kind == "user":
        return user_ref(site, value, field_id)
    if kind == "string" and spec["schema"].get("custom", "").endswith("textarea"):
        return rich_text(value, version, field_id)
    if kind == "sd-customerrequesttype":
        raise HttpError(400, errors={field_id: "Field cannot be set directly."})
    return value


def apply_edit(site: Site, issue: Issue, body: dict[str, Any], version: int, by: str) -> None:
    """Validate everything first, then change the issue once (one changelog entry)."""
    if not isinstance(body, dict):
        raise HttpError(400, "The request body must be a JSON object.")
    new: dict[str, Any] = {}
    for field_id, value in (body.get("fields") or {}).items():
        new[field_id] = _value(site, issue, field_id, value, version)
    for field_id, ops in (body.get("update") or {}).items():
        for op in ops:
            for verb, value in op.items():
                if field_id == "labels":
                    labels = list(new.get("labels", issue.labels))
                    if verb in ("add", "remove") and not isinstance(value, str):
                        raise HttpError(400, errors={"labels": "A label must be a string."})
                    if verb == "add" and value not in labels:
                        labels.append(value)
                    elif verb == "remove" and value in labels:
                        labels.remove(value)
                    elif verb == "set" and isinstance(value, list):
                        labels = [str(v) for v in value]
                    elif verb == "set":
                        raise HttpError(400, errors={"labels": "Labels must be a list."})
                    new["labels"] = labels
                elif field_id == "comment" and verb == "add":
                    if not isinstance(value, dict):
                        raise HttpError(400, errors={"comment": "Comment body can not be empty!"})
                    site.add_comment(issue, by, rich_text(value.get("body"), version, "comment"))
                elif verb == "set":
                    new[field_id] = _value(site, issue, field_id, value, version)
                else:
                    raise HttpError(400, errors={field_id: f"Operation '{verb}' is not supported."})
    items = []
    with site.lock:
        for field_id, value in new.items():
            before = _current(issue, field_id)
            if before == value:
                continue
            items.append(_item(site, field_id, before, value))
            _store(issue, field_id, value)
        if items:
            site.change(issue, by, items)


def validate_value(site: Site, field_id: str, value: Any, version: int) -> Any:
    """A field's new value in the emulator's terms, or Jira's 400 for that field."""
    return _value(site, None, field_id, value, version)


def store_value(issue: Issue, field_id: str, value: Any) -> None:
    """Set a validated value without a changelog entry (issue creation)."""
    _store(issue, field_id, value)


def _value(site: Site, issue: Issue | None, field_id: str, value: Any, version: int) -> Any:
    if field_id == "summary":
        if not isinstance(value, str) or not value.strip():
            raise HttpError(400, errors={"summary": "You must specify a summary of the issue."})
        return value
    if field_id == "description":
        return rich_text(value, version, "description") if value is not None else ""
    if field_id == "priority":
        ref = (value.get("name") or value.get("id")) if isinstance(value, dict) else None
        prio = site.priority(str(ref)) if ref else None
        if prio is None:
            raise HttpError(400, errors={"priority": "Specify the Priority (id or name) in the "
                                                     "string format"})
        return prio["name"]
    if field_id == "labels":
        if not isinstance(value or [], list):
            raise HttpError(400, errors={"labels": "Labels must be a list of strings."})
        return [str(v) for v in value or []]
    if field_id == "components":
        if not all(isinstance(c, dict) for c in value or []) or not isinstance(value or [], list):
            raise HttpError(400, errors={"components": "Specify the components as a list of "
                                                       "objects with an id or a name."})
        return [str(c.get("name")) for c in value or []]
    if field_id == "assignee":
        return user_ref(site, value, "assignee")
    if field_id in site.fields and field_id.startswith("customfield_"):
        return _custom_value(site, field_id, value, version)
    raise HttpError(400, errors={field_id: f"Field '{field_id}' cannot be set. It is not on the "
                                           "appropriate screen, or unknown."})


def _current(issue: Issue, field_id: str) -> Any:
    if field_id in ("summary", "description", "priority", "labels", "components", "assignee"):
        return getattr(issue, field_id)
    return issue.custom.get(field_id)


def _store(issue: Issue, field_id: str, value: Any) -> None:
    if field_id in ("summary", "description", "priority", "labels", "components", "assignee"):
        setattr(issue, field_id, value)
    else:
        issue.custom[field_id] = value
