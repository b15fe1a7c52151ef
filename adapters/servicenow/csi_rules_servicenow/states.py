"""A row's state, hold reason, close code and status category in the record contract's terms.

The state comes from `state`, or on incidents from the older `incident_state` column when the
instance (or an export such as the IBM sample) has only that. A code the normalization tables do
not name stays visible as `code:<value>` and is listed under the record's `unmapped` field.
"""

from __future__ import annotations

from typing import Any, Protocol

from csi_rules.records.vocabulary import is_unmapped, status_category
from csi_rules_servicenow.mapping import AWAITING_LABELS, HOLD_REASONS, NormalizationTables


class RowCells(Protocol):
    def value(self, name: str) -> str: ...

    def display(self, name: str) -> str | None: ...

    def label(self, name: str) -> str | None: ...


def contract_fields(kind: str, table: str, cells: RowCells,
                    tables: NormalizationTables) -> dict[str, Any]:
    """state, hold_reason, status_category, resolution_code and unmapped for one row."""
    column = "state"
    if not cells.value("state") and table == "incident" and cells.value("incident_state"):
        column = "incident_state"
    code, shown = cells.value(column), cells.display(column)
    state = tables.state(table, code, shown)
    unmapped: dict[str, str] = {}
    if is_unmapped(state):
        unmapped["state"] = code
    priority_code = cells.value("priority")
    if priority_code and tables.priority(priority_code, cells.display("priority")) is None:
        unmapped["priority"] = cells.display("priority") or priority_code
    out: dict[str, Any] = {
        "state": state,
        "status_category": status_category(state),
        "hold_reason": _hold_reason(kind, cells, state, shown or code, unmapped),
        "resolution_code": cells.label("close_code"),
        "unmapped": unmapped or None,
    }
    return out


def _hold_reason(kind: str, cells: RowCells, state: str | None, state_label: str,
                 unmapped: dict[str, str]) -> str | None:
    if kind == "change":
        return "other" if cells.value("on_hold") == "true" else None
    if state != "on_hold":
        return None
    code = cells.value("hold_reason")
    if code:
        found = HOLD_REASONS.get(code) or AWAITING_LABELS.get((cells.display("hold_reason") or "").lower())
        if found is None:
            unmapped["hold_reason"] = cells.display("hold_reason") or code
        return found or "other"
    return AWAITING_LABELS.get(state_label.lower(), "other")
