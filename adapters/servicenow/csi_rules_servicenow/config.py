"""The adapter's configuration: one JSON-Schema-checked mapping turned into a frozen `Settings`.

See adapters/servicenow/README.md for every option. Secrets are resolved here, from the
environment or files (`secrets.py`), so nothing downstream ever sees where they came from.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

from csi_rules.net import is_loopback
from csi_rules_servicenow.errors import ServiceNowConfigError
from csi_rules_servicenow.mapping import (
    MAPPABLE_FIELDS,
    PROFILES,
    NormalizationTables,
    build_tables,
)
from csi_rules_servicenow.secrets import Secret, resolve_plain, resolve_secret

KIND_TABLES = {"incident": "incident", "change": "change_request", "problem": "problem",
               "request": "sc_req_item"}
INCLUDES = ("task_sla", "approvals")

_NAME = {"type": "string", "minLength": 1}
_POSITIVE = {"type": "number", "exclusiveMinimum": 0}
_STRING_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_SECRET_KEYS = {f"{n}_{s}": _NAME for n in ("password", "client_secret")
                for s in ("env", "file")}
_PLAIN_KEYS = {k: _NAME for k in ("username", "username_env", "client_id", "client_id_env")}
# accepted by the schema only so that parse_settings can refuse them with a helpful message
_LITERAL_SECRETS: dict[str, Any] = {
    k: {} for k in ("password", "client_secret", "refresh_token", "token")}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["url", "auth"],
    "properties": {
        "url": {"type": "string", "pattern": "^https?://"},
        "allow_insecure_loopback": {"type": "boolean"},
        "auth": {
            "type": "object",
            "required": ["type"],
            "additionalProperties": False,
            "properties": {
                "type": {"enum": ["basic", "oauth_password", "oauth_client_credentials"]},
                "scope": _NAME,
                **_PLAIN_KEYS, **_SECRET_KEYS, **_LITERAL_SECRETS,
            },
        },
        "profile": {"enum": sorted(PROFILES)},
        "state_map": {"type": "object", "additionalProperties": _STRING_MAP},
        "priority_map": {"type": "object", "additionalProperties": {
            "type": "integer", "minimum": 1, "maximum": 5}},
        "priority_to_impact_urgency": {"type": "object", "additionalProperties": {
            "type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 3},
            "minItems": 2, "maxItems": 2}},
        "tables": {"type": "object", "additionalProperties": False,
                   "properties": {k: _NAME for k in KIND_TABLES}},
        "filters": {"type": "object", "additionalProperties": {"type": "string"}},
        "extra_fields": {"type": "object", "additionalProperties": {
            "type": "array", "items": _NAME}},
        "field_map": {"type": "object", "propertyNames": {"enum": list(MAPPABLE_FIELDS)},
                      "additionalProperties": _NAME,
                      "description": "record field -> column for fields no built-in column "
                                     "carries (service_tier: u_service_tier)"},
        "display_value": {"enum": ["all", "false"]},
        "include": {"type": "array", "items": {"enum": list(INCLUDES)}, "uniqueItems": True},
        "history": {"type": "boolean"},
        "history_page_size": {"type": "integer", "minimum": 1, "maximum": 10000},
        "page_size": {"type": "integer", "minimum": 1, "maximum": 10000},
        "overlap_seconds": {"type": "integer", "minimum": 0},
        "timeouts": {"type": "object", "additionalProperties": False,
                     "properties": {"connect": _POSITIVE, "read": _POSITIVE}},
        "retries": {"type": "object", "additionalProperties": False, "properties": {
            "max_attempts": {"type": "integer", "minimum": 1, "maximum": 20},
            "backoff_seconds": {"type": "number", "minimum": 0},
            "max_delay_seconds": {"type": "number", "minimum": 0}}},
        "journal_check": {"enum": ["journal_table", "display_value"]},
        "change_api": {"enum": ["table", "change_management"],
                       "description": "what `change open/record/close` write through: the "
                                      "Table API (default) or the Change Management API"},
    },
}
_VALIDATOR = Draft202012Validator(SCHEMA)


@dataclass(frozen=True)
class Credentials:
    type: str
    username: str = ""
    password: Secret | None = None
    client_id: str = ""
    client_secret: Secret | None = None
    scope: str = ""


@dataclass(frozen=True)
class Settings:
    url: str
    credentials: Credentials
    tables: NormalizationTables
    kind_tables: dict[str, str] = field(default_factory=lambda: dict(KIND_TABLES))
    filters: dict[str, str] = field(default_factory=dict)
    extra_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    display_value: str = "all"
    include: tuple[str, ...] = ()
    history: bool = True
    history_page_size: int = 1000
    page_size: int = 500
    overlap_seconds: int = 300
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 5
    backoff_seconds: float = 0.5
    max_delay_seconds: float = 60.0
    journal_check: str = "journal_table"
    change_api: str = "table"  # or "change_management" (sn_chg_rest, change_management.py)

    def __repr__(self) -> str:
        return f"Settings(url={self.url!r}, auth={self.credentials.type})"


def parse_settings(config: Mapping[str, Any],
                   environ: Mapping[str, str] | None = None) -> Settings:
    """Validate `config` and resolve its secrets; every problem is a ServiceNowConfigError."""
    errors = sorted(_VALIDATOR.iter_errors(config), key=lambda e: list(map(str, e.path)))
    if errors:
        first = errors[0]
        where = ".".join(map(str, first.path)) or "(config)"
        raise ServiceNowConfigError(f"{where}: {first.message}")
    env = os.environ if environ is None else environ
    url = _check_url(str(config["url"]), bool(config.get("allow_insecure_loopback", False)))
    for kind, text in config.get("filters", {}).items():
        if "^NQ" in text:
            raise ServiceNowConfigError(f"filters.{kind}: ^NQ is not allowed (the adapter "
                                        "adds its own query groups for paging)")
    timeouts = config.get("timeouts", {})
    retries = config.get("retries", {})
    return Settings(
        url=url,
        credentials=_credentials(config["auth"], env),
        tables=build_tables(config.get("profile", "default"), config.get("state_map", {}),
                            config.get("priority_map", {}),
                            config.get("priority_to_impact_urgency", {}),
                            config.get("field_map", {})),
        kind_tables={**KIND_TABLES, **config.get("tables", {})},
        filters=dict(config.get("filters", {})),
        extra_fields=_extra_fields(config),
        display_value=config.get("display_value", "all"),
        include=tuple(config.get("include", ())),
        history=bool(config.get("history", True)),
        history_page_size=config.get("history_page_size", 1000),
        page_size=config.get("page_size", 500),
        overlap_seconds=config.get("overlap_seconds", 300),
        connect_timeout=float(timeouts.get("connect", 5.0)),
        read_timeout=float(timeouts.get("read", 30.0)),
        max_attempts=retries.get("max_attempts", 5),
        backoff_seconds=float(retries.get("backoff_seconds", 0.5)),
        max_delay_seconds=float(retries.get("max_delay_seconds", 60.0)),
        journal_check=config.get("journal_check", "journal_table"),
        change_api=config.get("change_api", "table"),
    )


def _extra_fields(config: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Columns to read per kind: `extra_fields` plus every `field_map` column, for every kind."""
    mapped = tuple(config.get("field_map", {}).values())
    extra = {k: tuple(v) for k, v in config.get("extra_fields", {}).items()}
    if not mapped:
        return extra
    return {kind: tuple(dict.fromkeys(extra.get(kind, ()) + mapped)) for kind in KIND_TABLES}


