"""The field catalogue: which fields a record kind has and what type each holds.

Policies are checked against this table (unknown field paths are validation errors), the
record JSON Schema is generated from it, and the engine uses the types to compare values
without coercion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from csi_rules.records.vocabulary import HOLD_REASONS, STATES, STATUS_CATEGORIES

FieldType = Literal["string", "integer", "number", "datetime", "string[]", "object", "boolean"]

RECORD_KINDS: tuple[str, ...] = ("incident", "change", "problem", "request")
ALL_KINDS = frozenset(RECORD_KINDS)
CHANGE_ONLY = frozenset({"change"})
CHANGE_TYPES = ("standard", "normal", "emergency")
RISK_LEVELS = ("low", "moderate", "high", "very_high")
APPROVAL_STATES = ("not_requested", "requested", "approved", "rejected")


@dataclass(frozen=True)
class FieldSpec:
    """One record field: its type, which kinds carry it, and whether the engine derives it."""

    name: str
    type: FieldType
    description: str
    kinds: frozenset[str] = ALL_KINDS
    enum: tuple[str, ...] | None = None
    minimum: int | None = None
    maximum: int | None = None
    required: bool = False
    derived: bool = False
    vocabulary: Mapping[str, tuple[str, ...]] | None = field(default=None, hash=False)
    """Per-kind canonical values; a platform value outside it is kept as `code:<value>`."""


FIELDS: dict[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec("id", "string", "Platform identifier (ServiceNow sys_id, Jira issue id).",
                  required=True),
        FieldSpec("number", "string", "Human-facing number or key (INC0010001, ITSM-42)."),
        FieldSpec("platform", "string", "Where the record lives: servicenow, jira, file, ..."),
        FieldSpec("kind", "string", "Record kind.", enum=RECORD_KINDS, required=True),
        FieldSpec("state", "string", "Workflow state in the contract's vocabulary for the record's "
                  "kind (see Record states); an unmapped platform value is `code:<value>`.",
                  vocabulary=STATES),
        FieldSpec("hold_reason", "string", "Why an on_hold ticket waits (ServiceNow hold reason, "
                  "JSM waiting-for-customer, UCI Awaiting ...).", enum=HOLD_REASONS),
        FieldSpec("status_category", "string", "Where the state sits: new, in_progress or done "
                  "(Jira's status category; derived from state elsewhere).",
                  enum=STATUS_CATEGORIES),
        FieldSpec("resolution_code", "string", "How it ended, as the platform names it "
                  "(ServiceNow close code, Jira resolution)."),
        FieldSpec("priority", "integer", "1 (critical) .. 5 (planning).", minimum=1, maximum=5),
        FieldSpec("impact", "integer", "1 (high) .. 3 (low).", minimum=1, maximum=3),
        FieldSpec("urgency", "integer", "1 (high) .. 3 (low).", minimum=1, maximum=3),
        FieldSpec("category", "string", "Category of the ticket."),
        FieldSpec("subcategory", "string", "Subcategory of the ticket."),
        FieldSpec("service", "string", "Business service affected."),
        FieldSpec("service_tier", "string", "Tier of the affected service (gold, silver, ...)."),
        FieldSpec("short_description", "string", "One-line summary."),
        FieldSpec("description", "string", "Long description."),
        FieldSpec("caller", "string", "Who reported or requested it."),
        FieldSpec("assignment_group", "string", "Group the ticket is assigned to."),
        FieldSpec("assignee", "string", "Person the ticket is assigned to."),
        FieldSpec("configuration_items", "string[]", "Affected configuration items (CIs)."),
        FieldSpec("labels", "string[]", "Free-form labels or tags."),
        FieldSpec("reassignment_count", "integer", "Times the ticket changed group.", minimum=0),
        FieldSpec("reopen_count", "integer", "Times the ticket was reopened.", minimum=0),
        FieldSpec("opened_at", "datetime", "When the ticket was opened."),
        FieldSpec("updated_at", "datetime", "Last update on the platform."),
        FieldSpec("resolved_at", "datetime", "When it was resolved, if it was."),
        FieldSpec("closed_at", "datetime", "When it was closed, if it was."),
        FieldSpec("change_type", "string", "Change model.", kinds=CHANGE_ONLY, enum=CHANGE_TYPES),
        FieldSpec("risk", "string", "Assessed risk of the change.", kinds=CHANGE_ONLY,
                  enum=RISK_LEVELS),
        FieldSpec("planned_start", "datetime", "Planned start of the change window.",
                  kinds=CHANGE_ONLY),
        FieldSpec("planned_end", "datetime", "Planned end of the change window.",
                  kinds=CHANGE_ONLY),
        FieldSpec("approval", "string", "Approval state.", kinds=CHANGE_ONLY | {"request"},
                  enum=APPROVAL_STATES),
        FieldSpec("backout_plan", "string", "How the change is rolled back.", kinds=CHANGE_ONLY),
        FieldSpec("test_plan", "string", "How the change is verified.", kinds=CHANGE_ONLY),
        FieldSpec("implementation_plan", "string", "How the change is carried out.",
                  kinds=CHANGE_ONLY),
        FieldSpec("cab_required", "boolean", "Whether the change needs a CAB decision.",
                  kinds=CHANGE_ONLY),
        FieldSpec("raw", "object", "The platform's own fields, untouched (raw.<name>)."),
        FieldSpec("unmapped", "object", "Platform values the adapter had no mapping for, by record "
                  "field ({state: '9', priority: 'Normal'}): kept visible, never dropped."),
        FieldSpec("age_seconds", "number", "Seconds from opened_at to the evaluation's now.",
                  derived=True),
        FieldSpec("idle_seconds", "number", "Seconds from updated_at to the evaluation's now.",
                  derived=True),
    )
}


def field_spec(path: str) -> FieldSpec | None:
    """The spec governing a dotted path; `raw.anything` is governed by `raw` (untyped)."""
    head = path.split(".", 1)[0]
    spec = FIELDS.get(head)
    if spec is None:
        return None
    if "." in path and spec.type != "object":
        return None
    return spec


def fields_for_kind(kind: str) -> list[str]:
    """Field names a policy may reference for records of `kind`."""
    return [name for name, spec in FIELDS.items() if kind in spec.kinds]
