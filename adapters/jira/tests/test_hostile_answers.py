"""A Jira site (or whatever answers in its place) that sends hostile JSON gets a typed error,
never a RecursionError or a message that cannot be printed: answers and error bodies go
through the same safe-JSON limits as files and HTTP bodies."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from csi_rules.errors import AdapterError
from csi_rules_jira.secrets import Secret
from csi_rules_jira.transport import Transport

BODIES = {
    "deep": b'{"errorMessages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "huge-int": b'{"errorMessages": [' + b"9" * 5000 + b"]}",
    "bad-utf8": b'{"errorMessages": ["\xff\xfe"]}',
    "lone-surrogate": b'{"errorMessages": ["\\ud800"]}',
}


@pytest.fixture(params=[(status, name) for status in (200, 400) for name in sorted(BODIES)],
                ids=lambda p: f"{p[0]}-{p[1]}")
def hostile(request) -> Iterator[str]:
    status, name = request.param
    body = BODIES[name]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_hostile_answer_or_error_body_is_a_typed_printable_error(hostile: str) -> None:
    transport = Transport(hostile, Secret("Bearer test-only"), sleep=lambda _: None,
                          clock=lambda: None, max_retries=0)  # type: ignore[arg-type,return-value]
    with pytest.raises(AdapterError) as caught:
        transport.read("/rest/api/3/myself")
    message = str(caught.value)
    assert message.startswith("jira: GET /rest/api/3/myself: ")
    message.encode("utf-8")  # printable: no lone surrogate reached the message
    transport.close()
