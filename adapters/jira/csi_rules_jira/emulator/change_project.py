"""A JSM change-management project for the emulator, and approvals opened on entering a step.

`with_change_project(seed)` adds project CHG with the statuses of JSM's IT service management
change workflow (Open, Planning, Awaiting approval, Awaiting implementation, Implementing,
Review, Completed, Failed, Declined, Canceled). The default seed is left as it is, so tests
that count projects or issues see what they always saw.

`open_approvals(site)` does what a JSM approval step does: when an issue enters the
workflow's approval status and the workflow names approvers, a pending approval is opened
for them; answering it (servicedeskapi) moves the issue on (Site.answer_approval).
"""

from __future__ import annotations

import copy
from typing import Any

from csi_rules_jira.emulator.model import Approval, Comment, Issue
from csi_rules_jira.emulator.store import Site

KEY = "CHG"
_STATUSES = [("10200", "Open", "new"), ("10201", "Planning", "new"),
             ("10202", "Awaiting approval", "indeterminate"),
             ("10203", "Awaiting implementation", "indeterminate"),
             ("10204", "Implementing", "indeterminate"), ("10205", "Review", "indeterminate"),
             ("10206", "Completed", "done"), ("10207", "Failed", "done"),
             ("10208", "Declined", "done"), ("10209", "Canceled", "done")]
_TRANSITIONS = [
    ("11", "Plan", ["Open"], "Planning"),
    ("21", "Request approval", ["Open", "Planning"], "Awaiting approval"),
    ("31", "Mark as pre-approved", ["Open", "Planning"], "Awaiting implementation"),
    ("41", "Implement", ["Awaiting implementation"], "Implementing"),
    ("51", "Review", ["Implementing"], "Review"),
    ("61", "Complete", ["Implementing", "Review"], "Completed"),
    ("71", "Mark as failed", ["Implementing", "Review"], "Failed"),
    ("81", "Cancel", ["Open", "Planning", "Awaiting approval", "Awaiting implementation"],
     "Canceled"),
]
WORKFLOW: dict[str, Any] = {
    "statuses": [{"id": i, "name": n, "category": c} for i, n, c in _STATUSES],
    "transitions": [{"id": i, "name": n, "from": f, "to": t} for i, n, f, t in _TRANSITIONS],
    "approval": {"status": "Awaiting approval", "approved": "Awaiting implementation",
                 "declined": "Declined", "approvers": ["duty.manager"]},
}
PROJECT: dict[str, Any] = {
    "id": "10010", "key": KEY, "name": "Change management", "workflow": "change",
    "serviceDeskId": "2",
    "requestTypes": [{"id": "20", "name": "Request a change", "issueType": "Change",
                      "practice": "change"}],
    "slas": [],
}


def with_change_project(seed: dict[str, Any]) -> dict[str, Any]:
    """A copy of `seed` with the CHG project and its change workflow added."""
    out = copy.deepcopy(seed)
    out.setdefault("workflows", {})["change"] = copy.deepcopy(WORKFLOW)
    out.setdefault("projects", []).append(copy.deepcopy(PROJECT))
    return out


def open_approvals(site: Site) -> None:
    """Listen for issues entering an approval status whose workflow names approvers."""

    def on_change(event: str, issue: Issue, entries: list[dict[str, Any]], by: str,
                  comment: Comment | None) -> None:
        rule = issue.project.workflow.approval
        approvers: Any = rule.get("approvers")
        entered = any(e.get("field") == "status" and e.get("toString") == rule.get("status")
                      for e in entries)
        if not approvers or not entered:
            return
        with site.lock:
            users = [site.user(name) for name in approvers]
            number = str(len(issue.approvals) + 1)
            issue.approvals.append(Approval(
                f"{issue.id}{number}", "Change approval",
                {u.account_id: "pending" for u in users if u is not None}, "pending",
                site.clock()))

    site.listeners.append(on_change)
