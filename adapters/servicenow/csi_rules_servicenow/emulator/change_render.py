"""A row as the Change Management API shows it: every field a {value, display_value} pair.

From the GET /sn_chg_rest/change/{sys_id} example in change-management-api.md: "All elements
contain value and display_value name-value pairs. Date fields also contain
display_value_internal"; numbers are JSON numbers (`"state": {"value": 3.0}`), booleans JSON
booleans (`"active": {"value": false, "display_value": "false"}`), references carry the sys_id
as value and the name as display value, with no link. Display times are in the user's zone.
"""

from __future__ import annotations

from typing import Any

from csi_rules_servicenow.emulator.render import display_value
from csi_rules_servicenow.emulator.store import Row, Store
from csi_rules_servicenow.emulator.tables import DATETIME_FIELDS, NUMERIC_FIELDS

BOOLEAN_TEXT = ("true", "false")


def typed(name: str, value: str) -> Any:
    if value in BOOLEAN_TEXT:
        return value == "true"
    if name in NUMERIC_FIELDS and value:
        try:
            return float(value)
        except ValueError:
            return value
    return value


def cell(store: Store, table: str, row: Row, name: str, time_zone: str) -> dict[str, Any]:
    value = row.get(name, "")
    shown = display_value(store, table, row, name, value, time_zone)
    out: dict[str, Any] = {"display_value": "" if shown is None else shown,
                           "value": typed(name, value)}
    if name in DATETIME_FIELDS:
        out["display_value_internal"] = out["display_value"] if value else ""
    return out


def render_change(store: Store, table: str, row: Row, time_zone: str,
                  ignored: list[str] | None = None) -> dict[str, Any]:
    """The record; `ignored` adds `__meta.ignoredFields` (what a create or update dropped)."""
    out = {name: cell(store, table, row, name, time_zone) for name in row}
    if ignored is not None:
        out["__meta"] = {"ignoredFields": ignored}
    return out
