"""ServiceNow failures as typed csi-rules errors; the one reader of the platform's error bodies.

Body shapes understood: the Table API envelope `{"error": {"message", "detail"}, "status":
"failure"}`, the OAuth endpoint's `{"error", "error_description"}`, and an HTML page where JSON
was expected (a hibernating developer instance answers 200 with HTML). Messages name the method,
the path and the platform's own words; never headers, bodies we sent, or query strings.
"""

from __future__ import annotations

from typing import Any

import requests

from csi_rules import safe_json  # bounded depth/number size/decoding for answers too
from csi_rules.errors import AdapterAuthError, AdapterError, AdapterUnavailable, RecordNotFound

SYSTEM = "servicenow"


class ServiceNowConfigError(AdapterError):
    """The adapter configuration is invalid (bad URL, literal secret, unknown option)."""

    def __init__(self, message: str):
        super().__init__(f"servicenow config: {message}", system=SYSTEM)


class ServiceNowRequestError(AdapterError):
    """The instance rejected the request as malformed (400, 405, 406, 415, other 4xx)."""


class ServiceNowForbidden(AdapterAuthError):
    """403: an ACL, business rule or data policy refused the operation."""


class ServiceNowRateLimited(AdapterUnavailable):
    """429 that outlasted our retry budget; `retry_after` is the instance's advice in seconds."""

    def __init__(self, message: str, *, retry_after: float | None, status: int = 429):
        self.retry_after = retry_after
        super().__init__(message, system=SYSTEM, status=status)


class AmbiguousWrite(AdapterUnavailable):
    """A write whose outcome is unknown (timeout, dropped connection, 5xx): check, never resend."""


def error_body(response: requests.Response) -> tuple[str, str]:
    """(message, detail) from whatever error body the instance sent."""
    try:
        body: Any = safe_json.loads(response.content, "response")
    except ValueError:
        kind = response.headers.get("Content-Type", "").split(";")[0] or "no content type"
        return f"non-JSON answer ({kind})", ""
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, dict):
            return str(error.get("message") or ""), str(error.get("detail") or "")
        if isinstance(error, str):  # the OAuth endpoint
            return error, str(body.get("error_description") or "")
    return "unexpected error body", ""


def error_from_response(response: requests.Response, method: str, path: str) -> AdapterError:
    """The typed error for a failed (>= 400) response."""
    status = response.status_code
    message, detail = error_body(response)
    text = f"ServiceNow {method} {path} failed: {status} {message}".rstrip()
    if detail:
        text += f" ({detail.strip()})"
    if status == 401:
        return AdapterAuthError(text, system=SYSTEM, status=status)
    if status == 403:
        return ServiceNowForbidden(text, system=SYSTEM, status=status)
    if status == 404:
        return RecordNotFound(text, system=SYSTEM, status=status)
    if status == 429:
        return ServiceNowRateLimited(text, retry_after=retry_after_seconds(response))
    if status >= 500:
        return AdapterUnavailable(text, system=SYSTEM, status=status)
    return ServiceNowRequestError(text, system=SYSTEM, status=status)


def not_json(response: requests.Response, method: str, path: str) -> AdapterUnavailable:
    """A success status with a body that is not the JSON envelope (hibernating instance)."""
    kind = response.headers.get("Content-Type", "").split(";")[0] or "no content type"
    return AdapterUnavailable(
        f"ServiceNow {method} {path} answered {response.status_code} with {kind} instead of "
        "JSON (is the instance hibernating or behind a login page?)",
        system=SYSTEM, status=response.status_code)


def retry_after_seconds(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
