"""What the emulator knows about tables: field types, references, choice labels, defaults.

Sources, in order of trust: real Table API payloads (`stackstate_*.json`, display_value=all, for
choice labels and which empty fields display as null or "UNKNOWN"); the official docs examples
(c_TableAPI.md POST/PATCH responses, for defaults and business-rule effects); platform knowledge
where neither says (marked "pk").
"""

from __future__ import annotations

from typing import Final

DATETIME_FIELDS: Final = frozenset({
    "sys_created_on", "sys_updated_on", "opened_at", "closed_at", "resolved_at", "reopened_time",
    "expected_start", "work_start", "work_end", "start_date", "end_date", "requested_by_date",
    "conflict_last_run", "approval_set", "follow_up", "cab_date", "review_date", "due_date",
    "sla_due", "activity_due", "planned_end_time", "start_time", "end_time",
    "original_breach_time", "pause_time", "repeat_until",
})

# Due-date fields display "UNKNOWN" when empty (stackstate CHG0000001: sla_due, activity_due).
UNKNOWN_WHEN_EMPTY: Final = frozenset({"sla_due", "activity_due"})

INTEGER_FIELDS: Final = frozenset({
    "state", "incident_state", "priority", "impact", "urgency", "severity", "escalation",
    "sys_mod_count", "reassignment_count", "reopen_count", "hold_reason", "risk", "scope",
    "business_stc", "calendar_stc", "order", "notify", "child_incidents", "record_checkpoint",
})

NUMERIC_FIELDS: Final = INTEGER_FIELDS | {"percentage", "business_percentage"}

# Reference columns and the table they point at (docs samples show these as {link, value}).
REFERENCES: Final[dict[str, str]] = {
    "assignment_group": "sys_user_group", "assigned_to": "sys_user", "caller_id": "sys_user",
    "opened_by": "sys_user", "closed_by": "sys_user", "resolved_by": "sys_user",
    "reopened_by": "sys_user", "requested_by": "sys_user", "cab_delegate": "sys_user",
    "approver": "sys_user", "cmdb_ci": "cmdb_ci", "business_service": "cmdb_ci_service",
    "service_offering": "service_offering", "company": "core_company",
    "location": "cmn_location", "problem_id": "problem", "parent_incident": "incident",
    "caused_by": "change_request", "rfc": "change_request", "parent": "task",
    "sys_domain": "sys_user_group", "sysapproval": "task", "group": "sysapproval_group",
    "task": "task", "sla": "contract_sla", "schedule": "cmn_schedule",
    "change_request": "change_request", "chg_model": "chg_model",
    "maintenance_schedule": "cmn_schedule", "request": "sc_request",
    "cat_item": "sc_cat_item", "on_hold_task": "task",
    "configuration_item": "cmdb_ci", "conflicting_change": "change_request",
    "std_change_producer_version": "std_change_producer_version",
    "std_change_producer": "std_change_record_producer",
    "current_version": "std_change_producer_version", "change_request_task": "change_task",
}

# `task` references resolve through these tables (task is their parent class).
TASK_TABLES: Final = ("incident", "change_request", "problem", "sc_req_item", "change_task")

JOURNAL_FIELDS: Final[dict[str, str]] = {
    "work_notes": "Work notes",
    "comments": "Additional comments",
    "approval_history": "Approval history",
}

DISPLAY_FIELD: Final[dict[str, str]] = {
    "sys_user": "name", "sys_user_group": "name", "cmdb_ci": "name", "cmdb_ci_service": "name",
    "cmn_schedule": "name", "cmn_schedule_span": "name", "core_company": "name",
    "cmn_location": "name", "contract_sla": "name", "sysapproval_group": "sys_id",
}
"""Display column of a table; task tables display their number."""

NUMBER_PREFIX: Final[dict[str, str]] = {
    "incident": "INC", "change_request": "CHG", "problem": "PRB", "sc_req_item": "RITM",
    "change_task": "CTASK",
}

CLASS_LABEL: Final[dict[str, str]] = {
    "incident": "Incident", "change_request": "Change Request", "problem": "Problem",
    "sc_req_item": "Requested Item", "change_task": "Change Task",
}

_IMPACT = {"1": "1 - High", "2": "2 - Medium", "3": "3 - Low"}
_APPROVAL = {"not requested": "Not Yet Requested", "requested": "Requested",
             "approved": "Approved", "rejected": "Rejected"}
_ESCALATION = {"0": "Normal", "1": "Moderate", "2": "High", "3": "Overdue"}
_CONTACT = {"phone": "Phone", "email": "Email", "self-service": "Self-service",
            "walk-in": "Walk-in"}
INCIDENT_STATES_5: Final = {"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved",
                            "7": "Closed", "8": "Canceled"}
PRIORITY_5: Final = {"1": "1 - Critical", "2": "2 - High", "3": "3 - Moderate", "4": "4 - Low",
                     "5": "5 - Planning"}

