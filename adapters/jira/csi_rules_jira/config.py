"""The adapter's configuration: schema-checked, secrets resolved, defaults filled in."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

from csi_rules.net import is_loopback
from csi_rules.records.vocabulary import state_values
from csi_rules_jira.change_settings import SCHEMA as CHANGES_SCHEMA
from csi_rules_jira.change_settings import ChangeSettings, parse_changes
from csi_rules_jira.errors import JiraConfigError
from csi_rules_jira.secrets import Secret, default_environ, read_secret

Deployment = Literal["cloud", "datacenter"]

DEFAULT_PRIORITY_MAP: dict[str, int] = {
    "Highest": 1, "High": 2, "Medium": 3, "Low": 4, "Lowest": 5,
    "Blocker": 1, "Critical": 1, "Major": 2, "Minor": 4, "Trivial": 5,
}
DEFAULT_KIND_MAP: dict[str, str] = {
    "Incident": "incident", "Bug": "incident", "Change": "change", "Problem": "problem",
    "Service Request": "request", "Service request": "request",
    "Service Request with Approvals": "request", "Task": "request",
}
DEFAULT_PRACTICE_MAP: dict[str, str] = {
    "incidents": "incident", "incident-management": "incident", "change": "change",
    "change-management": "change", "problem": "problem", "problem-management": "problem",
    "service-request": "request", "service-requests": "request",
}

_STR = {"type": "string", "minLength": 1}
_STRMAP = {"type": "object", "additionalProperties": {"type": "string"}}
_STATES = list(state_values(("incident", "change", "problem", "request")))
_STATEMAP = {"type": "object", "additionalProperties": {"enum": _STATES},
             "description": "Jira status name -> record state (the record contract's vocabulary)"}
CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["base_url", "auth", "projects"],
    "properties": {
        "base_url": {**_STR, "description": "Site root; must be https "
                                           "(see allow_insecure_loopback)."},
        "allow_insecure_loopback": {
            "type": "boolean",
            "description": "Permit plain http for a loopback base_url (127.0.0.1, ::1, localhost) "
                           "only, e.g. the bundled emulator; credentials would otherwise travel "
                           "in clear text. Default false.",
        },
        "deployment": {"enum": ["auto", "cloud", "datacenter"]},
        "auth": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "type": {"enum": ["basic", "bearer"]},
                "email": _STR, "email_env": _STR,
                "token": {}, "token_env": _STR, "token_file": _STR,
            },
        },
        "projects": {"type": "array", "items": _STR, "minItems": 1},
        "jql": _STR,
        "page_size": {"type": "integer", "minimum": 1, "maximum": 5000},
        "overlap_minutes": {"type": "integer", "minimum": 1, "maximum": 1440},
        "field_map": _STRMAP,
        "raw_fields": {**_STRMAP, "description": "raw.<name> -> Jira field id, so a policy's "
                       "raw.<name> reads the same on Jira as on ServiceNow (raw.u_vip)"},
        "status_map": _STATEMAP,
        "project_status_map": {"type": "object", "additionalProperties": _STATEMAP,
                               "description": "per project key: status name -> record state"},
        "priority_map": {"type": "object", "additionalProperties":
                         {"type": "integer", "minimum": 1, "maximum": 5}},
        "kind_map": {"type": "object", "additionalProperties":
                     {"enum": ["incident", "change", "problem", "request"]}},
        "default_kind": {"enum": ["incident", "change", "problem", "request", None]},
        "service_desk_projects": {"type": "array", "items": _STR},
        "sla": {"type": "boolean"},
        "approvals": {"type": "boolean"},
        "changelog": {"type": "boolean"},
        "internal_comment_visibility": {
            "type": "object", "additionalProperties": False, "required": ["type", "value"],
            "properties": {"type": {"enum": ["role", "group"]}, "value": _STR},
        },
        "blocked_label": _STR,
        "max_retries": {"type": "integer", "minimum": 0, "maximum": 10},
        "max_retry_delay": {"type": "number", "minimum": 0},
        "timeout": {"type": "number", "exclusiveMinimum": 0},
        "state_file": _STR,
        "changes": CHANGES_SCHEMA,
    },
}
_VALIDATOR = Draft202012Validator(CONFIG_SCHEMA)


@dataclass(frozen=True)
class JiraConfig:
    """Everything the adapter needs; `auth_header` holds the only secret, masked in repr."""

    base_url: str
    auth_header: Secret = field(repr=False)
    projects: tuple[str, ...]
    deployment: Literal["auto", "cloud", "datacenter"] = "auto"
    jql: str = ""
    page_size: int = 100
    overlap_minutes: int = 1
    field_map: Mapping[str, str] = field(default_factory=dict)
    raw_fields: Mapping[str, str] = field(default_factory=dict)
    status_map: Mapping[str, str] = field(default_factory=dict)
    project_status_map: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    priority_map: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_PRIORITY_MAP))
    kind_map: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_KIND_MAP))
    default_kind: str | None = "incident"
    service_desk_projects: tuple[str, ...] = ()
    sla: bool = True
    approvals: bool = True
    changelog: bool = True
    internal_comment_visibility: Mapping[str, str] | None = None
    blocked_label: str = "csi-rules-blocked"
    max_retries: int = 4
    max_retry_delay: float = 60.0
    timeout: float = 30.0
    state_file: str = ""
    changes: ChangeSettings | None = None  # the pipeline's change (change_settings.py)

    def priority_name(self, priority: int) -> str | None:
        """The first Jira priority name configured for a 1..5 priority."""
        for name, value in self.priority_map.items():
            if value == priority:
                return name
        return None


def parse_config(raw: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> JiraConfig:
    """Validate `raw` (every problem reported at once) and resolve the credential it points to."""
    errors = sorted(_VALIDATOR.iter_errors(dict(raw)), key=lambda e: list(map(str, e.path)))
    if errors:
        raise JiraConfigError("; ".join(
            f"{'.'.join(map(str, e.path)) or '(config)'}: {e.message}" for e in errors))
    env = default_environ() if environ is None else environ
    base_url = _check_base_url(str(raw["base_url"]).rstrip("/"),
                               bool(raw.get("allow_insecure_loopback", False)))
    auth = dict(raw["auth"])
    return JiraConfig(
        base_url=base_url,
        auth_header=_auth_header(auth, env),
        projects=tuple(raw["projects"]),
        deployment=raw.get("deployment", "auto"),
        jql=raw.get("jql", ""),
        page_size=raw.get("page_size", 100),
        overlap_minutes=raw.get("overlap_minutes", 1),
        field_map=dict(raw.get("field_map", {})),
        raw_fields=dict(raw.get("raw_fields", {})),
        status_map=dict(raw.get("status_map", {})),
        project_status_map={k: dict(v) for k, v in raw.get("project_status_map", {}).items()},
        priority_map=dict(raw.get("priority_map", DEFAULT_PRIORITY_MAP)),
        kind_map=dict(raw.get("kind_map", DEFAULT_KIND_MAP)),
        default_kind=raw.get("default_kind", "incident"),
        service_desk_projects=tuple(raw.get("service_desk_projects", ())),
        sla=raw.get("sla", True),
        approvals=raw.get("approvals", True),
        changelog=raw.get("changelog", True),
        internal_comment_visibility=raw.get("internal_comment_visibility"),
        blocked_label=raw.get("blocked_label", "csi-rules-blocked"),
        max_retries=raw.get("max_retries", 4),
        max_retry_delay=float(raw.get("max_retry_delay", 60.0)),
        timeout=float(raw.get("timeout", 30.0)),
        state_file=raw.get("state_file", ""),
        changes=parse_changes(raw.get("changes")),
    )


def _check_base_url(base_url: str, allow_insecure_loopback: bool) -> str:
    """Refuse URLs that would send the API token in clear text (http off loopback)."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise JiraConfigError(f"base_url: {base_url!r} is not an http(s) URL")
    if parts.username or parts.password:
        raise JiraConfigError("base_url: must not contain credentials (use auth.token_env)")
    if parts.scheme == "http":
        if not is_loopback(parts.hostname):
            raise JiraConfigError(f"base_url: {base_url!r} must use https (plain http is allowed "
                                  "only for 127.0.0.1/::1/localhost with allow_insecure_loopback)")
        if not allow_insecure_loopback:
            raise JiraConfigError(f"base_url: {base_url!r} is not https; set "
                                  "allow_insecure_loopback: true only for a local emulator")
    return base_url


def _auth_header(auth: Mapping[str, Any], env: Mapping[str, str]) -> Secret:
    """`Basic base64(email:token)` for Cloud API tokens, `Bearer <PAT>` for Data Center."""
    kind = auth.get("type") or ("basic" if ("email" in auth or "email_env" in auth) else "bearer")
    token = read_secret(auth, "token", env)
    if kind == "bearer":
        return Secret(f"Bearer {token.reveal()}")
    email = auth.get("email") or env.get(str(auth.get("email_env", "")), "")
    if not email:
        raise JiraConfigError("auth: basic auth needs email (or email_env) with the API token")
    pair = f"{email}:{token.reveal()}".encode()
    return Secret(f"Basic {base64.b64encode(pair).decode('ascii')}")
