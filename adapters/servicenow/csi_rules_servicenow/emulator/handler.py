"""One request to the emulator: faults, auth, rate limit, then the APIs (dispatch.py) or the token
endpoint.

Status codes and error bodies follow r_RESTAPIHTTPResponseCodes.md and the envelope
`{"error": {"message", "detail"}, "status": "failure"}` (c_CustomWebServices.md), with the
exact 401/404 wording from platform-apis.md A1.
"""

from __future__ import annotations

import contextlib
import socket
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from csi_rules_servicenow.emulator.call import Call, encode
from csi_rules_servicenow.emulator.dispatch import envelope
from csi_rules_servicenow.emulator.faults import HIBERNATING_PAGE, Fault
from csi_rules_servicenow.emulator.ratelimit import rate_limit_body

if TYPE_CHECKING:
    from csi_rules_servicenow.emulator.server import ServiceNowEmulator

NOT_AUTHENTICATED = ("User Not Authenticated", "Required to provide Auth information")


class EmulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ServiceNow"
    sys_version = ""
    emulator: ServiceNowEmulator  # set on the subclass the server builds

    # -- plumbing --------------------------------------------------------------------------
    def version_string(self) -> str:
        return "ServiceNow"

    def log_message(self, format: str, *args: Any) -> None:  # stdlib signature
        return  # quiet: tests and the demo would drown in access logs

    def setup(self) -> None:
        super().setup()
        # headers and body go out in two writes: without NODELAY, Nagle + delayed ACK add 40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.emulator.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.emulator.untrack(self.connection)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    # -- the request -----------------------------------------------------------------------
    def _handle(self, method: str) -> None:
        method = self.headers.get("X-http-method-override", method).upper()
        url = urlsplit(self.path)
        body = self._read_body()
        self.emulator.requests.append((method, url.path, url.query))
        fault = self.emulator.faults.take(method, url.path)
        if fault and fault.when == "before" and self._fault_before(fault):
            return
        status, headers, payload = self._respond(method, url.path, url.query, body)
        if fault and fault.when == "after":
            if fault.kind == "drop":
                self._drop()
                return
            if fault.kind == "status":  # processed, but the answer is an error (proxy, node)
                self._fault_before(fault)
                return
            time.sleep(fault.seconds)
        self._send(status, headers, payload, head=method == "HEAD")

    def _fault_before(self, fault: Fault) -> bool:
        """Apply a fault that acts before processing; True when the request is finished."""
        if fault.kind == "latency":
            time.sleep(fault.seconds)
            return False
        if fault.kind == "drop":
            self._drop()
        elif fault.kind == "html":
            self._send(200, {"Content-Type": "text/html;charset=UTF-8"}, HIBERNATING_PAGE.encode())
        else:
            reason = self.responses.get(fault.status, ("Error",))[0]
            self._send(fault.status, dict(fault.headers),
                       envelope(reason, "Injected fault (emulator)"))
        return True

    def _respond(self, method: str, path: str, query: str,
                 body: bytes) -> tuple[int, dict[str, str], Any]:
        if path == "/oauth_token.do":
            if method != "POST":
                return 405, {}, envelope("Method not Supported", None)
            form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
            status, token = self.emulator.security.token(form, self.headers.get("Authorization"))
            return status, {}, token
        if not self.emulator.apis.knows(path):
            return 400, {}, envelope("Requested URI does not represent any resource", None)
        user = self.emulator.security.authenticate(self.headers.get("Authorization"))
        if user is None:
            challenge = {"WWW-Authenticate": 'BASIC realm="Service-now"'}
            return 401, challenge, envelope(*NOT_AUTHENTICATED)
        allowed, limit_headers = self.emulator.rate_limiter.check(user.user_name)
        if not allowed:
            return 429, limit_headers, rate_limit_body(int(limit_headers["X-RateLimit-Limit"]))
        call = Call(method=method, path=path, query=query, body=body,
                    headers={k.lower(): v for k, v in self.headers.items()})
        status, headers, payload = self.emulator.apis.answer(call, user)
        return status, {**limit_headers, **headers}, payload

    # -- output ----------------------------------------------------------------------------
    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, headers: dict[str, str], payload: Any, head: bool = False) -> None:
        headers, data = encode(headers, payload)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data and not head:
            self.wfile.write(data)

    def _drop(self) -> None:
        """Close the connection without an answer (a load balancer reset, a node crash)."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
