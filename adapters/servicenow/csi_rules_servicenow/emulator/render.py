"""Shape a stored row the way the Table API returns it: values, display values, references, fields.

Shapes follow c_TableAPI.md (references as {link, value}; `sysparm_exclude_reference_link`
gives the bare value; `sysparm_fields` picks and dot-walks) and, for `display_value=all`, the
real payloads in `stackstate_*.json`: empty choice fields display as null, empty due dates as
"UNKNOWN", date-times in the user's time zone, references without a link when excluded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from csi_rules_servicenow.emulator.query import Getter
from csi_rules_servicenow.emulator.store import Row, Store
from csi_rules_servicenow.emulator.tables import (
    CLASS_LABEL,
    DATETIME_FIELDS,
    DISPLAY_FIELD,
    JOURNAL_FIELDS,
    REFERENCES,
    UNKNOWN_WHEN_EMPTY,
)


@dataclass(frozen=True)
class RenderOptions:
    base_url: str
    fields: tuple[str, ...] = ()
    display: str = "false"  # "false" | "true" | "all"
    exclude_reference_link: bool = False
    time_zone: str = "UTC"


def getter(store: Store, row: Row) -> Getter:
    """Field lookup for queries and sysparm_fields, following references on dots."""

    def get(name: str) -> str | None:
        current: Row | None = row
        parts = name.split(".")
        for i, part in enumerate(parts):
            if current is None:
                return ""
            if part not in current:
                return None
            if i == len(parts) - 1:
                return current[part]
            current = store.dereference(part, current[part])
        return None

    return get


def render(store: Store, table: str, row: Row, options: RenderOptions) -> dict[str, Any]:
    names = options.fields or tuple(row)
    get = getter(store, row)
    out: dict[str, Any] = {}
    for name in names:
        value = get(name)
        if value is None:
            continue  # invalid fields are silently ignored (sysparm_fields docs)
        if "." in name:
            out[name] = value
            continue
        out[name] = _shape(store, table, row, name, value, options)
    return out


def _shape(store: Store, table: str, row: Row, name: str, value: str,
           options: RenderOptions) -> Any:
    target = REFERENCES.get(name)
    link = f"{options.base_url}/api/now/table/{target}/{value}" if target else ""
    if options.display == "false":
        if target and value and not options.exclude_reference_link:
            return {"link": link, "value": value}
        return value
    shown = display_value(store, table, row, name, value, options.time_zone)
    if options.display == "true":
        if target and value and not options.exclude_reference_link:
            return {"display_value": shown, "link": link}
        return shown
    shaped: dict[str, Any] = {"display_value": shown}
    if target and value and not options.exclude_reference_link:
        shaped["link"] = link
    shaped["value"] = value
    return shaped


def display_value(store: Store, table: str, row: Row, name: str, value: str,
                  time_zone: str) -> str | None:
    if name in JOURNAL_FIELDS:
        return journal_text(store, table, row.get("sys_id", ""), name, time_zone)
    choices = store.choices.get(table, {}).get(name)
    if choices is not None:
        if value in choices:
            return choices[value]
        return value or None
    if name in DATETIME_FIELDS:
        if not value:
            return "UNKNOWN" if name in UNKNOWN_WHEN_EMPTY else ""
        return local_time(value, time_zone)
    if name in REFERENCES:
        if not value:
            return ""
        target = store.dereference(name, value)
        if target is None:
            return value if name == "sys_domain" else ""
        column = DISPLAY_FIELD.get(REFERENCES[name], "number")
        return target.get(column) or target.get("name") or target.get("sys_id", "")
    if name == "sys_class_name":
        return CLASS_LABEL.get(value, value)
    return value


def local_time(value: str, time_zone: str) -> str:
    moment = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M:%S")


def journal_text(store: Store, table: str, sys_id: str, element: str, time_zone: str) -> str:
    """A journal field's display: newest entry first, as the approval_history sample shows."""
    label = JOURNAL_FIELDS[element]
    parts = []
    for entry in store.journal(table, sys_id, element):
        who = _user_name(store, entry.get("sys_created_by", ""))
        when = local_time(entry["sys_created_on"], time_zone)
        parts.append(f"{when} - {who} ({label})\n{entry['value']}\n\n")
    return "".join(parts)


def _user_name(store: Store, user_name: str) -> str:
    for user in store.rows("sys_user"):
        if user.get("user_name") == user_name:
            return user.get("name") or user_name
    return user_name
