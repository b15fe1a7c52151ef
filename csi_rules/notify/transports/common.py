"""Settings every transport shares: where it sends (https, or http to this machine only) and
how long it waits."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from csi_rules.errors import UsageError
from csi_rules.net import is_loopback

TIMEOUT_SCHEMA = {"type": "number", "exclusiveMinimum": 0, "maximum": 120,
                  "description": "seconds to wait for an answer (default 10)"}
URL_SCHEMA = {"type": "string", "pattern": "^https?://", "description":
              "endpoint (https; http only to a loopback address, for tests)"}


def checked_url(url: str, what: str) -> str:
    """`url` if it is https, or http to a loopback address; anything else is refused."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname or "")):
        return url.rstrip("/")
    raise UsageError(f"{what} must be an https URL (http only to a loopback address)")


def obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "additionalProperties": False,
                              "properties": props}
    if required:
        schema["required"] = required
    return schema
