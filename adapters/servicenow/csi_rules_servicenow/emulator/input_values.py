"""`sysparm_input_display_value=true`: a write's values given as display values, made stored ones.

c_RESTAPI.md: "if you send the display name for a reference field, the endpoint stores the
sys_id for that value ... For date and time fields ... the date and time value is adjusted for
the current user's timezone". Choice fields accept their label. A reference that names no row
is stored empty (pk: the platform drops a display value it cannot resolve); a sys_id given
for a reference is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from csi_rules_servicenow.emulator.tables import (
    DATETIME_FIELDS,
    DISPLAY_FIELD,
    REFERENCES,
    TASK_TABLES,
)

if TYPE_CHECKING:
    from csi_rules_servicenow.emulator.store import Store

FORMAT = "%Y-%m-%d %H:%M:%S"


def stored_values(store: Store, table: str, body: Mapping[str, Any],
                  time_zone: str) -> dict[str, Any]:
    """`body` with display values replaced by what the instance stores."""
    out: dict[str, Any] = {}
    for name, value in body.items():
        text = value.get("display_value", value.get("value")) if isinstance(value, Mapping) \
            else value
        if not isinstance(text, str) or not text:
            out[name] = value
        elif name in REFERENCES:
            out[name] = _reference(store, REFERENCES[name], text)
        elif name in DATETIME_FIELDS:
            out[name] = _utc(text, time_zone)
        else:
            labels = store.choices.get(table, {}).get(name, {})
            out[name] = next((v for v, label in labels.items() if label == text), text)
    return out


def _reference(store: Store, target: str, shown: str) -> str:
    if store.get(target, shown) is not None:
        return shown
    tables = TASK_TABLES if target == "task" else (target,)
    for name in tables:
        column = DISPLAY_FIELD.get(name, "number")
        for row in store.rows(name):
            if row.get(column) == shown:
                return row["sys_id"]
    return ""


def _utc(text: str, time_zone: str) -> str:
    try:
        local = datetime.strptime(text, FORMAT).replace(tzinfo=ZoneInfo(time_zone))
    except ValueError:
        return text  # not a date-time display value: stored as given
    return local.astimezone(UTC).strftime(FORMAT)
