"""The HTTP server under hostile clients: slow ones are cut off while others are answered,
the connection count is capped, framing is strict, every refusal is JSON."""

from __future__ import annotations

import json
import socket
import time

import pytest
import requests

from .conftest import LIMITS, address, exchange


def _status_and_body(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), json.loads(body)


def _closed_within(conn: socket.socket, seconds: float) -> bool:
    """True when the server closes `conn` (EOF or reset) within `seconds`."""
    conn.settimeout(seconds)
    try:
        while conn.recv(65536):
            pass
    except TimeoutError:
        return False
    except OSError:
        pass
    return True


def test_slow_clients_are_cut_off_while_normal_requests_are_answered(served) -> None:
    gate = b"POST /v1/gate HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
    slow = {
        "no bytes": b"",
        "partial request line": b"GET /heal",
        "partial headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\n",
        "partial body": gate + b'{"change":',
        "trickle": b"G",
    }
    conns = {}
    for name, first in slow.items():
        conns[name] = socket.create_connection(address(served))
        conns[name].sendall(first)
    started = time.monotonic()
    answered, trickled = 0, 0
    try:
        while time.monotonic() - started < LIMITS.header_timeout * 2:
            try:  # one byte at a time keeps no connection alive
                conns["trickle"].sendall(b"ET /healthz HTTP/1.1\r\n"[trickled % 22:][:1])
                trickled += 1
            except OSError:
                pass  # cut off by the server: what this test wants
            assert requests.get(served.url + "/healthz", timeout=2).status_code == 200
            answered += 1
            time.sleep(0.05)
        assert answered >= 5 and trickled >= 3
        for name, conn in conns.items():
            assert _closed_within(conn, 3.0), f"{name}: still open"
        assert time.monotonic() - started < 6
    finally:
        for conn in conns.values():
            conn.close()


def test_past_the_connection_cap_new_connections_get_503_until_the_idle_ones_are_reaped(
        served) -> None:
    idle = [socket.create_connection(address(served)) for _ in range(LIMITS.max_connections)]
    time.sleep(0.2)
    status, body = _status_and_body(exchange(served, b"GET /healthz HTTP/1.1\r\n\r\n"))
    assert status == 503 and "too many connections" in body["error"]
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if requests.get(served.url + "/healthz", timeout=2).status_code == 200:
                break
        except requests.ConnectionError:
            pass
        time.sleep(0.1)
    else:
        pytest.fail("the idle connections were never reaped")
    for conn in idle:
        conn.close()
    assert served._server.guard.refused >= 1


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "BREW"])
def test_unsupported_methods_answer_405_in_json(served, method: str) -> None:
    raw = exchange(served, f"{method} /healthz HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    head = raw.partition(b"\r\n\r\n")[0]
    assert head.startswith(b"HTTP/1.1 405 ")
    assert b"Allow: GET, POST" in head and b"Content-Type: application/json" in head
    if method != "HEAD":
        assert "not allowed" in _status_and_body(raw)[1]["error"]


@pytest.mark.parametrize("target", ["http://evil/healthz", "//evil/healthz", "*", "healthz"])
def test_a_target_that_is_not_a_plain_path_is_refused(served, target: str) -> None:
    raw = exchange(served, f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    status, body = _status_and_body(raw)
    assert status == 400 and "request target" in body["error"]


@pytest.mark.parametrize("headers, status, why", [
    (b"Content-Length: 1_0\r\n", 400, "not a non-negative decimal"),
    (b"Content-Length: -5\r\n", 400, "not a non-negative decimal"),
    (b"Content-Length: +10\r\n", 400, "not a non-negative decimal"),
    (b"Content-Length: 10\r\nContent-Length: 10\r\n", 400, "more than once"),
    (b"Content-Length: 10\r\nContent-Length: 2\r\n", 400, "more than once"),
    (b"Transfer-Encoding: chunked\r\nContent-Length: 10\r\n", 411, "Transfer-Encoding"),
])
def test_content_length_is_read_strictly(served, headers: bytes, status: int, why: str) -> None:
    raw = exchange(served, b"POST /v1/gate HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n"
                   + b'{"change":{}}')
    got, body = _status_and_body(raw)
    assert got == status and why in body["error"]


@pytest.mark.parametrize("body, why", [
    (b'{"change": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested deeper than 64"),
    (b'{"change": {"id": "c", "kind": "change", "raw": ' + b"{\"a\":" * 70 + b"1"
     + b"}" * 71 + b"}", "nested deeper than 64"),
    (b'{"change": {"id": "c", "kind": "change", "priority": ' + b"9" * 5000 + b"}}",
     "out of range"),
    (b'{"change": {"id": "c\xff", "kind": "change"}}', "not valid UTF-8"),
    (b'{"change": {"id": "\\udc00", "kind": "change"}}', "lone surrogate"),
])
def test_hostile_gate_bodies_are_400_not_500(served, body: bytes, why: str) -> None:
    answer = requests.post(served.url + "/v1/gate", data=body, timeout=5) \
        if len(body) <= 4096 else None
    if answer is None:  # over maxBodyBytes: 413 before reading, so test the parser directly
        from csi_rules.server.gate_api import gate
        result = gate(served.ctx, body)
        assert result.status == 400 and why in result.body["error"]
        return
    assert answer.status_code == 400, answer.text
    assert why in answer.json()["error"]
