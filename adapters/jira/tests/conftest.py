"""Fixtures: a fake clock, the emulator on loopback, adapters wired to it, the OpenAPI checker."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from csi_rules_jira.adapter import JiraAdapter
from csi_rules_jira.config import parse_config
from csi_rules_jira.emulator import JiraEmulator

TOKEN_ENV = "CSI_TEST_JIRA_TOKEN"
FIELD_MAP = {
    "impact": "customfield_10050", "urgency": "customfield_10051",
    "assignment_group": "customfield_10060", "change_type": "customfield_10070",
    "risk": "customfield_10071", "planned_start": "customfield_10072",
    "planned_end": "customfield_10073", "backout_plan": "customfield_10074",
    "service": "customfield_10080", "request_type": "customfield_10010",
}


class FakeClock:
    """A settable clock shared by the emulator and the adapter."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def find_shared() -> Path:
    """The project's shared/ folder (beside the repo locally and in CI)."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "reference" / "specs"
        if candidate.is_dir():
            return parent / "shared"
    raise RuntimeError("shared/reference/specs not found beside the repository: the contract "
                       "tests need the official OpenAPI documents")


def load_local(name: str) -> Any:
    """A helper module beside this file, under a unique name (tests run in importlib mode)."""
    import importlib.util
    import sys

    unique = f"csi_rules_jira_tests_{name}"
    if unique not in sys.modules:
        path = Path(__file__).with_name(f"{name}.py")
        spec = importlib.util.spec_from_file_location(unique, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[unique] = module
        spec.loader.exec_module(module)
    return sys.modules[unique]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 3, 2, 10, 0, 30, tzinfo=UTC))


@pytest.fixture
def emulator(clock: FakeClock) -> Iterator[JiraEmulator]:
    with JiraEmulator(clock=clock, record=True) as emu:
        yield emu


@pytest.fixture
def dc_emulator(clock: FakeClock) -> Iterator[JiraEmulator]:
    with JiraEmulator(clock=clock, record=True, deployment="Server") as emu:
        yield emu


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_adapter(monkeypatch: pytest.MonkeyPatch, clock: FakeClock,
                 sleeps: list[float]) -> Iterator[Callable[..., JiraAdapter]]:
    made: list[JiraAdapter] = []

    def make(emu: JiraEmulator, *, token: str | None = None, **overrides: Any) -> JiraAdapter:
        cloud = emu.site.is_cloud
        monkeypatch.setenv(TOKEN_ENV, token or ("emulator-api-token" if cloud else "emulator-pat"))
        auth: dict[str, Any] = {"token_env": TOKEN_ENV}
        if cloud:
            auth["email"] = "mia@example.com"
        config = {"base_url": emu.url, "allow_insecure_loopback": True,  # emulator is http
                  "auth": auth, "projects": ["ITSM", "OPS"],
                  "field_map": dict(FIELD_MAP), "service_desk_projects": ["ITSM"],
                  "page_size": 50, **overrides}
        def sleep(seconds: float) -> None:            # record the wait and let time pass
            sleeps.append(seconds)
            clock.advance(seconds=seconds)

        adapter = JiraAdapter(parse_config(config), sleep=sleep, clock=clock)
        made.append(adapter)
        return adapter

    yield make
    for adapter in made:
        adapter.close()


@pytest.fixture(scope="session")
def shared() -> Path:
    return find_shared()


@pytest.fixture(scope="session")
def contract(shared: Path) -> Any:
    return load_local("contract").ContractChecker(shared / "reference" / "specs")
