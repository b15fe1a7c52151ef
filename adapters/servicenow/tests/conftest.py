"""Fixtures: an emulator on 127.0.0.1 per test, adapters wired to it, and one fake clock for both.

The fake clock is shared on purpose: when the adapter "sleeps" for a Retry-After, the
emulator's rate-limit window and token expiry see the same time pass, and no test waits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from csi_rules_servicenow.adapter import ServiceNowAdapter
from csi_rules_servicenow.emulator import ServiceNowEmulator
from csi_rules_servicenow.plugin import make_adapter

DATA = Path(__file__).parent / "data"
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
PASSWORD = "admin"  # the emulator seed's admin password (emulator-only credential)


class FakeClock:
    """Wall time for the emulator (datetime) and the adapter (UNIX seconds); sleep advances it."""

    def __init__(self, start: datetime = START):
        self.moment = start
        self.sleeps: list[float] = []

    def now(self) -> datetime:
        return self.moment

    def time(self) -> float:
        return self.moment.timestamp()

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _start(seed: Path | None, clock: FakeClock) -> ServiceNowEmulator:
    emulator = ServiceNowEmulator(seed_dir=seed, clock=clock.now)
    emulator.start()
    return emulator


@pytest.fixture
def emulator(clock: FakeClock) -> Iterator[ServiceNowEmulator]:
    emulator = _start(None, clock)
    yield emulator
    emulator.stop()


@pytest.fixture
def docs_emulator(clock: FakeClock) -> Iterator[ServiceNowEmulator]:
    emulator = _start(DATA / "docs_seed", clock)
    yield emulator
    emulator.stop()


@pytest.fixture
def uci_emulator(clock: FakeClock) -> Iterator[ServiceNowEmulator]:
    emulator = _start(DATA / "uci_seed", clock)
    yield emulator
    emulator.stop()


def base_config(emulator: ServiceNowEmulator, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "url": emulator.url, "allow_insecure_loopback": True,
        "auth": {"type": "basic", "username": "admin", "password_env": "SN_PASSWORD"},
        "page_size": 10, "timeouts": {"connect": 2, "read": 5},
        "retries": {"max_attempts": 4, "backoff_seconds": 0.5, "max_delay_seconds": 120},
    }
    config.update(overrides)
    return config


AdapterMaker = Callable[..., ServiceNowAdapter]


@pytest.fixture
def make(clock: FakeClock) -> Iterator[AdapterMaker]:
    """make(emulator, **config_overrides) -> adapter; closed after the test."""
    made: list[ServiceNowAdapter] = []

    def build(emulator: ServiceNowEmulator, *, environ: dict[str, str] | None = None,
              **overrides: Any) -> ServiceNowAdapter:
        env = {"SN_PASSWORD": PASSWORD} if environ is None else environ
        adapter = make_adapter(base_config(emulator, **overrides), clock=clock.time,
                               sleep=clock.sleep, environ=env)
        made.append(adapter)
        return adapter

    yield build
    for adapter in made:
        adapter.close()


@pytest.fixture
def adapter(emulator: ServiceNowEmulator, make: AdapterMaker) -> ServiceNowAdapter:
    return make(emulator)
