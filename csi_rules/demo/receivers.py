"""Loopback receivers that enforce the vendors' documented request formats (and answer with
their documented error bodies and 429s), plus a real SMTP server (aiosmtpd).

Used by `csi-rules demo` (a page and an e-mail arrive at them) and by the notification tests.
They may read the wall clock: they stand in for the vendors' servers, not for library code.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Check = Callable[[str, dict[str, str], Any], tuple[int, Any]]


class Receiver:
    """An HTTP server on 127.0.0.1; `check(path, headers, body)` -> (status, answer)."""

    def __init__(self, check: Check, *, rate_limit_first: int = 0):
        self.check = check
        self.requests: list[tuple[str, dict[str, str], Any, bytes]] = []
        self.rate_limit_first = rate_limit_first
        self.delay = 0.0  # seconds between taking a request and answering it
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = None
                owner.requests.append((self.path, headers, body, raw))
                if owner.delay:
                    time.sleep(owner.delay)  # the request landed; its answer comes late
                if owner.rate_limit_first > 0:
                    owner.rate_limit_first -= 1
                    status, answer = 429, {"status": "throttle", "message": "Requests for this "
                                           "service are arriving too quickly."}
                    extra = {"Retry-After": "1"}
                else:
                    status, answer = owner.check(self.path, headers, body)
                    extra = {}
                data = answer.encode() if isinstance(answer, str) else json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    for k, v in extra.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender was killed while waiting for this answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def bodies(self) -> list[Any]:
        return [r[2] for r in self.requests]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def pagerduty(path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
    """Events API v2: /v2/enqueue, routing_key of 32 chars, event_action, payload on trigger."""
    errors = []
    if path != "/v2/enqueue":
        return 404, {"status": "not found"}
    if not isinstance(body, dict):
        return 400, {"status": "invalid event", "message": "Event object is invalid",
                     "errors": ["Malformed JSON"]}
    if len(str(body.get("routing_key", ""))) != 32:
        errors.append("Length of 'routing_key' is incorrect (should be 32 characters)")
    if body.get("event_action") not in ("trigger", "acknowledge", "resolve"):
        errors.append("'event_action' is invalid (must be one of: trigger, acknowledge, resolve)")
    if body.get("event_action") == "trigger":
        payload = body.get("payload") or {}
        for field in ("summary", "source", "severity"):
            if not payload.get(field):
                errors.append(f"'payload.{field}' is missing or blank")
        if payload.get("severity") not in ("critical", "error", "warning", "info"):
            errors.append("'payload.severity' is invalid")
        if len(payload.get("summary", "")) > 1024:
            errors.append("'payload.summary' is too long")
    elif not body.get("dedup_key"):
        errors.append("'dedup_key' is missing or blank")
    if errors:
        return 400, {"status": "invalid event", "message": "Event object is invalid",
                     "errors": errors}
    return 202, {"status": "success", "message": "Event processed",
                 "dedup_key": body.get("dedup_key")}


def opsgenie(path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
    if not headers.get("authorization", "").startswith("GenieKey "):
        return 401, {"message": "Could not authenticate", "took": 0.0, "requestId": "r1"}
    if path == "/v2/alerts":
        if not isinstance(body, dict) or not body.get("message"):
            return 422, {"message": "Message can not be empty.", "took": 0.0, "requestId": "r2"}
        if len(body["message"]) > 130:
            return 422, {"message": "Message can not be longer than 130", "took": 0.0,
                         "requestId": "r3"}
        return 202, {"result": "Request will be processed", "took": 0.1, "requestId": "r4"}
    if path.endswith(("/close?identifierType=alias", "/acknowledge?identifierType=alias")):
        return 202, {"result": "Request will be processed", "took": 0.1, "requestId": "r5"}
    return 404, {"message": "Not found", "took": 0.0, "requestId": "r6"}


def slack(path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
    if not isinstance(body, dict):
        return 400, "invalid_payload"
    if not body.get("text") and not body.get("blocks"):
        return 400, "no_text"
    return 200, "ok"


def teams(path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
    ok = (isinstance(body, dict) and body.get("type") == "message"
          and body.get("attachments")
          and body["attachments"][0].get("contentType") == "application/vnd.microsoft.card.adaptive"
          and body["attachments"][0]["content"].get("type") == "AdaptiveCard")
    return (202, "") if ok else (400, {"error": {"code": "InvalidRequestContent"}})


class Mailbox:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        if self.delay:
            await asyncio.sleep(self.delay)  # accepted; the 250 reply comes late
        return "250 Message accepted for delivery"

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.delay = 0.0


class SmtpServer:
    """aiosmtpd on 127.0.0.1 (plain; optional AUTH PLAIN/LOGIN with one user)."""

    def __init__(self, *, user: str = "", password: str = ""):
        self.mailbox = Mailbox()
        kwargs: dict[str, Any] = {}
        if user:
            def auth(server: Any, session: Any, envelope: Any, mechanism: str,
                     data: Any) -> Any:
                from aiosmtpd.smtp import AuthResult
                ok = data.login.decode() == user and data.password.decode() == password
                return AuthResult(success=ok)
            kwargs = {"authenticator": auth, "auth_require_tls": False}
        from aiosmtpd.controller import Controller  # only when an SMTP server is started

        self.port = _free_port()
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port,
                                     server_hostname="localhost",  # not socket.getfqdn() per connection
                                     **kwargs)
        self.controller.start()

    @property
    def messages(self) -> list[Any]:
        return self.mailbox.messages

    def stop(self) -> None:
        self.controller.stop()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
