"""Jira Cloud's deployment data as the emulator keeps it: checked, stored, gated.

Built from the Jira Software Cloud OpenAPI document (`jira-software-agile-deployments.json`,
operations submitDeployments, getDeploymentByKey, getDeploymentGatingStatusByKey). Each
deployment is checked on its own, as the document says: a broken one is rejected with its
key and messages while the others are stored. Issue keys Jira does not know are listed in
`unknownIssueKeys`; a deployment that only names unknown issues is not stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from csi_rules_jira.emulator.model import Issue
from csi_rules_jira.emulator.store import Site

STATES = ("unknown", "pending", "in_progress", "cancelled", "failed", "rolled_back",
          "successful")
ENVIRONMENT_TYPES = ("unmapped", "development", "testing", "staging", "production")
REQUIRED = ("deploymentSequenceNumber", "updateSequenceNumber", "displayName", "url",
            "description", "lastUpdated", "state", "pipeline", "environment")
ISSUE_KEY = re.compile(r"^\w{1,255}-\d{1,255}$")
ISSUE_ID_OR_KEY = re.compile(r"^(\w{1,255}-\d{1,255}|\d{1,255})$")
_DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$")
Key = tuple[str, str, int]  # pipelineId, environmentId, deploymentSequenceNumber


class BadRequest(Exception):
    """The whole submission is refused (400 with ErrorMessages)."""


@dataclass
class Stored:
    data: dict[str, Any]
    issues: list[str]           # the associated issue keys Jira knows
    stored_at: datetime


@dataclass
class Deployments:
    """Every stored deployment, by (pipelineId, environmentId, deploymentSequenceNumber)."""

    items: dict[Key, Stored] = field(default_factory=dict)

    def get(self, key: Key) -> Stored | None:
        return self.items.get(key)


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _text(value: Any, limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit


def _uri(value: Any) -> bool:
    return _text(value, 2000) and bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$", value))


def key_of(item: Any) -> Key:
    """The deployment's key, or BadRequest when the item cannot even be named."""
    if not isinstance(item, dict):
        raise BadRequest("Each deployment must be a JSON object.")
    pipeline, environment = item.get("pipeline"), item.get("environment")
    seq = item.get("deploymentSequenceNumber")
    if not (isinstance(pipeline, dict) and isinstance(environment, dict) and _integer(seq)
            and _text(pipeline.get("id"), 255) and _text(environment.get("id"), 255)):
        raise BadRequest("Each deployment needs deploymentSequenceNumber (integer), "
                         "pipeline.id and environment.id.")
    return str(pipeline["id"]), str(environment["id"]), int(str(seq))


def problems(item: dict[str, Any]) -> list[str]:
    """Every way one deployment breaks the DeploymentData schema."""
    out = [f"'{name}' is required." for name in REQUIRED if item.get(name) is None]
    checks = (("updateSequenceNumber", _integer, "must be an integer"),
              ("displayName", lambda v: _text(v, 255), "must be a string of at most 255"),
              ("description", lambda v: _text(v, 255), "must be a string of at most 255"),
              ("label", lambda v: _text(v, 255), "must be a string of at most 255"),
              ("url", _uri, "must be a URI"),
              ("lastUpdated", lambda v: isinstance(v, str) and bool(_DATE_TIME.match(v)),
               "must be an RFC 3339 date-time"),
              ("state", lambda v: v in STATES, f"must be one of {', '.join(STATES)}"),
              ("schemaVersion", lambda v: v == "1.0", "must be '1.0'"))
    out += [f"'{name}' {why}." for name, ok, why in checks
            if item.get(name) is not None and not ok(item[name])]
    pipeline, environment = item.get("pipeline") or {}, item.get("environment") or {}
    for name in ("displayName", "url"):
        if not (_uri(pipeline.get(name)) if name == "url" else _text(pipeline.get(name), 255)):
            out.append(f"'pipeline.{name}' is required and must be valid.")
    if not _text(environment.get("displayName"), 255):
        out.append("'environment.displayName' is required.")
    if environment.get("type") not in ENVIRONMENT_TYPES:
        out.append(f"'environment.type' must be one of {', '.join(ENVIRONMENT_TYPES)}.")
    if item.get("issueKeys") is None and item.get("associations") is None:
        out.append("One of 'issueKeys' or 'associations' is required.")
    out += _association_problems(item)
    return out


