"""The runner config: schema errors point at file:line, paths resolve beside the file."""

from __future__ import annotations

import pytest

from csi_rules.runtime import ConfigError, load_config, parse_config

GOOD = """\
apiVersion: csi-rules/v1
kind: RunnerConfig
policies: [policies]
state: {database: state/csi.db}
pollInterval: 30s
actions: {maxAttempts: 5, retryAfter: 2m}
adapters:
  - name: sn
    type: servicenow
    kinds: [incident, change]
    settings: {url: "https://example.service-now.com"}
server:
  port: 9000
  webhooks:
    servicenow: {adapter: sn, secretEnv: SN_HOOK}
"""


def test_a_valid_config_resolves_paths_next_to_the_file(tmp_path):
    path = tmp_path / "conf" / "runner.yaml"
    path.parent.mkdir()
    path.write_text(GOOD)
    config = load_config(path)
    assert config.policies == (str(tmp_path / "conf" / "policies"),)
    assert config.database == str(tmp_path / "conf" / "state" / "csi.db")
    assert (config.poll_interval, config.max_attempts, config.retry_after) == (30, 5, 120)
    assert config.adapter("sn").type == "servicenow"
    assert config.server.webhooks["servicenow"].secret_env == "SN_HOOK"


def findings(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "runner.yaml")
    return [f.format() for f in caught.value.findings]


def test_unknown_keys_and_bad_values_are_reported_with_their_lines():
    text = GOOD.replace("pollInterval: 30s", "pollIntervall: 30s").replace(
        "kinds: [incident, change]", "kinds: [incident, ticket]")
    found = findings(text)
    assert any(f.startswith("runner.yaml:5:1:") and "pollIntervall" in f and "pollInterval" in f
               for f in found), found
    assert any(f.startswith("runner.yaml:10:") and "'ticket'" in f for f in found), found


def test_semantic_checks_duplicate_adapters_bad_durations_unknown_webhook_adapter():
    text = GOOD.replace("pollInterval: 30s", "pollInterval: soon").replace(
        "{adapter: sn, secretEnv: SN_HOOK}", "{adapter: snow, secretEnv: SN_HOOK}") + \
        "  # end\n"
    text = text.replace("adapters:\n", "adapters:\n  - {name: sn, kinds: [problem]}\n")
    found = findings(text)
    assert any("duplicate adapter name 'sn'" in f for f in found), found
    assert any("pollInterval" in f and "'soon' is not a duration" in f for f in found), found
    assert any("unknown adapter 'snow'" in f and "sn" in f for f in found), found


def test_yaml_errors_and_duplicate_keys_are_findings_not_tracebacks():
    assert "duplicate key 'policies'" in findings(GOOD + "policies: [x]\n")[0]
    assert "YAML syntax error" in findings("policies: [unclosed\n")[0]


def test_the_example_config_validates():
    from tests.conftest import ROOT

    config = load_config(ROOT / "examples" / "runner.yaml")
    assert [a.name for a in config.adapters] == ["servicenow", "jira"]
    assert config.policies == (str(ROOT / "policies"),)
    assert set(config.server.webhooks) == {"jira", "servicenow"}


def test_backlog_defaults_to_adopt_and_takes_act_only_by_name(tmp_path):
    assert parse_config(GOOD, str(tmp_path / "runner.yaml")).backlog == "adopt"
    acting = parse_config(GOOD + "backlog: act\n", str(tmp_path / "runner.yaml"))
    assert acting.backlog == "act"
    with pytest.raises(ConfigError) as err:
        parse_config(GOOD + "backlog: ignore\n", "runner.yaml")
    assert [f.format() for f in err.value.findings] == [
        "runner.yaml:16:1: backlog: 'ignore' is not one of ['adopt', 'act']"]


def test_a_number_key_beside_an_unknown_key_is_a_finding_not_a_traceback():
    found = findings(GOOD.replace("pollInterval: 30s", "pollInterval: 30s\n1: x\nextra: y"))
    assert any("unknown key '1'" in f for f in found), found
