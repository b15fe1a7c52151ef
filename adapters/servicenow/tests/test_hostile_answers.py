"""An instance (or whatever answers in its place) that sends hostile JSON gets a typed error,
never a RecursionError or a conversion crash: answers go through the same safe-JSON limits as
files and HTTP bodies."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from csi_rules.adapter import RecordQuery
from csi_rules.errors import AdapterUnavailable

BODIES = {
    "deep": b'{"result": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "huge-int": b'{"result": [{"sys_id": "a", "number": ' + b"9" * 5000 + b"}]}",
    "bad-utf8": b'{"result": [{"sys_id": "\xff\xfe"}]}',
}


@pytest.fixture(params=sorted(BODIES))
def hostile(request) -> Iterator[str]:
    body = BODIES[request.param]

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
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


def test_a_hostile_answer_is_a_typed_error(hostile, make):
    class Target:  # make() reads only the emulator's url
        url = hostile

    adapter = make(Target, retries={"max_attempts": 1, "backoff_seconds": 0,
                                    "max_delay_seconds": 0})
    with pytest.raises(AdapterUnavailable, match="instead of JSON"):
        list(adapter.fetch_records(RecordQuery(kinds=("incident",))))
