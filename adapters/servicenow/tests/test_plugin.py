"""The plugin is found through the `csi_rules` entry point and registers what it promises."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import jsonschema
import pytest
import requests

from csi_rules.plugins import load_plugins
from csi_rules_servicenow import plugin
from csi_rules_servicenow.adapter import ServiceNowAdapter

CORE = Path(__file__).resolve().parents[3] / "csi_rules"


def test_entry_point_is_installed():
    found = [ep for ep in entry_points(group="csi_rules") if ep.name == "servicenow"]
    assert [ep.value for ep in found] == ["csi_rules_servicenow.plugin"]


def test_hooks_register_adapter_emulator_and_actions_through_the_host():
    plugins = load_plugins(extra=[plugin], entry_points=False)
    assert "servicenow" in plugins.adapters and "servicenow" in plugins.emulators
    names = [n for n in plugins.actions.names() if n.startswith("servicenow.")]
    assert names == ["servicenow.cancel", "servicenow.hold", "servicenow.set_conflict_status",
                     "servicenow.set_state"]
    hold = plugins.actions.get("servicenow.hold")
    jsonschema.validate({"servicenow.hold": {"reason": "vendor"}}, hold.schema())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"servicenow.hold": {"reason": "x", "extra": 1}}, hold.schema())


def test_factories_from_the_registry_work(tmp_path):
    plugins = load_plugins(extra=[plugin], entry_points=False)
    emulator = plugins.emulators.get("servicenow")(host="127.0.0.1", port=0, seed_dir=None)
    emulator.start()
    secret = tmp_path / "password"
    secret.write_text("admin")
    try:
        adapter = plugins.adapters.get("servicenow")({
            "url": emulator.url, "allow_insecure_loopback": True,
            "auth": {"type": "basic", "username": "admin", "password_file": str(secret)}})
        assert isinstance(adapter, ServiceNowAdapter) and adapter.name == "servicenow"
        assert adapter.fetch_record("INC0000050").label == "INC0000050"
        adapter.close()
    finally:
        emulator.stop()


def test_the_core_imports_nothing_from_the_adapter():
    offenders = [str(p) for p in CORE.rglob("*.py")
                 if re.search(r"\bcsi_rules_servicenow\b", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_emulator_runs_on_its_own_with_the_bundled_seed():
    process = subprocess.Popen([sys.executable, "-m", "csi_rules_servicenow.emulator",
                                "--port", "0"], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        url = re.search(r"http://127\.0\.0\.1:\d+", line)
        assert url, line
        response = requests.get(f"{url.group(0)}/api/now/table/change_request",
                                auth=("admin", "admin"), timeout=10)
        assert len(response.json()["result"]) == 3
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()
