"""The one place that turns a failed Jira/JSM response into a typed csi-rules error.

Jira answers errors in several shapes: the platform's ``{"errorMessages": [], "errors": {}}``,
servicedeskapi's ``{"errorMessage": "...", "i18nErrorMessage": {...}}`` and older ``{"message"}``.
Messages name the method, path and status; never headers, bodies we sent, or credentials.
"""

from __future__ import annotations

from typing import Any

from csi_rules import safe_json  # a hostile error body: refused, not a RecursionError
from csi_rules.errors import (
    AdapterAuthError,
    AdapterError,
    AdapterUnavailable,
    RecordNotFound,
)


def error_messages(body: bytes) -> list[str]:
    """Every human-readable message in a Jira or JSM error body (empty when there is none)."""
    try:
        data: Any = safe_json.loads(body, "error body") if body else None
    except ValueError:  # not JSON, or JSON refused (too deep, too large, not UTF-8)
        text = body[:200].decode("utf-8", "replace").strip()
        return [text] if text and not text.startswith("<") else []
    if not isinstance(data, dict):
        return []
    out: list[str] = []
    for message in data.get("errorMessages") or ():
        out.append(str(message))
    errors = data.get("errors")
    if isinstance(errors, dict):
        out.extend(f"{name}: {message}" for name, message in errors.items())
    for key in ("errorMessage", "message"):
        if data.get(key):
            out.append(str(data[key]))
    return out


def error_from_response(method: str, path: str, status: int, body: bytes,
                        reason: str = "") -> AdapterError:
    """The typed error for a non-2xx answer: auth, not found, unavailable, or a plain failure."""
    messages = error_messages(body)
    detail = "; ".join(messages) if messages else (reason or "no details")
    text = f"jira: {method} {path}: HTTP {status}: {detail}"
    if status in (401, 403):
        return AdapterAuthError(text, system="jira", status=status)
    if status == 404:
        return RecordNotFound(text, system="jira", status=status)
    if status == 429 or status >= 500:
        return AdapterUnavailable(text, system="jira", status=status)
    return AdapterError(text, system="jira", status=status)
