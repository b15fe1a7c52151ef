"""JSON Schema of the runner config file (`csi-rules run --config FILE`)."""

from __future__ import annotations

from typing import Any

from csi_rules.records.fields import RECORD_KINDS
from csi_rules.runtime.backlog import BACKLOG_MODES
from csi_rules.runtime.postgres_config import STATE_PROPERTIES
from csi_rules.sla.durations import DURATION_SCHEMA

_NAME = {"type": "string", "pattern": "^[a-z][a-z0-9_.-]*$",
         "description": "lower-case name: letters, digits, '_', '.', '-'"}
_SECRET = {
    "secretEnv": {"type": "string", "minLength": 1,
                  "description": "environment variable that holds the shared secret"},
    "secretFile": {"type": "string", "minLength": 1,
                   "description": "file that holds the shared secret"},
}


def _webhook(description: str) -> dict[str, Any]:
    return {"type": "object", "description": description, "additionalProperties": False,
            "required": ["adapter"],
            "properties": {"adapter": {**_NAME, "description": "adapter (by name) to re-read "
                                       "the record from"}, **_SECRET}}


ADAPTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "kinds"],
    "properties": {
        "name": {**_NAME, "description": "this connection's name (unique in the file)"},
        "type": {**_NAME, "description": "adapter plugin (servicenow, jira, ...); "
                 "default: the name"},
        "kinds": {"type": "array", "minItems": 1, "uniqueItems": True,
                  "items": {"enum": list(RECORD_KINDS)},
                  "description": "record kinds to watch"},
        "fields": {"type": "array", "items": {"type": "string", "minLength": 1},
                   "description": "extra platform fields policies read as raw.<name>"},
        "settings": {"type": "object",
                     "description": "the adapter's own settings (see its README)"},
    },
}

CHANNEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["transport"],
    "properties": {
        "transport": {**_NAME, "description": "transport plugin: smtp, slack, teams, webhook, "
                      "pagerduty, opsgenie, ..."},
        "settings": {"type": "object", "description": "the transport's own settings: "
                     "destination, and credentials as *_env / *_file (never the secret itself)"},
    },
}

CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "csi-rules runner config",
    "type": "object",
    "additionalProperties": False,
    "required": ["policies", "adapters"],
    "properties": {
        "apiVersion": {"const": "csi-rules/v1"},
        "kind": {"const": "RunnerConfig"},
        "policies": {"type": "array", "minItems": 1,
                     "items": {"type": "string", "minLength": 1},
                     "description": "policy files or directories (relative to this file)"},
        "state": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "database": {"type": "string", "minLength": 1,
                             "description": "SQLite file (relative to this file); default "
                             "csi-rules-state.db beside it"},
                **STATE_PROPERTIES,
            },
        },
        "pollInterval": {**DURATION_SCHEMA, "description": "time between incremental syncs "
                         "(default 60s)"},
        "reloadCheck": {**DURATION_SCHEMA, "description": "how often policy files are checked "
                        "for changes (default: every cycle)"},
        "batchSize": {"type": "integer", "minimum": 1, "maximum": 10000,
                      "description": "records evaluated per engine call (default 200)"},
        "actions": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "maxAttempts": {"type": "integer", "minimum": 1, "maximum": 100,
                                "description": "attempts before a failing action is given up "
                                "(default 3)"},
                "retryAfter": {**DURATION_SCHEMA, "description": "delay before a failed or "
                               "unreachable action is tried again (default 5m)"},
            },
        },
        "engine": {"enum": ["compiled", "durable", "reference"],
                   "description": "the rules engine deciding live (default compiled)"},
        "verify": {"type": "object", "additionalProperties": False, "required": ["with"],
                   "properties": {
                       "with": {"enum": ["compiled", "durable", "reference"]},
                       "every": {"type": "integer", "minimum": 1}},
                   "description": "N-version check: every Nth record is matched by a second "
                                  "engine too; disagreements go to /metrics, status and the "
                                  "audit log"},
        "backlog": {"enum": list(BACKLOG_MODES),
                    "description": "tickets already open when an adapter is first synced: "
                    "adopt (default) records where each SLA and escalation stands and acts "
                    "only on later crossings; act acts once on where each stands now (one "
                    "decision per SLA metric or ladder, with what was missed). Never one "
                    "action per past threshold, rung and repeat."},
        "adapters": {"type": "array", "minItems": 1, "items": ADAPTER_SCHEMA},
        "channels": {"type": "object", "propertyNames": _NAME,
                     "additionalProperties": CHANNEL_SCHEMA,
                     "description": "notification channels a notify action names "
                     "(channel: NAME); with none, notify actions are recorded as skipped"},
        "server": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "host": {"type": "string", "minLength": 1, "description": "default 127.0.0.1"},
                "port": {"type": "integer", "minimum": 0, "maximum": 65535,
                         "description": "default 8080; 0 picks a free port"},
                "maxBodyBytes": {"type": "integer", "minimum": 1024,
                                 "description": "larger request bodies get 413 (default 1 MiB)"},
                "gate": {"type": "object", "additionalProperties": False,
                         "description": "POST /v1/gate needs `Authorization: Bearer TOKEN`, "
                         "the token read from secretEnv or secretFile (required when the "
                         "server listens beyond loopback)",
                         "properties": {**_SECRET}},
                "ops": {"type": "object", "additionalProperties": False,
                        "description": "serve /healthz and /metrics on their own address "
                        "(then not on the main one)",
                        "properties": {"host": {"type": "string", "minLength": 1,
                                                "description": "default 127.0.0.1"},
                                       "port": {"type": "integer", "minimum": 0,
                                                "maximum": 65535}},
                        "required": ["port"]},
                "limits": {"type": "object", "additionalProperties": False,
                           "description": "slow and numerous clients (docs/operations.md Limits)",
                           "properties": {
                               "headerTimeout": {"type": "number", "exclusiveMinimum": 0,
                                                 "description": "seconds for request line "
                                                 "and headers (default 10)"},
                               "bodyTimeout": {"type": "number", "exclusiveMinimum": 0,
                                               "description": "seconds for the body after the "
                                               "headers (default 30)"},
                               "maxConnections": {"type": "integer", "minimum": 1,
                                                  "description": "open connections; beyond: 503 "
                                                  "(default 64)"}}},
                "webhooks": {
                    "type": "object", "additionalProperties": False,
                    "properties": {
                        "jira": _webhook("POST /webhooks/jira: X-Hub-Signature verified "
                                         "with the secret"),
                        "servicenow": _webhook("POST /webhooks/servicenow: the secret in the "
                                               "X-CSI-Rules-Secret header"),
                    },
                },
            },
        },
    },
}
