"""Normalization tables: instance state and priority codes -> the csi-rules record model.

Instances differ, so the tables are configuration with two built-in profiles:
- `default`: today's platform choices and the 5-level priority lookup (1 Critical .. 5 Planning);
  the IBM REST sample shows it (impact 3 x urgency 3 -> priority 5).
- `uci`: the instance behind the UCI incident event log: a 4-level priority lookup (impact 3 x
  urgency 3 -> 4 - Low; there is no 5) and the older incident states ("Active", "Awaiting User
  Info", ...). The export holds labels only, so that profile keys on labels.
A key matches the stored value first, then the display value (case-insensitive).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from csi_rules.records.fields import FIELDS
from csi_rules_servicenow.errors import ServiceNowConfigError

INCIDENT_STATES = {"1": "new", "2": "in_progress", "3": "on_hold", "6": "resolved",
                   "7": "closed", "8": "canceled"}
# Change states since Geneva; the pre-Geneva codes 1 (Open), 2 (Work in Progress) and 7 (Closed
# Skipped) map onto the lifecycle they became.
CHANGE_STATES = {"-5": "new", "-4": "assess", "-3": "authorize", "-2": "scheduled",
                 "-1": "implement", "0": "review", "3": "closed", "4": "canceled",
                 "1": "new", "2": "implement", "7": "canceled"}
# Problem states since Madrid (101..107); the older 1-4 codes (Open, Known Error, Pending Change,
# Closed/Resolved) map onto the nearest of them.
PROBLEM_STATES = {"101": "new", "102": "assess", "103": "root_cause_analysis",
                  "104": "fix_in_progress", "106": "resolved", "107": "closed",
                  "1": "new", "2": "root_cause_analysis", "3": "fix_in_progress", "4": "closed"}
REQUEST_ITEM_STATES = {"-5": "pending", "1": "open", "2": "in_progress",
                       "3": "closed_complete", "4": "closed_incomplete", "7": "canceled"}
# incident.hold_reason choices (platform-apis.md; c_IncidentManagementStateModel.md)
HOLD_REASONS = {"1": "awaiting_caller", "2": "awaiting_evidence", "3": "awaiting_problem",
                "4": "awaiting_vendor", "5": "awaiting_change"}
PRIORITY_5 = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5}
SET_PRIORITY_5 = {1: (1, 1), 2: (1, 2), 3: (2, 2), 4: (2, 3), 5: (3, 3)}

PROFILES: dict[str, dict[str, Any]] = {
    "default": {
        "states": {"incident": INCIDENT_STATES, "change_request": CHANGE_STATES,
                   "problem": PROBLEM_STATES, "sc_req_item": REQUEST_ITEM_STATES},
        "priorities": PRIORITY_5,
        "set_priority": SET_PRIORITY_5,
    },
    "uci": {
        "states": {"incident": {"New": "new", "Active": "in_progress",
                                "Awaiting User Info": "on_hold", "Awaiting Evidence": "on_hold",
                                "Awaiting Problem": "on_hold", "Awaiting Vendor": "on_hold",
                                "Resolved": "resolved", "Closed": "closed",
                                "Canceled": "canceled", "Cancelled": "canceled"},
                   "change_request": CHANGE_STATES, "problem": PROBLEM_STATES,
                   "sc_req_item": REQUEST_ITEM_STATES},
        "priorities": {"1": 1, "2": 2, "3": 3, "4": 4,
                       "1 - Critical": 1, "2 - High": 2, "3 - Moderate": 3, "4 - Low": 4},
        "set_priority": {1: (1, 1), 2: (1, 2), 3: (2, 2), 4: (3, 3)},
    },
}

# The older incident_state column's "Awaiting ..." labels say why a ticket is on hold.
AWAITING_LABELS = {"awaiting user info": "awaiting_caller", "awaiting caller": "awaiting_caller",
                   "awaiting evidence": "awaiting_evidence", "awaiting problem": "awaiting_problem",
                   "awaiting vendor": "awaiting_vendor", "awaiting change": "awaiting_change"}

# Record fields an instance may feed from a column of its own through `field_map`.
MAPPABLE_FIELDS = tuple(name for name, spec in FIELDS.items()
                        if not spec.derived and name not in ("id", "kind", "raw", "unmapped"))

RISKS = {"1": "very_high", "2": "high", "3": "moderate", "4": "low"}  # platform-apis.md A6
APPROVALS = {"not requested": "not_requested", "requested": "requested",
             "approved": "approved", "rejected": "rejected"}


def _lookup(table: Mapping[str, Any], value: str, display: str | None) -> Any:
    if value in table:
        return table[value]
    if display is not None:
        folded = {str(k).casefold(): v for k, v in table.items()}
        return folded.get(display.casefold())
    return None


@dataclass(frozen=True)
class NormalizationTables:
    profile: str
    states: dict[str, dict[str, str]] = field(default_factory=dict)
    priorities: dict[str, int] = field(default_factory=dict)
    set_priority: dict[int, tuple[int, int]] = field(default_factory=dict)
    field_map: dict[str, str] = field(default_factory=dict)
    """record field -> column (or dot-walked path) for fields no built-in column carries."""

    def state(self, table: str, value: str, display: str | None = None) -> str | None:
        """Normalized state; an unmapped code comes back as `code:<value>` so it stays visible."""
        if not value:
            return None
        found = _lookup(self.states.get(table, {}), value, display)
        return str(found) if found is not None else f"code:{value}"

    def priority(self, value: str, display: str | None = None) -> int | None:
        if not value:
            return None
        found = _lookup(self.priorities, value, display)
        return int(found) if found is not None else None

    def impact_urgency(self, priority: int) -> tuple[int, int] | None:
        """The impact and urgency that make the instance's lookup yield `priority`."""
        return self.set_priority.get(priority)


def build_tables(profile: str, state_map: Mapping[str, Mapping[str, str]],
                 priority_map: Mapping[str, int],
                 set_priority: Mapping[str, list[int]],
                 field_map: Mapping[str, str] | None = None) -> NormalizationTables:
    base = PROFILES[profile]
    states = {t: dict(m) for t, m in base["states"].items()}
    for table, overrides in state_map.items():
        states.setdefault(table, {}).update(overrides)
    reverse = dict(base["set_priority"])
    for key, pair in set_priority.items():
        if not key.isdigit():
            raise ServiceNowConfigError(
                f"priority_to_impact_urgency.{key}: keys are priorities 1-5")
        reverse[int(key)] = (pair[0], pair[1])
    return NormalizationTables(profile, states, {**base["priorities"], **priority_map}, reverse,
                               dict(field_map or {}))
