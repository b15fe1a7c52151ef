"""A served CsiServer with short limits, over real loopback HTTP, and a raw-socket client."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from csi_rules.runtime.config import load_config
from csi_rules.server import CsiServer
from csi_rules.server.limits import ServerLimits
from csi_rules.server.service import server_context
from tests.replay.conftest import write_log  # noqa: F401  (a UCI-shaped CSV for mappings)
from tests.runtime.conftest import clock, sn, write_config  # noqa: F401

LIMITS = ServerLimits(header_timeout=0.6, body_timeout=0.6, max_connections=12,
                      reap_interval=0.05)


@pytest.fixture
def served(tmp_path, sn, clock, monkeypatch) -> Iterator[CsiServer]:  # noqa: F811
    config = load_config(str(write_config(tmp_path, sn, server={"port": 0,
                                                                 "maxBodyBytes": 4096})))
    ctx = server_context(config, clock, os.environ)
    server = CsiServer(ctx, limits=LIMITS)
    server.start()
    yield server
    server.stop()
    ctx.store.close()


def address(server: CsiServer) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def exchange(server: CsiServer, raw: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes, read until the server closes (or `timeout`)."""
    with socket.create_connection(address(server), timeout=timeout) as conn:
        conn.sendall(raw)
        chunks = []
        while True:
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
