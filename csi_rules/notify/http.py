"""One JSON POST for the HTTP transports, and the only place an HTTP answer becomes a Delivery.

Not delivered for sure (connection refused, 4xx, 429, 5xx) is `failed`; a request that left
without an answer (read timeout, connection dropped) is `uncertain`. Error bodies are quoted
(cut short) so an operator sees the vendor's own reason; credentials never are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import requests

from csi_rules import safe_json
from csi_rules.notify.transport import Delivery

MAX_BODY_QUOTE = 300
Explain = Callable[[requests.Response], str]


def session() -> requests.Session:
    s = requests.Session()
    s.headers["User-Agent"] = "csi-rules-notify"
    return s


def post_json(http: requests.Session, url: str, body: Mapping[str, Any], *, what: str,
              headers: Mapping[str, str] | None = None, timeout: float = 10.0,
              explain: Explain | None = None, data: bytes | None = None) -> Delivery:
    """POST `body` (or the exact bytes `data`) and classify the answer."""
    payload = data if data is not None else json.dumps(body).encode()
    try:
        response = http.post(url, data=payload, timeout=timeout,
                             headers={"Content-Type": "application/json", **(headers or {})})
    except (requests.ConnectTimeout, requests.exceptions.SSLError) as exc:
        return Delivery("failed", f"{what}: cannot connect ({type(exc).__name__})",
                        transient=True)
    except requests.ConnectionError as exc:
        if _never_connected(exc):
            return Delivery("failed", f"{what}: cannot connect", transient=True)
        return Delivery("uncertain", f"{what}: connection lost before the answer")
    except requests.Timeout:
        return Delivery("uncertain", f"{what}: no answer within {timeout:g}s")
    reason = (explain or quote)(response)
    if 200 <= response.status_code < 300:
        return Delivery("sent", f"{what}: {response.status_code}" + (f" {reason}" if reason else ""))
    if response.status_code == 429:
        after = response.headers.get("Retry-After", "")
        return Delivery("failed", f"{what}: rate limited (429)" +
                        (f", retry after {after}s" if after else "") +
                        (f": {reason}" if reason else ""), transient=True)
    return Delivery("failed", f"{what}: refused ({response.status_code})" +
                    (f": {reason}" if reason else ""),
                    transient=response.status_code >= 500)


def quote(response: requests.Response) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:MAX_BODY_QUOTE] + ("..." if len(text) > MAX_BODY_QUOTE else "")


def _never_connected(exc: requests.ConnectionError) -> bool:
    text = repr(exc)
    return any(s in text for s in ("NewConnectionError", "Connection refused",
                                   "Name or service not known", "No route to host"))


def json_field(response: requests.Response, *names: str) -> str:
    """The vendor's error text from a JSON error body (`message`, `errors`, ...)."""
    try:  # within safe_json's limits: a hostile answer must not be a RecursionError
        body = safe_json.loads(response.content, "answer")
    except ValueError:
        return quote(response)
    if not isinstance(body, dict):
        return quote(response)
    parts = []
    for name in names:
        value = body.get(name)
        if isinstance(value, list):
            value = "; ".join(map(str, value))
        if value:
            parts.append(str(value))
    return ": ".join(parts)[:MAX_BODY_QUOTE] or quote(response)
