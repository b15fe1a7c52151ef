"""A runner refused for a missing channel credential leaves nothing open and nothing created."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from csi_rules import hookimpl
from csi_rules.errors import UsageError
from csi_rules.plugins import load_plugins
from csi_rules.runtime import Runner, load_config
from csi_rules.runtime.clock import ManualClock
from tests.runtime.conftest import START

POLICIES = Path(__file__).parent / "policies"


class ProbeAdapter:
    def __init__(self, closed: list[str]):
        self.closed = closed

    def close(self) -> None:
        self.closed.append("probe")


def test_a_missing_channel_credential_closes_the_adapters_and_opens_no_store(tmp_path,
                                                                             monkeypatch):
    monkeypatch.delenv("PD_KEY_NOT_SET", raising=False)
    closed: list[str] = []

    class Probe:
        @hookimpl
        def csi_register_adapters(self, register):
            register.add("probe", lambda settings: ProbeAdapter(closed))

    config_path = tmp_path / "runner.yaml"
    config_path.write_text(yaml.safe_dump({
        "apiVersion": "csi-rules/v1", "kind": "RunnerConfig",
        "policies": [str(POLICIES)], "state": {"database": str(tmp_path / "s.db")},
        "adapters": [{"name": "probe", "type": "probe", "kinds": ["incident"], "settings": {}}],
        "channels": {"pager": {"transport": "pagerduty", "settings": {
            "url": "http://127.0.0.1:9/v2/enqueue", "routing_key_env": "PD_KEY_NOT_SET"}}}}))
    plugins = load_plugins([Probe()], entry_points=False)

    with pytest.raises(UsageError, match="PD_KEY_NOT_SET"):
        Runner(load_config(config_path), clock=ManualClock(START), plugins=plugins)
    assert closed == ["probe"]
    assert not (tmp_path / "s.db").exists(), "no state is created for a refused config"
