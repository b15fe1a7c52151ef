"""Why an action of the demo's runner cycle failed, in words an admin can act on.

The emulator seeds name every group and person the example policies name (a test keeps them
in step), so what still fails in the demo is a limit of a platform or of its adapter. Each
failure is shown with the adapter's own reason; this adds the one-line why.
"""

from __future__ import annotations

from typing import Any

PLATFORMS = {"servicenow": "ServiceNow", "jira": "Jira"}

# (words in the reason, why): the first whose words all occur in it applies.
KNOWN: tuple[tuple[tuple[str, ...], str], ...] = (
    (("not attempted",),
     "held back: an earlier action of the same decision failed, and actions run in order"),
    (("request_approval.quorum",),
     "how many members of a ServiceNow group must approve is the group approval rule on "
     "the instance, not something a REST write can set: the adapter requests quorum 1 only"),
    (("jira", "request_approval"),
     "Jira Service Management opens approvals from the workflow, not through the REST API: "
     "a policy moves the issue into the approval status with jira.transition"),
    (("jira user", "match"),
     "Jira Cloud assigns only by accountId: the adapter looks the person up with user search "
     "and acts only when exactly one user matches the name the policy gives"),
    (("does not exist",),
     "the platform has no such record or person: nothing was changed"),
    (("jira", "escalate", "needs one of"),
     "Jira has no escalation level field: an escalation on Jira must name an assignee or a "
     "group to hand the issue to"),
    (("cannot carry out",),
     "a limit of the platform adapter: it refused before writing anything "
     "(see the adapter's README, 'Actions')"),
)


def why_failed(adapter: str, action: dict[str, Any]) -> str:
    """The one-line why for a failed action, or "" when the reason says it all."""
    reason = f"{adapter} {action.get('type', '')} {action.get('detail') or ''}".lower()
    for words, why in KNOWN:
        if all(w.lower() in reason for w in words):
            return why
    return ""


def platform(adapter: str) -> str:
    return PLATFORMS.get(adapter, adapter)
