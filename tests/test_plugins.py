from __future__ import annotations

import pytest

from csi_rules import hookimpl
from csi_rules.actions import ActionType
from csi_rules.errors import PluginError
from csi_rules.plugins import load_plugins


class PagerDutyPlugin:
    """A third-party plugin adding an action type, registered like an entry point would be."""

    @hookimpl
    def csi_register_actions(self, register):
        register.add("pagerduty.trigger", ActionType(
            "pagerduty.trigger", "Trigger a PagerDuty incident.",
            {"type": "object", "properties": {"service": {"type": "string"}},
             "required": ["service"], "additionalProperties": False}))


class ClashingPlugin:
    @hookimpl
    def csi_register_actions(self, register):
        register.add("assign", ActionType("assign", "mine", {"type": "object"}))


def test_builtins_are_registered_through_the_hooks():
    plugins = load_plugins(entry_points=False)
    assert "assign" in plugins.actions
    assert plugins.actions.owner("assign") == "csi_rules.actions"
    assert plugins.kinds.owner("RoutingPolicy") == "csi_rules.kinds"


def test_a_plugin_action_becomes_valid_in_policies(tmp_path):
    from csi_rules.policy.validate import validate_paths

    policy = tmp_path / "p.yaml"
    policy.write_text(
        "apiVersion: csi-rules/v1\nkind: RoutingPolicy\nmetadata: {name: p}\nspec:\n"
        "  rules:\n    - id: r\n      actions: [{pagerduty.trigger: {service: db}}]\n")
    without = validate_paths([str(policy)], load_plugins(entry_points=False))
    assert "unknown action type 'pagerduty.trigger'" in without.findings[0].message
    with_plugin = validate_paths([str(policy)],
                                 load_plugins([PagerDutyPlugin()], entry_points=False))
    assert with_plugin.findings == []


def test_duplicate_names_are_an_error_naming_both_plugins():
    with pytest.raises(PluginError) as exc:
        load_plugins([ClashingPlugin()], entry_points=False)
    assert "action type 'assign' registered twice" in str(exc.value)
    assert "'csi_rules.actions'" in str(exc.value)


def test_unknown_hook_in_a_plugin_is_refused():
    class Typo:
        @hookimpl
        def csi_register_actionz(self, register):
            pass

    with pytest.raises(PluginError, match="csi_register_actionz"):
        load_plugins([Typo()], entry_points=False)


def test_plugins_command_lists_builtins(cli):
    result = cli("plugins")
    assert result.code == 0
    assert "csi_rules.actions  (built-in)" in result.out
    assert "actions: assign, block, comment" in result.out


def test_a_lazy_entry_is_imported_when_first_asked_for():
    from csi_rules.registry import Registry

    registry: Registry[object] = Registry("transport")
    registry.add_lazy("json", "json:dumps")
    registry.add_lazy("broken", "csi_rules.no_such_module:THING")
    assert registry.names() == ["broken", "json"]
    import json

    assert registry.get("json") is json.dumps
    with pytest.raises(PluginError, match=r"cannot load csi_rules\.no_such_module:THING"):
        registry.get("broken")
    with pytest.raises(PluginError, match="registered twice"):
        registry.add_lazy("json", "json:loads")


def test_loading_plugins_imports_no_http_client_emulator_transport_or_metadata_scanner():
    import subprocess
    import sys

    code = ("import sys; from csi_rules.plugins import load_plugins; p = load_plugins(); "
            "assert 'servicenow' in p.adapters and 'jira' in p.emulators and 'smtp' in p.transports; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'requests' "
            "or '.emulator' in m or '.notify.transports' in m or m.endswith('.adapter') "
            "or m == 'importlib.metadata'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
