"""Jira Cloud's deployments API: submit a pipeline's deployment against its change, read one back.

The pipeline names the deployment (pipeline id, environment, sequence number); the change
issue is its association, so Jira shows the deployment on the change and JSM can gate it.
Submissions are idempotent by nature: the same key with a higher `updateSequenceNumber`
replaces the stored data, a lower one is ignored, so a retried step does no harm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from csi_rules.errors import AdapterError, RecordNotFound, UsageError
from csi_rules_jira.transport import Transport

STATES = {"pending": "pending", "started": "in_progress", "succeeded": "successful",
          "failed": "failed"}


@dataclass(frozen=True)
class DeploymentTarget:
    """Which deployment a pipeline step is: its pipeline, environment and sequence number."""

    pipeline_id: str
    environment: str
    number: int
    environment_type: str = "production"
    url: str = ""          # the run's page (the build URL); the change's page when unknown

    def key_path(self) -> str:
        return (f"/pipelines/{quote(self.pipeline_id, safe='')}/environments/"
                f"{quote(self.environment, safe='')}/deployments/{self.number}")


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def deployment_data(target: DeploymentTarget, change_key: str, phase: str, at: datetime,
                    summary: str, fallback_url: str) -> dict[str, Any]:
    """One DeploymentData item (the document's required fields, associations to the change)."""
    url = target.url or fallback_url
    return {
        "deploymentSequenceNumber": target.number,
        "updateSequenceNumber": int(at.timestamp() * 1000),
        "displayName": f"{target.pipeline_id} #{target.number} to {target.environment}"[:255],
        "url": url, "description": summary[:255] or f"Deployment for {change_key}",
        "lastUpdated": _stamp(at), "state": STATES[phase],
        "pipeline": {"id": target.pipeline_id, "displayName": target.pipeline_id[:255],
                     "url": url},
        "environment": {"id": target.environment, "displayName": target.environment,
                        "type": target.environment_type},
        "associations": [{"associationType": "issueIdOrKeys", "values": [change_key]}],
        "schemaVersion": "1.0",
    }


def submit(transport: Transport, data: dict[str, Any]) -> None:
    """POST /bulk with one deployment; a rejection or an unknown change key is an error.

    Sent once (a write): a lost answer is made good by the next step's submission, which
    carries a higher updateSequenceNumber for the same deployment key."""
    answer: Any = transport.write("POST", "/bulk", {"deployments": [data]}) or {}
    for rejected in answer.get("rejectedDeployments") or ():
        messages = "; ".join(str(e.get("message")) for e in rejected.get("errors") or ())
        raise AdapterError(f"jira: the deployments API rejected the deployment: {messages}",
                           system="jira", status=202)
    unknown = answer.get("unknownIssueKeys") or []
    if unknown:
        raise AdapterError(f"jira: the deployments API does not know issue(s) "
                           f"{', '.join(map(str, unknown))}", system="jira", status=202)


def associated_issues(transport: Transport, target: DeploymentTarget) -> list[str] | None:
    """The issue keys/ids a stored deployment names; None when Jira has no such deployment."""
    try:
        data: Any = transport.read(target.key_path()) or {}
    except RecordNotFound:
        return None
    refs = list(data.get("issueKeys") or ())
    for association in data.get("associations") or ():
        if association.get("associationType") in ("issueKeys", "issueIdOrKeys"):
            refs += association.get("values") or []
    return [str(r) for r in dict.fromkeys(refs)]


def target_from(pipeline: str | None, environment: str | None, number: str | int | None,
                environment_type: str, url: str = "") -> DeploymentTarget:
    """A target from command-line words; all three names are needed together."""
    if not (pipeline and environment and number not in (None, "")):
        raise UsageError("a Jira deployment needs --pipeline, --environment and "
                         "--deployment-number together")
    try:
        seq = int(str(number))
    except ValueError:
        raise UsageError(f"--deployment-number: {number!r} is not a whole number") from None
    return DeploymentTarget(str(pipeline), str(environment), seq, environment_type, url)
