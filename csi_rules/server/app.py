"""CsiServer: stdlib ThreadingHTTPServer with a handful of routes.

The standard library is enough here: five routes, JSON bodies, no templating, and webhook
traffic that is small and bursty; a framework would add a dependency and nothing we use.
Every POST must say its Content-Length (411 otherwise) and stay under `maxBodyBytes` (413,
rejected before the body is read).
"""

from __future__ import annotations

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from csi_rules.errors import UsageError
from csi_rules.server import gate_api, webhooks
from csi_rules.server.context import ServerContext
from csi_rules.server.responses import Answer, problem

POST_ROUTES = ("/webhooks/jira", "/webhooks/servicenow", "/v1/gate")
GET_ROUTES = ("/healthz", "/metrics")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "csi-rules"
    ctx: ServerContext

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: metrics count requests; access logs belong to the proxy in front."""

    def _send(self, answer: Answer, path: str) -> None:
        payload = answer.payload()
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(payload)))
        if answer.status >= 400 and self.command == "POST":
            self.send_header("Connection", "close")
            self.close_connection = True
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
        try:
            if path == "/healthz":
                health = dict(self.ctx.health())
                self._send(Answer(200 if health.get("status") == "ok" else 503, health), path)
            elif path == "/metrics":
                text = self.ctx.metrics.render(self.ctx.store, self.ctx.clock.now())
                self._send(Answer(200, text, "text/plain; version=0.0.4; charset=utf-8"), path)
            elif path in POST_ROUTES:
                self._send(problem(405, f"{path} takes POST"), path)
            else:
                self._send(problem(404, f"no route {path}"), path)
        finally:
            self._finish()

    def do_POST(self) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        try:
            if path not in POST_ROUTES:
                status = 405 if path in GET_ROUTES else 404
                self._send(problem(status, f"no POST route {path}"), path)
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
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._send(problem(411, "send a Content-Length (chunked bodies are not accepted)"),
                       path)
            return None
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            self._send(problem(411, "Content-Length is required"), path)
            return None
        try:
            length = int(length_text)
        except ValueError:
            self._send(problem(400, "Content-Length is not a number"), path)
            return None
        limit = self.ctx.config.server.max_body_bytes
        if length > limit:
            self._send(problem(413, f"body of {length} bytes is over the {limit}-byte limit"),
                       path)
            return None
        return self.rfile.read(length) if length > 0 else b""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def listen(host: str, port: int) -> _Server:
    """Bind and listen (no serving yet), so `serve` can fail on a busy port before it creates
    any state; raises UsageError (exit 2) with one line instead of a traceback."""
    try:
        return _Server((host, port), _Handler)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


class CsiServer:
    """`start()` binds (unless given a `listener` from `listen()`) and serves in a thread;
    `url` is known after start (port 0 = any)."""

    def __init__(self, ctx: ServerContext, host: str | None = None, port: int | None = None,
                 *, listener: _Server | None = None):
        self.ctx = ctx
        self.host = host if host is not None else ctx.config.server.host
        self.port = port if port is not None else ctx.config.server.port
        self._server: _Server | None = None
        self._listener = listener
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> None:
        handler = type("Handler", (_Handler,), {"ctx": self.ctx})
        self._server = self._listener or listen(self.host, self.port)
        self._listener = None
        self._server.RequestHandlerClass = handler
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
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> CsiServer:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
