"""Jira changelog → record history entries ({at, field, from, to, author}) for SLA replay."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from csi_rules_jira.timestamps import iso
from csi_rules_jira.values import user_id

# Jira changelog field ids that have a record field of their own.
_RECORD_FIELDS = {"status": "state", "priority": "priority", "assignee": "assignee",
                  "summary": "short_description", "description": "description",
                  "labels": "labels", "Component": "configuration_items",
                  "components": "configuration_items", "resolution": "resolution"}


def changelog_to_history(histories: Iterable[Mapping[str, Any]], *, status_name: Any,
                         priority_value: Any, custom_names: Mapping[str, str]) -> list[dict]:
    """One entry per changed item, oldest first; status and priority in record terms.

    `status_name(name)` and `priority_value(name)` turn Jira names into the record's values;
    `custom_names` maps custom field ids to the record field they feed (from the field map).
    """
    out: list[dict[str, Any]] = []
    for history in histories:
        at = iso(history.get("created"))
        if not at:
            continue
        author = user_id(history.get("author")) or ""
        for item in history.get("items") or ():
            field_id = str(item.get("fieldId") or item.get("field") or "")
            name = custom_names.get(field_id) or _RECORD_FIELDS.get(field_id, field_id)
            before, after = item.get("fromString"), item.get("toString")
            if name == "state":
                before, after = status_name(before), status_name(after)
            elif name == "priority":
                before, after = priority_value(before), priority_value(after)
            elif name == "assignee":
                before, after = item.get("from") or before, item.get("to") or after
            entry: dict[str, Any] = {"at": at, "field": name, "from": before, "to": after}
            if author:
                entry["author"] = author
            out.append(entry)
    out.sort(key=lambda e: e["at"])
    return out
