"""The installed distribution plugs into csi-rules through the `csi_rules` entry point."""

from __future__ import annotations

import requests
from jsonschema import Draft202012Validator

from csi_rules.plugins import load_plugins


def test_entry_point_registers_adapter_emulator_and_actions():
    plugins = load_plugins()
    assert "jira" in plugins.adapters and "jira" in plugins.emulators
    for name in ("jira.transition", "jira.link", "jira.answer_approval"):
        schema = plugins.actions.get(name).schema()
        Draft202012Validator.check_schema(schema)
    transition = Draft202012Validator(plugins.actions.get("jira.transition").schema())
    assert transition.is_valid({"jira.transition": {"name": "Resolve"}})
    assert not transition.is_valid({"jira.transition": {}})
    assert not transition.is_valid({"jira.transition": {"name": "Resolve", "bogus": 1}})
    assert any(origin.startswith("csi-rules-jira") for _, origin in plugins.plugin_names())


def test_emulator_factory_runs_without_a_seed(monkeypatch):
    plugins = load_plugins()
    emulator = plugins.emulators.get("jira")(host="127.0.0.1", port=0, seed_dir=None)
    emulator.start()
    try:
        info = requests.get(f"{emulator.url}/rest/api/2/serverInfo", timeout=5).json()
        assert info["deploymentType"] == "Cloud"
        monkeypatch.setenv("CSI_TEST_PLUGIN_TOKEN", "emulator-api-token")
        adapter = plugins.adapters.get("jira")({
            "base_url": emulator.url, "allow_insecure_loopback": True,
            "projects": ["ITSM"], "service_desk_projects": ["ITSM"],
            "auth": {"email": "mia@example.com", "token_env": "CSI_TEST_PLUGIN_TOKEN"}})
        assert adapter.fetch_record("ITSM-2").get("raw.sla.time_to_resolution")["goal_ms"] > 0
        adapter.close()
    finally:
        emulator.stop()


def test_seed_dir_is_read(tmp_path):
    import json

    from csi_rules_jira.emulator import JiraEmulator
    from csi_rules_jira.emulator.seed import load_seed

    seed = load_seed(None)
    seed["issues"] = seed["issues"][:1]
    (tmp_path / "jira.json").write_text(json.dumps(seed))
    assert list(JiraEmulator(seed_dir=tmp_path).site.issues) == ["ITSM-1"]
