"""ServiceNow choice codes the action types' schemas and the action handlers share.

A module of constants, so the action types (imported whenever csi-rules loads its plugins)
need not import the handlers and, through them, the HTTP client.
"""

from __future__ import annotations

HOLD_REASONS = {"awaiting_caller": "1", "awaiting_evidence": "2", "awaiting_problem": "3",
                "awaiting_vendor": "4", "awaiting_change": "5"}
"""Canonical hold_reason -> incident.hold_reason choice value."""
MAX_ESCALATION = 3  # the task.escalation choices: 0 Normal, 1 Moderate, 2 High, 3 Overdue
