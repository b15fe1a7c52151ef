"""The `changes:` section of the Jira adapter's config: where a pipeline's change is opened and
which workflow steps `change open|record|close` take it through.

Defaults follow JSM's IT service management change workflow (Open, Planning, Awaiting
approval, Awaiting implementation, Implementing, Review, Completed, Failed, Declined,
Canceled) and Jira Cloud's default resolutions (Done, Won't Do). A step is a list of status
names walked in order, one transition each, so a site whose workflow needs two hops says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

_STR = {"type": "string", "minLength": 1}
_PATH = {"anyOf": [_STR, {"type": "array", "items": _STR, "minItems": 1}]}
STEPS = ("standard", "normal", "emergency", "started", "succeeded", "failed", "successful",
         "successful_issues", "unsuccessful")
DEFAULT_STEPS: dict[str, tuple[str, ...]] = {
    "standard": ("Awaiting implementation",),   # pre-approved: no approval step
    "normal": ("Awaiting approval",), "emergency": ("Awaiting approval",),
    "started": ("Implementing",), "succeeded": ("Review",), "failed": ("Review",),
    "successful": ("Completed",), "successful_issues": ("Completed",),
    "unsuccessful": ("Failed",),
}
DEFAULT_RESOLUTIONS = {"successful": "Done", "successful_issues": "Done",
                       "unsuccessful": "Won't Do"}
DEFAULT_TYPE_VALUES = {"standard": "Standard", "normal": "Normal", "emergency": "Emergency"}
DEFAULT_RISK_VALUES = {"low": "Low", "moderate": "Medium", "high": "High",
                       "very_high": "Critical"}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["project"],
    "description": "Where `csi-rules change open` creates a pipeline's change and how "
                   "record/close move it through the workflow.",
    "properties": {
        "project": {**_STR, "description": "project key of the JSM change project"},
        "issue_type": {**_STR, "description": "issue type of a change (default Change)"},
        "change_type_values": {"type": "object", "additionalProperties": False,
                               "properties": {k: _STR for k in DEFAULT_TYPE_VALUES},
                               "description": "option of field_map.change_type per change type"},
        "risk_values": {"type": "object", "additionalProperties": False,
                        "properties": {k: _STR for k in DEFAULT_RISK_VALUES},
                        "description": "option of field_map.risk per record risk"},
        "steps": {"type": "object", "additionalProperties": False,
                  "properties": {k: _PATH for k in STEPS},
                  "description": "status name(s) each step walks to (see README)"},
        "resolutions": {"type": "object", "additionalProperties": False,
                        "properties": {k: _STR for k in DEFAULT_RESOLUTIONS},
                        "description": "resolution set on close, per close code"},
        "run_label_prefix": {**_STR, "description": "label that finds a run's change "
                             "(default csi-rules-run-)"},
        "deployments": {
            "type": "object", "additionalProperties": False,
            "description": "Jira Cloud deployments API (change open/record --pipeline ...)",
            "properties": {
                "url": {**_STR, "description": "API root (default BASE_URL/rest/deployments/"
                        "0.1; api.atlassian.com/jira/deployments/0.1/cloud/CLOUD_ID for an "
                        "OAuth integration)"},
                "token_env": {**_STR, "description": "env var holding the bearer token for "
                              "the deployments API (default: the adapter's own auth)"},
                "environment_type": {"enum": ["unmapped", "development", "testing", "staging",
                                              "production"]},
            },
        },
    },
}


@dataclass(frozen=True)
class DeploymentSettings:
    url: str = ""
    token_env: str = ""
    environment_type: str = "production"


@dataclass(frozen=True)
class ChangeSettings:
    project: str
    issue_type: str = "Change"
    change_type_values: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TYPE_VALUES))
    risk_values: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_RISK_VALUES))
    steps: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEFAULT_STEPS))
    resolutions: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_RESOLUTIONS))
    run_label_prefix: str = "csi-rules-run-"
    deployments: DeploymentSettings = field(default_factory=DeploymentSettings)


def parse_changes(raw: Mapping[str, Any] | None) -> ChangeSettings | None:
    """The settings from an already schema-checked `changes:` mapping (None when absent)."""
    if not raw:
        return None
    steps = dict(DEFAULT_STEPS)
    for name, path in (raw.get("steps") or {}).items():
        steps[name] = (path,) if isinstance(path, str) else tuple(path)
    deploy = raw.get("deployments") or {}
    return ChangeSettings(
        project=str(raw["project"]), issue_type=str(raw.get("issue_type", "Change")),
        change_type_values={**DEFAULT_TYPE_VALUES, **(raw.get("change_type_values") or {})},
        risk_values={**DEFAULT_RISK_VALUES, **(raw.get("risk_values") or {})},
        steps=steps, resolutions={**DEFAULT_RESOLUTIONS, **(raw.get("resolutions") or {})},
        run_label_prefix=str(raw.get("run_label_prefix", "csi-rules-run-")),
        deployments=DeploymentSettings(str(deploy.get("url", "")),
                                       str(deploy.get("token_env", "")),
                                       str(deploy.get("environment_type", "production"))))