def _association_problems(item: dict[str, Any]) -> list[str]:
    out = []
    keys = item.get("issueKeys")
    if keys is not None and not (isinstance(keys, list) and 1 <= len(keys) <= 100 and
                                 all(isinstance(k, str) and ISSUE_KEY.match(k) for k in keys)):
        out.append("'issueKeys' must hold 1 to 100 issue keys (ABC-123).")
    associations = item.get("associations")
    if associations is None:
        return out
    if not isinstance(associations, list):
        return [*out, "'associations' must be a list."]
    count = 0
    for i, a in enumerate(associations):
        kind = a.get("associationType") if isinstance(a, dict) else None
        values = a.get("values") if isinstance(a, dict) else None
        if kind not in ("issueKeys", "issueIdOrKeys", "serviceIdOrKeys"):
            out.append(f"'associations[{i}].associationType' is not valid.")
            continue
        if not isinstance(values, list) or not 1 <= len(values) <= 500:
            out.append(f"'associations[{i}].values' must hold 1 to 500 values.")
            continue
        count += len(values)
        pattern = None if kind == "serviceIdOrKeys" else ISSUE_ID_OR_KEY
        if not all(isinstance(v, str) and (pattern.match(v) if pattern else len(v) <= 255)
                   for v in values):
            out.append(f"'associations[{i}].values' holds a value that is not valid.")
    if count > 500:
        out.append("The associations hold more than 500 values.")
    return out


def issue_refs(item: dict[str, Any]) -> list[str]:
    """Every issue key or id the deployment names, in order, once each."""
    refs = list(item.get("issueKeys") or ())
    for a in item.get("associations") or ():
        if a.get("associationType") in ("issueKeys", "issueIdOrKeys"):
            refs += a["values"]
    return list(dict.fromkeys(refs))


def submit(site: Site, store: Deployments, body: Any) -> dict[str, Any]:
    """submitDeployments: the 202 answer (accepted, rejected, unknown issue keys)."""
    if not isinstance(body, dict) or not isinstance(body.get("deployments"), list) \
            or not body["deployments"]:
        raise BadRequest("'deployments' is required and must hold at least one deployment.")
    props = body.get("properties")
    if props is not None and not (isinstance(props, dict) and len(props) <= 5 and all(
            isinstance(v, str) and len(v) <= 255 and ":" not in k and not k.startswith("_")
            for k, v in props.items())):
        raise BadRequest("'properties' takes at most 5 string values; keys cannot contain ':' "
                         "or start with '_'.")
    keys = [key_of(item) for item in body["deployments"]]
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    unknown: list[str] = []
    with site.lock:
        for key, item in zip(keys, body["deployments"], strict=True):
            named = {"pipelineId": key[0], "environmentId": key[1],
                     "deploymentSequenceNumber": key[2]}
            found = problems(item)
            if found:
                rejected.append({"key": named, "errors": [{"message": m} for m in found]})
                continue
            known: list[str] = []
            for ref in issue_refs(item):
                issue = site.issue(ref)
                if issue is None:
                    unknown.append(ref)
                else:
                    known.append(issue.key)
            if not known:
                continue  # only unknown issues: not persisted (the document's words)
            old = store.items.get(key)
            if old is None or old.data["updateSequenceNumber"] < item["updateSequenceNumber"]:
                data = {**item, "schemaVersion": item.get("schemaVersion", "1.0")}
                store.items[key] = Stored(data, list(dict.fromkeys(known)), site.clock())
            accepted.append(named)
    answer: dict[str, Any] = {"acceptedDeployments": accepted, "rejectedDeployments": rejected,
                              "unknownIssueKeys": [k for k in dict.fromkeys(unknown)
                                                   if ISSUE_KEY.match(k)]}
    return answer


def change_verdict(issue: Issue) -> str:
    """How one change request gates a deployment, as JSM derives it from its approvals.

    Declined (an approval declined, or the workflow's declined status) prevents; a pending
    approval, or a change not yet past its approval step, keeps the deployment awaiting;
    approved (or moved on past approval, as a pre-approved standard change is) allows.
    """
    rule = issue.project.workflow.approval
    if any(a.final == "declined" for a in issue.approvals) or \
            issue.status in (rule.get("declined"), "Canceled", "Cancelled", "Failed"):
        return "prevented"
    category = issue.project.workflow.statuses[issue.status]["category"]
    if any(a.final == "pending" for a in issue.approvals) or issue.status == \
            rule.get("status") or category == "new":
        return "awaiting"
    return "allowed"


def gating(site: Site, stored: Stored, base_url: str) -> tuple[str, list[dict[str, str]]]:
    """The gatingStatus and its details for a stored deployment."""
    changes = [issue for issue in (site.issue(k) for k in stored.issues)
               if issue is not None and issue.issue_type == "Change"]
    if not changes:
        return "invalid", []
    verdicts = [change_verdict(issue) for issue in changes]
    status = next((v for v in ("prevented", "awaiting") if v in verdicts), "allowed")
    details = [{"type": "issue", "issueKey": issue.key, "issueLink": f"{base_url}/browse/{issue.key}"}
               for issue in changes]
    return status, details
