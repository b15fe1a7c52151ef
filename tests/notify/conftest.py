"""Fixtures: loopback receivers for every transport, started and stopped per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from csi_rules.demo import receivers
from csi_rules.demo.receivers import Receiver, SmtpServer
from csi_rules.plugins import Plugins, load_plugins
from tests.runtime.conftest import clock, sn, sn_plugins  # noqa: F401 (fixtures used here too)

ROUTING_KEY = "R0UT1NGKEY0000000000000000000032"


@pytest.fixture(scope="session")
def plugins() -> Plugins:
    return load_plugins(entry_points=False)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(user="csi", password="s3cret")
    yield server
    server.stop()


def _receiver(check: receivers.Check) -> Iterator[Receiver]:
    r = Receiver(check)
    yield r
    r.stop()


@pytest.fixture
def pagerduty() -> Iterator[Receiver]:
    yield from _receiver(receivers.pagerduty)


@pytest.fixture
def opsgenie() -> Iterator[Receiver]:
    yield from _receiver(receivers.opsgenie)


@pytest.fixture
def slack() -> Iterator[Receiver]:
    yield from _receiver(receivers.slack)


@pytest.fixture
def teams() -> Iterator[Receiver]:
    yield from _receiver(receivers.teams)


@pytest.fixture
def hook() -> Iterator[Receiver]:
    yield from _receiver(lambda path, headers, body: (200, {"ok": True}))