CHOICES: Final[dict[str, dict[str, dict[str, str]]]] = {
    "incident": {
        "state": INCIDENT_STATES_5, "incident_state": INCIDENT_STATES_5,
        "impact": _IMPACT, "urgency": _IMPACT, "severity": _IMPACT, "priority": PRIORITY_5,
        # pk: 2 = Awaiting Evidence appears in the IBM sample (hold_reason 2) and the UCI export
        "hold_reason": {"1": "Awaiting Caller", "2": "Awaiting Evidence",
                        "3": "Awaiting Problem", "4": "Awaiting Vendor", "5": "Awaiting Change"},
        "escalation": _ESCALATION, "contact_type": _CONTACT, "approval": _APPROVAL,
        "notify": {"1": "Do Not Notify", "2": "Send Email"},
        "category": {"inquiry": "Inquiry / Help", "software": "Software",
                     "hardware": "Hardware", "network": "Network", "database": "Database"},
    },
    "change_request": {
        "state": {"-5": "New", "-4": "Assess", "-3": "Authorize", "-2": "Scheduled",
                  "-1": "Implement", "0": "Review", "3": "Closed", "4": "Canceled"},
        "type": {"standard": "Standard", "normal": "Normal", "emergency": "Emergency"},
        "risk": {"1": "Very High", "2": "High", "3": "Moderate", "4": "Low"},
        "impact": _IMPACT, "urgency": _IMPACT,
        "priority": {"1": "1 - Critical", "2": "2 - High", "3": "3 - Moderate", "4": "4 - Low"},
        "scope": {"1": "Massive", "2": "Large", "3": "Medium", "4": "Small", "5": "Tiny"},
        "phase": {"requested": "Requested"}, "phase_state": {"open": "Open"},
        "reason": {},  # a choice column without labels here: "" displays as null (stackstate)
        "upon_approval": {"proceed": "Proceed to Next Task"},
        "upon_reject": {"cancel": "Cancel all future Tasks"},
        "conflict_status": {"Not Run": "Not Run", "Conflict": "Conflict",
                            "No Conflict": "No Conflict"},
        "escalation": _ESCALATION, "contact_type": _CONTACT, "approval": _APPROVAL,
        "close_code": {"successful": "Successful",
                       "successful_issues": "Successful with issues",
                       "unsuccessful": "Unsuccessful"},
    },
    "problem": {
        "state": {"1": "Open", "2": "Known Error", "3": "Pending Change", "4": "Closed/Resolved",
                  "101": "New", "102": "Assess", "103": "Root Cause Analysis",
                  "104": "Fix in Progress", "106": "Resolved", "107": "Closed"},
        "impact": _IMPACT, "urgency": _IMPACT, "priority": PRIORITY_5,
        "escalation": _ESCALATION, "contact_type": _CONTACT, "approval": _APPROVAL,
    },
    "sc_req_item": {
        "state": {"-5": "Pending", "1": "Open", "2": "Work in Progress", "3": "Closed Complete",
                  "4": "Closed Incomplete", "7": "Closed Skipped"},
        "approval": _APPROVAL, "priority": PRIORITY_5, "impact": _IMPACT, "urgency": _IMPACT,
    },
    "sysapproval_approver": {
        "state": {"not requested": "Not Yet Requested", "requested": "Requested",
                  "approved": "Approved", "rejected": "Rejected", "cancelled": "Cancelled",
                  "not_required": "No Longer Required", "duplicate": "Duplicate"},
    },
    "sysapproval_group": {"approval": _APPROVAL},
    "task_sla": {
        "stage": {"in_progress": "In progress", "cancelled": "Cancelled", "paused": "Paused",
                  "completed": "Completed", "breached": "Breached"},
    },
    "cmn_schedule_span": {
        "type": {"exclude": "Excluded", "maintenance": "Maintenance", "blackout": "Blackout"},
    },
    # the doc's GET conflict example shows not_in_maintenance_window; the other two are pk
    "conflict": {"type": {"not_in_maintenance_window": "Not In Maintenance Window",
                          "blackout": "Blackout", "ci_already_scheduled": "CI Already Scheduled"}},
    "change_task": {"state": {"-5": "Pending", "1": "Open", "2": "In Progress",
                              "3": "Closed", "4": "Canceled"},
                    "approval": _APPROVAL},
}

_TASK_DEFAULTS = {"active": "true", "approval": "not requested", "escalation": "0",
                  "knowledge": "false", "made_sla": "true", "sys_domain": "global",
                  "sys_domain_path": "/", "reassignment_count": "0"}

# Insert defaults, from the docs' POST example (INC0010002) where it shows them.
DEFAULTS: Final[dict[str, dict[str, str]]] = {
    "incident": {**_TASK_DEFAULTS, "state": "1", "incident_state": "1", "impact": "3",
                 "urgency": "3", "severity": "3", "category": "inquiry", "contact_type": "phone",
                 "notify": "1", "reopen_count": "0", "child_incidents": "0",
                 "upon_approval": "proceed", "upon_reject": "cancel"},
    "change_request": {**_TASK_DEFAULTS, "state": "-5", "type": "normal", "risk": "4",
                       "impact": "3", "urgency": "3", "priority": "4", "scope": "3",
                       "conflict_status": "Not Run", "on_hold": "false",
                       "upon_approval": "proceed", "upon_reject": "cancel"},
    "problem": {**_TASK_DEFAULTS, "state": "101", "impact": "3", "urgency": "3"},
    "sc_req_item": {**_TASK_DEFAULTS, "state": "1"},
    "change_task": {**_TASK_DEFAULTS, "state": "1"},  # pk: Open
    "sysapproval_approver": {"state": "requested"},
    "sysapproval_group": {"approval": "requested"},
}
