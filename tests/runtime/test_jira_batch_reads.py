"""The runner on the Jira emulator reads the fields its actions compare once per batch (one
JQL search per 50 keys) instead of one GET per action, with the same outcome: each issue's
group set once, one comment each, and an issue whose group someone already set is left as it
is (already_applied, no write)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from csi_rules.plugins import load_plugins
from csi_rules.runtime import ManualClock, Runner, parse_config
from csi_rules_jira import plugin as jira_plugin
from csi_rules_jira.adapter import JiraAdapter
from csi_rules_jira.config import parse_config as jira_config
from csi_rules_jira.emulator import JiraEmulator
from tests.runtime.test_postgres_jira_runners import GROUP, ROUTED, ROUTING, TOKEN_ENV

GROUP_FIELD = "customfield_10060"


@pytest.fixture
def jira(monkeypatch: pytest.MonkeyPatch, clock: ManualClock) -> Iterator[JiraEmulator]:
    monkeypatch.setenv(TOKEN_ENV, "emulator-api-token")  # the emulator seed's token
    with JiraEmulator(clock=clock.now, record=True) as emulator:
        yield emulator


def runner_for(tmp: Path, emulator: JiraEmulator, clock: ManualClock) -> Runner:
    policies = tmp / "policies"
    policies.mkdir()
    always = {**ROUTING, "spec": {**ROUTING["spec"], "trigger": "always"}}  # assigned ones too
    (policies / "routing.yaml").write_text(yaml.safe_dump(always, sort_keys=False))
    settings = {"base_url": emulator.url, "allow_insecure_loopback": True,
                "projects": ["OPS"], "field_map": {"assignment_group": GROUP_FIELD},
                "auth": {"email": "mia@example.com", "token_env": TOKEN_ENV}}
    config = parse_config(json.dumps({
        "policies": [str(policies)], "state": {"database": str(tmp / "state.db")},
        "adapters": [{"name": "jira", "kinds": ["incident"], "settings": settings}]}),
        str(tmp / "runner.yaml"))
    adapter = JiraAdapter(jira_config(settings), sleep=clock.advance, clock=clock.now)
    return Runner(config, clock=clock, plugins=load_plugins([jira_plugin], entry_points=False),
                  adapters={"jira": adapter})


def test_field_reads_before_writes_are_one_search_per_batch(tmp_path, jira, clock):
    site = jira.site
    issues = [site.create_issue("OPS", "Bug", f"VPN down at site {i}",
                                reporter="5b10a2844c20165700ede21g") for i in range(6)]
    issues[0].custom[GROUP_FIELD] = GROUP  # someone routed this one already
    clock.advance(60)
    with runner_for(tmp_path, jira, clock) as runner:
        assert jira.exchanges is not None
        jira.exchanges.clear()
        report = runner.run_once()
        assert not report.errors
        single_reads = [e for e in jira.exchanges if e.method == "GET"
                        and any(e.path.endswith(f"/issue/{i.key}") for i in issues)]
        assert single_reads == [], "no per-action GET of an issue before its field write"
        puts = [e.path for e in jira.exchanges if e.method == "PUT"]
        assert sorted(puts) == sorted(f"/rest/api/3/issue/{i.key}" for i in issues[1:])
        states = {(e.record_id, e.action_type): e.state for e in runner.store.ledger_entries()}
    for issue in issues:
        assert issue.custom.get(GROUP_FIELD) in (GROUP, {"name": GROUP})
        assert sum(ROUTED in str(c.body) for c in issue.comments) == 1
    assert states[(issues[0].id, "assign")] == "already_applied"
    assert {states[(i.id, "assign")] for i in issues[1:]} == {"applied"}
