"""CsiServer: stdlib ThreadingHTTPServer with a handful of routes.

The standard library is enough here: five routes, JSON bodies, no templating, and webhook
traffic that is small and bursty; a framework would add a dependency and nothing we use.
Every POST must say its Content-Length exactly once, in plain digits (411/400 otherwise), and
stay under `maxBodyBytes` (413, rejected before the body is read). Every error, including a
malformed request line and an unsupported method (405), is answered in JSON. Slow and
numerous clients are bounded by `limits.ConnectionGuard`.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from csi_rules.errors import UsageError
from csi_rules.server import change_wait, gate_api, gating_api, webhooks
from csi_rules.server.auth import bearer_ok
from csi_rules.server.context import ServerContext
from csi_rules.server.limits import ConnectionGuard, ServerLimits
from csi_rules.server.responses import Answer, problem
from csi_rules.server.strict_http import content_length, target_problem

POST_ROUTES = ("/webhooks/jira", "/webhooks/servicenow", "/v1/gate")
GET_ROUTES = ("/healthz", "/metrics")
ALLOW = "GET, POST"
ROUTES_ALL, ROUTES_API, ROUTES_OPS = "all", "api", "ops"
_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
         b"Connection: close\r\nRetry-After: 1\r\nContent-Length: 44\r\n\r\n"
         b'{"error": "too many connections; try again"}')


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "csi-rules"
    ctx: ServerContext
    routes = ROUTES_ALL  # or ROUTES_API (no /healthz, /metrics) or ROUTES_OPS (only those)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: metrics count requests; access logs belong to the proxy in front."""

    @property
    def _guard(self) -> ConnectionGuard:
        return self.server.guard  # type: ignore[attr-defined]  # our _Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self._guard.limits.header_timeout)  # per-read backstop

    def handle_one_request(self) -> None:
        """Headers (and the idle wait before them) must arrive within header_timeout."""
        self._guard.expect(self.connection, self._guard.limits.header_timeout)
        self.connection.settimeout(self._guard.limits.header_timeout)
        try:
            super().handle_one_request()
        except OSError:  # the reaper shut the socket, or the client went away mid-answer
            self.close_connection = True

    def parse_request(self) -> bool:
        if self._guard.timed_out(self.connection):
            self.close_connection = True
            return False
        if not super().parse_request():
            return False
        self._guard.expect(self.connection, None)
        words = self.requestline.split()  # the target as sent: the stdlib folds a leading //
        why = target_problem(words[1] if len(words) >= 2 else self.path)
        if why is not None:
            self.close_connection = True
            self._send(problem(400, why), "other")
            return False
        return True

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """The stdlib's errors (bad request line, headers too long, unknown method) as JSON."""
        self.close_connection = True
        if self._guard.timed_out(self.connection):
            return
        headers = {}
        if code == HTTPStatus.NOT_IMPLEMENTED:  # what the stdlib says for an unknown method
            code, message = 405, f"method {self.command} is not allowed (allowed: {ALLOW})"
            headers["Allow"] = ALLOW
        reason = message or HTTPStatus(code).phrase
        self._send(problem(code, reason), "other", headers)

    def _send(self, answer: Answer, path: str, headers: dict[str, str] | None = None) -> None:
        payload = answer.payload()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if answer.status >= 400 and self.command != "GET":
            self.close_connection = True
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        route = path if path in POST_ROUTES + GET_ROUTES else "other"
        self.ctx.metrics.inc("csi_rules_http_requests_total", path=route,
                             status=str(answer.status))

    def _finish(self) -> None:
        self.ctx.store.release_thread()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        length, why, _ = content_length(self.headers)
        if why is not None or length:  # a body we will not read: do not reuse the connection
            self.close_connection = True
        try:
            if path in GET_ROUTES and self.routes == ROUTES_API:
                self._send(problem(404, f"{path} is served on the ops address (server.ops)"),
                           path)
            elif path == "/healthz":
                health = dict(self.ctx.health())
                self._send(Answer(200 if health.get("status") == "ok" else 503, health), path)
            elif path == "/metrics":
                text = self.ctx.metrics.render(self.ctx.store, self.ctx.clock.now())
                self._send(Answer(200, text, "text/plain; version=0.0.4; charset=utf-8"), path)
            elif change_wait.ROUTE.match(path) and self.routes != ROUTES_OPS:
                self._send(self._change_wait(path), path)
            elif path in POST_ROUTES:
                self._send(problem(405, f"{path} takes POST"), path, {"Allow": "POST"})
            elif gating_api.matches(path) and self.routes != ROUTES_OPS:
                self._gating(path)
            else:
                self._send(problem(404, f"no route {path}"), path)
        finally:
            self._finish()

    def _change_wait(self, path: str) -> Answer:
        """GET /v1/changes/{id}/wait (change_wait.py), behind the /v1/gate token."""
        if not bearer_ok(self.headers.get_all("Authorization") or [], self.ctx.gate_token):
            return problem(401, "GET /v1/changes/{id}/wait needs the /v1/gate bearer token")
        match = change_wait.ROUTE.match(path)
        assert match is not None  # the caller matched it
        return change_wait.wait_answer(self.ctx.change_events, match.group(1),
                                       parse_qs(urlsplit(self.path).query))

    def _gating(self, path: str) -> None:
        """Jira-style deployment gating answered by the gate (gating_api.py); same token."""
        if not bearer_ok(self.headers.get_all("Authorization") or [], self.ctx.gate_token):
            self._send(problem(401, "gating-status needs the header 'Authorization: Bearer "
                               "TOKEN' with the token of server.gate"), path,
                       {"WWW-Authenticate": 'Bearer realm="csi-rules"'})
            return
        try:
            answer = gating_api.gating_status(self.ctx, path, parse_qs(urlsplit(self.path).query))
        except Exception as exc:  # a bug: answer 500 (never a verdict), keep serving
            print(f"csi-rules serve: internal error on {path}: {exc!r}", file=sys.stderr)
            answer = problem(500, "internal error")
        self._send(answer, path)

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        try:
            if path not in POST_ROUTES or self.routes == ROUTES_OPS:
                status = 405 if path in GET_ROUTES else 404
                self._send(problem(status, f"no POST route {path}"), path,
                           {"Allow": "GET"} if status == 405 else None)
                return
            if path == "/v1/gate" and not bearer_ok(self.headers.get_all("Authorization") or [],
                                                     self.ctx.gate_token):
                self._send(problem(401, "POST /v1/gate needs the header 'Authorization: Bearer "
                                   "TOKEN' with the token of server.gate"), path,
                           {"WWW-Authenticate": 'Bearer realm="csi-rules"'})
                return
            body = self._body(path)
            if body is None:
                return
            headers = {k: v for k, v in self.headers.items()}
            if path == "/webhooks/jira":
                answer = webhooks.jira(self.ctx, headers, body)
            elif path == "/webhooks/servicenow":
                answer = webhooks.servicenow(self.ctx, headers, body)
            else:
                fmt = parse_qs(parts.query).get("format", ["json"])[0]
                answer = gate_api.gate(self.ctx, body, fmt)
            self._send(answer, path)
        except Exception as exc:  # a bug: answer 500, keep serving, say so on stderr
            print(f"csi-rules serve: internal error on {path}: {exc!r}", file=sys.stderr)
            self._send(problem(500, "internal error"), path)
        finally:
            self._finish()

    def _body(self, path: str) -> bytes | None:
        length, why, status = content_length(self.headers)
        if why is not None:
            self._send(problem(status, why), path)
            return None
        if length is None:
            self._send(problem(411, "Content-Length is required"), path)
            return None
        limit = self.ctx.config.server.max_body_bytes
        if length > limit:
            self._send(problem(413, f"body of {length} bytes is over the {limit}-byte limit"),
                       path)
            return None
        if length == 0:
            return b""
        limits = self._guard.limits
        self._guard.expect(self.connection, limits.body_timeout)
        self.connection.settimeout(limits.body_timeout)
        try:
            body = self.rfile.read(length)
        except OSError:  # per-read timeout or reset
            body = b""
        self._guard.expect(self.connection, None)
        if len(body) < length:  # cut off by the body deadline, or the client gave up
            self.close_connection = True
            if not self._guard.timed_out(self.connection):
                self._send(problem(400, f"body ended after {len(body)} of {length} bytes"),
                           path)
            return None
        return body


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the stdlib's 5 makes a burst wait for SYN retries

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler],
                 limits: ServerLimits):
        self.guard = ConnectionGuard(limits)
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Past the connection cap: 503 at once, no thread spent on it."""
        if not self.guard.admit(request):
            with contextlib.suppress(OSError):
                request.sendall(_BUSY)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        self.guard.release(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished is not news; anything else is a bug worth a traceback."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


def listen(host: str, port: int, limits: ServerLimits | None = None) -> _Server:
    """Bind and listen (no serving yet), so `serve` can fail on a busy port before it creates
    any state; raises UsageError (exit 2) with one line instead of a traceback."""
    try:
        return _Server((host, port), _Handler, limits or ServerLimits())
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
class CsiServer:
    """`start()` binds (unless given a `listener` from `listen()`) and serves in a thread;
    `url` is known after start (port 0 = any)."""

    def __init__(self, ctx: ServerContext, host: str | None = None, port: int | None = None,
                 *, listener: _Server | None = None, limits: ServerLimits | None = None,
                 routes: str = ROUTES_ALL):
        self.ctx, self.routes = ctx, routes
        self.limits = limits or ServerLimits()
        self.host = host if host is not None else ctx.config.server.host
        self.port = port if port is not None else ctx.config.server.port
        self._server: _Server | None = None
        self._listener = listener
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"ctx": self.ctx, "routes": self.routes})
        self._server = self._listener or listen(self.host, self.port, self.limits)
        self._listener = None
        self._server.RequestHandlerClass = handler
        self._server.guard.start()
        host, port = self._server.server_address[:2]
        self.url = f"http://{host.decode() if isinstance(host, bytes) else host}:{port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,),
                                        name="csi-rules-server", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._listener is not None:  # bound but never started
            self._listener.server_close()
            self._listener = None
        if self._server is None:
            return
        self._server.shutdown()
        self._server.guard.stop()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> CsiServer:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
