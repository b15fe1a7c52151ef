"""A paging endpoint (or whatever answers in its place) that sends hostile JSON still gives a
Delivery: its body is read within safe_json's limits, never into a RecursionError."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.notify.conftest import ROUTING_KEY
from tests.notify.test_transports import MSG, build

DEEP = b'{"message": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.fixture(params=[202, 400])
def hostile(request) -> Iterator[tuple[str, int]]:
    status = request.param

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(DEEP)))
            self.end_headers()
            self.wfile.write(DEEP)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", status
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("name, settings, env", [
    ("pagerduty", {"routing_key_env": "PD"}, {"PD": ROUTING_KEY}),
    ("opsgenie", {"api_key_env": "OG"}, {"OG": "opsgenie-test-key"}),
])
def test_a_deeply_nested_answer_is_a_delivery_not_a_crash(plugins, hostile, name, settings,
                                                         env) -> None:
    url, status = hostile
    result = build(plugins, name, {"url": url, **settings}, env).send(MSG)
    assert result.status == ("sent" if status == 202 else "failed")
    assert len(result.detail) < 400
    if status == 400:  # the vendor's body is quoted, cut short
        assert "refused (400)" in result.detail and "[[[" in result.detail