def _check_url(url: str, allow_insecure_loopback: bool) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ServiceNowConfigError("url: credentials may not be part of the URL")
    if parts.query or parts.fragment:
        raise ServiceNowConfigError("url: give the instance root only (no query or fragment)")
    if parts.scheme == "http":
        if not allow_insecure_loopback:
            raise ServiceNowConfigError(f"url: {url} is not https (set allow_insecure_loopback "
                                        "only for an emulator on 127.0.0.1)")
        if not is_loopback(parts.hostname or ""):
            raise ServiceNowConfigError(f"url: plain http is allowed only on loopback, not "
                                        f"{parts.hostname}")
    return url.rstrip("/")


def _credentials(auth: Mapping[str, Any], env: Mapping[str, str]) -> Credentials:
    kind = str(auth["type"])
    for name in ("token", "refresh_token"):
        if name in auth:
            raise ServiceNowConfigError(f"auth.{name}: secrets may not be written in the config; "
                                        "the adapter obtains tokens itself")
    if kind == "basic":
        return Credentials(kind, username=resolve_plain(auth, "username", env),
                           password=resolve_secret(auth, "password", env))
    client_id = resolve_plain(auth, "client_id", env)
    client_secret = resolve_secret(auth, "client_secret", env)
    scope = str(auth.get("scope", ""))
    if kind == "oauth_password":
        return Credentials(kind, username=resolve_plain(auth, "username", env),
                           password=resolve_secret(auth, "password", env), client_id=client_id,
                           client_secret=client_secret, scope=scope)
    return Credentials(kind, client_id=client_id, client_secret=client_secret, scope=scope)
