"""Fixtures: a ServiceNow emulator on loopback and runners wired to it, sharing one manual clock.

The clock is shared on purpose: the emulator stamps `sys_updated_on` with it, the adapter
"sleeps" on it, and the runner evaluates SLAs with it, so hours pass in a test without waiting.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from csi_rules.plugins import Plugins, load_plugins
from csi_rules.runtime import ManualClock, MemoryReporter, Runner, load_config
from csi_rules_servicenow import plugin as servicenow_plugin
from csi_rules_servicenow.emulator import ServiceNowEmulator
from csi_rules_servicenow.plugin import make_adapter

HERE = Path(__file__).parent
POLICIES = HERE / "policies"
START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
SN_ENV = {"SN_PASSWORD": "admin"}  # the emulator seed's admin password (emulator-only)


@pytest.fixture(scope="session")
def sn_plugins() -> Plugins:
    return load_plugins([servicenow_plugin], entry_points=False)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def sn(clock: ManualClock) -> Iterator[ServiceNowEmulator]:
    emulator = ServiceNowEmulator(clock=clock.now)
    emulator.start()
    yield emulator
    emulator.stop()


def sn_settings(emulator: ServiceNowEmulator, **extra: Any) -> dict[str, Any]:
    return {"url": emulator.url, "allow_insecure_loopback": True,
            "auth": {"type": "basic", "username": "admin", "password_env": "SN_PASSWORD"},
            "filters": {"incident": "active=true", "change": "active=true"},
            "page_size": 50, "timeouts": {"connect": 2, "read": 5},
            "retries": {"max_attempts": 4, "backoff_seconds": 0.1, "max_delay_seconds": 60},
            **extra}


def write_config(tmp_path: Path, emulator: ServiceNowEmulator, *, policies: Path = POLICIES,
                 kinds: tuple[str, ...] = ("incident", "change"),
                 more_adapters: tuple[dict[str, Any], ...] = (),
                 sn_extra: dict[str, Any] | None = None, **top: Any) -> Path:
    config = {"apiVersion": "csi-rules/v1", "kind": "RunnerConfig",
              "policies": [str(policies)], "state": {"database": str(tmp_path / "state.db")},
              "pollInterval": "1m",
              "adapters": [{"name": "servicenow", "kinds": list(kinds),
                            "settings": sn_settings(emulator, **(sn_extra or {}))},
                           *more_adapters], **top}
    path = tmp_path / "runner.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def new_incident(emulator: ServiceNowEmulator, **values: str) -> str:
    row = emulator.store.insert("incident", {"short_description": "VPN down", "impact": "2",
                                             "urgency": "2", "state": "1", "active": "true",
                                             **values}, "admin")
    return str(row["sys_id"])


def work_notes(emulator: ServiceNowEmulator, sys_id: str) -> list[str]:
    return [r["value"] for r in emulator.store.rows("sys_journal_field")
            if r["element_id"] == sys_id and r["element"] == "work_notes"]


RunnerMaker = Callable[..., Runner]


@pytest.fixture
def make_runner(clock: ManualClock, sn_plugins: Plugins) -> Iterator[RunnerMaker]:
    """make_runner(config_path, emulator, **runner_options) -> Runner (closed after the test)."""
    made: list[Runner] = []

    def build(config_path: Path, emulator: ServiceNowEmulator, **options: Any) -> Runner:
        config = load_config(config_path)
        adapter = make_adapter(config.adapter("servicenow").settings,
                               clock=lambda: clock.now().timestamp(), sleep=clock.advance,
                               environ=SN_ENV)
        options.setdefault("reporter", MemoryReporter())
        extra = options.pop("extra_adapters", {})
        runner = Runner(config, clock=clock, plugins=sn_plugins,
                        adapters={"servicenow": adapter, **extra}, **options)
        made.append(runner)
        return runner

    yield build
    for runner in made:
        runner.close()
        for adapter in runner.adapters.values():
            adapter.close()


def audit_entries(runner: Runner) -> list[dict[str, Any]]:
    return [json.loads(json.dumps(row.entry)) for row in runner.store.audit()]


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A PostgreSQL server for the whole session (tests/runtime/pg_server.py)."""
    from tests.runtime.pg_server import MISSING, PgServer

    if MISSING:
        pytest.skip(f"PostgreSQL server binaries not on PATH: {', '.join(MISSING)}")
    server = PgServer()
    yield server
    server.close()


@pytest.fixture
def pg_dsn(postgres: Any) -> str:
    """A fresh database on the session's server."""
    return str(postgres.new_database())
