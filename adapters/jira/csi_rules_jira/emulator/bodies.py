"""The request bodies Jira and JSM accept, by the bean each operation declares in the specs.

Each shape lists only what the emulator reads; unknown keys are allowed as Jira allows them.
A body that does not fit is answered 400 `Invalid request payload` by `Request.json_object`.
"""

from __future__ import annotations

from typing import Any

from csi_rules_jira.emulator.http import INTEGER, TEXT

_REF = {"id": TEXT, "key": TEXT, "name": TEXT}
_FIELD_OPS = {"*": [dict]}                      # "update": {"labels": [{"add": "x"}]}

ISSUE_UPDATE: dict[str, Any] = {                # IssueUpdateDetails (edit, create, transition)
    "fields": dict, "update": _FIELD_OPS, "transition": {"id": TEXT}, "historyMetadata": dict,
    "properties": [{"key": TEXT}],
}
SEARCH_JQL: dict[str, Any] = {                  # SearchAndReconcileRequestBean
    "jql": str, "nextPageToken": str, "maxResults": INTEGER, "fields": [str], "expand": TEXT,
    "properties": [str], "fieldsByKeys": bool, "reconcileIssues": [INTEGER],
}
SEARCH_LEGACY: dict[str, Any] = {               # SearchRequestBean (Data Center /search)
    "jql": str, "startAt": INTEGER, "maxResults": INTEGER, "fields": [str], "expand": [str],
    "properties": [str], "fieldsByKeys": bool, "validateQuery": TEXT,
}
JQL_COUNT: dict[str, Any] = {"jql": str}        # JQLCountRequestBean
ISSUE_LINK: dict[str, Any] = {                  # LinkIssueRequestJsonBean
    "type": _REF, "inwardIssue": _REF, "outwardIssue": _REF,
    "comment": {"body": (str, dict), "visibility": dict},
}
COMMENT: dict[str, Any] = {                     # Comment
    "body": (str, dict), "visibility": dict, "properties": [{"key": TEXT}],
}
ASSIGNEE: dict[str, Any] = {"accountId": TEXT, "name": TEXT, "key": TEXT}   # User
APPROVAL_ANSWER: dict[str, Any] = {"decision": TEXT}                       # ApprovalDecisionRequestDTO
REQUEST_COMMENT: dict[str, Any] = {"body": TEXT, "public": bool}           # CommentCreateDTO
CUSTOMER_TRANSITION: dict[str, Any] = {                 # CustomerTransitionExecutionDTO
    "id": TEXT, "additionalComment": {"body": TEXT}}
