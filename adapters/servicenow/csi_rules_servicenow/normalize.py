"""Table API rows -> csi-rules records. Every value arrives as a string and is converted per field.

Rows are read with `sysparm_display_value=all` by default, so each cell carries the raw value
(codes, sys_ids, UTC times: what rules compare) and the display value (group and person names:
what people write in policies). Times always come from raw values: display times are in the
API user's time zone. With `display_value: false` references stay sys_ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csi_rules.records import Record, parse_record
from csi_rules.records.fields import FIELDS
from csi_rules_servicenow.mapping import APPROVALS, RISKS, NormalizationTables
from csi_rules_servicenow.states import contract_fields
from csi_rules_servicenow.timefmt import iso

COMMON_FIELDS = (
    "sys_id", "number", "sys_class_name", "state", "priority", "impact", "urgency", "active",
    "category", "subcategory", "business_service", "short_description", "description",
    "assignment_group", "assigned_to", "cmdb_ci", "opened_at", "opened_by", "sys_updated_on",
    "sys_mod_count", "resolved_at", "closed_at", "approval", "escalation",
)
KIND_FIELDS = {
    "incident": ("caller_id", "reassignment_count", "reopen_count", "hold_reason",
                 "incident_state", "made_sla", "close_code"),
    "change": ("type", "risk", "start_date", "end_date", "backout_plan", "test_plan", "close_code",
               "implementation_plan", "cab_required", "conflict_status", "conflict_last_run",
               "on_hold", "on_hold_reason", "requested_by", "reassignment_count"),
    "problem": ("reassignment_count",),
    "request": ("request", "cat_item", "requested_for", "reassignment_count"),
}
CHANGE_TYPES = ("standard", "normal", "emergency")


def fields_for(kind: str, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    """`sysparm_fields` for a kind: what normalization needs plus what policies ask for."""
    return tuple(dict.fromkeys(COMMON_FIELDS + KIND_FIELDS.get(kind, ()) + extra))


class Cells:
    """One row in either shape: plain values, or {value, display_value[, link]} cells."""

    __slots__ = ("_row",)

    def __init__(self, row: Mapping[str, Any]):
        self._row = row

    def value(self, name: str) -> str:
        cell = self._row.get(name, "")
        if isinstance(cell, Mapping):
            cell = cell.get("value", "")
        return "" if cell is None else str(cell)

    def display(self, name: str) -> str | None:
        cell = self._row.get(name)
        if isinstance(cell, Mapping) and "display_value" in cell:
            shown = cell["display_value"]
            return None if shown is None else str(shown)
        return None

    def label(self, name: str) -> str | None:
        """What a person would call it: the display value when there is one, else the value."""
        shown = self.display(name)
        return shown or self.value(name) or None

    def raw(self) -> dict[str, Any]:
        values: dict[str, Any] = {name: self.value(name) for name in self._row}
        shown = {name: d for name in self._row
                 if (d := self.display(name)) is not None and d != values[name]}
        if shown:
            values["display"] = shown
        return values


def _int(text: str, low: int, high: int) -> int | None:
    try:
        number = int(text)
    except ValueError:
        return None
    return number if low <= number <= high else None


def _count(text: str) -> int | None:
    return _int(text, 0, 10**9)


def to_record(kind: str, table: str, row: Mapping[str, Any], tables: NormalizationTables,
              extra_raw: Mapping[str, Any] | None = None) -> Record:
    cells = Cells(row)
    v = cells.value
    data: dict[str, Any] = {
        "id": v("sys_id"), "number": v("number") or None, "platform": "servicenow",
        "kind": kind,
        **contract_fields(kind, table, cells, tables),
        "priority": tables.priority(v("priority"), cells.display("priority")),
        "impact": _int(v("impact"), 1, 3), "urgency": _int(v("urgency"), 1, 3),
        "category": v("category") or None, "subcategory": v("subcategory") or None,
        "service": cells.label("business_service"),
        "short_description": v("short_description") or None,
        "description": v("description") or None,
        "caller": cells.label("caller_id") or cells.label("requested_by")
        or cells.label("requested_for") or cells.label("opened_by"),
        "assignment_group": cells.label("assignment_group"),
        "assignee": cells.label("assigned_to"),
        "configuration_items": [ci] if (ci := cells.label("cmdb_ci")) else [],
        "reassignment_count": _count(v("reassignment_count")),
        "reopen_count": _count(v("reopen_count")),
        "opened_at": iso(v("opened_at")), "updated_at": iso(v("sys_updated_on")),
        "resolved_at": iso(v("resolved_at")), "closed_at": iso(v("closed_at")),
    }
    if kind == "change":
        data.update({
            "change_type": v("type") if v("type") in CHANGE_TYPES else None,
            "risk": RISKS.get(v("risk")),
            "planned_start": iso(v("start_date")), "planned_end": iso(v("end_date")),
            "backout_plan": v("backout_plan") or None, "test_plan": v("test_plan") or None,
            "implementation_plan": v("implementation_plan") or None,
            "cab_required": {"true": True, "false": False}.get(v("cab_required")),
        })
    if kind in ("change", "request"):
        data["approval"] = APPROVALS.get(v("approval"))
    data.update(_mapped_columns(kind, cells, tables))
    raw = cells.raw()
    raw.update(extra_raw or {})
    data["raw"] = raw
    return parse_record({k: val for k, val in data.items() if val is not None},
                        where=f"servicenow {table}")


def _mapped_columns(kind: str, cells: Cells, tables: NormalizationTables) -> dict[str, Any]:
    """Record fields the instance keeps in columns of its own (`field_map`), typed per field."""
    out: dict[str, Any] = {}
    for name, column in tables.field_map.items():
        spec = FIELDS[name]
        text = cells.label(column)
        if text is None or kind not in spec.kinds:
            continue
        if spec.type == "integer":
            out[name] = _int(text, spec.minimum or -10**9, spec.maximum or 10**9)
        elif spec.type == "string[]":
            out[name] = [part.strip() for part in text.split(",") if part.strip()]
        elif spec.type == "datetime":
            out[name] = iso(cells.value(column))
        elif spec.type == "boolean":
            out[name] = {"true": True, "false": False}.get(cells.value(column))
        else:
            out[name] = text
    return out
