"""A runner cycle delivers notify actions to loopback receivers exactly once, and validation
refuses a channel no configuration defines."""

from __future__ import annotations

from pathlib import Path

import pytest

from csi_rules.runtime import MemoryReporter, Runner, load_config
from csi_rules.runtime.sqlite_store import SqliteStore
from tests.notify.conftest import ROUTING_KEY
from tests.runtime.conftest import SN_ENV, new_incident, write_config

POLICIES = Path(__file__).parent / "policies"


def channels(smtp, pagerduty):
    return {"email": {"transport": "smtp", "settings": {
                "host": "127.0.0.1", "port": smtp.port, "security": "none",
                "from": "csi@example.com"}},
            "pager": {"transport": "pagerduty", "settings": {
                "url": pagerduty.url + "/v2/enqueue", "routing_key_env": "PD_KEY"}}}


@pytest.fixture
def env(monkeypatch):
    for k, v in {**SN_ENV, "PD_KEY": ROUTING_KEY}.items():
        monkeypatch.setenv(k, v)


def test_a_decision_pages_and_mails_the_person_on_call_once(tmp_path, sn, clock, sn_plugins,
                                                            smtp, pagerduty, env):
    number_id = new_incident(sn, short_description="VPN down in Berlin")
    config = load_config(write_config(tmp_path, sn, policies=POLICIES,
                                      channels=channels(smtp, pagerduty)))
    with Runner(config, clock=clock, plugins=sn_plugins, reporter=MemoryReporter()) as runner:
        runner.run_once()
        runner.run_once()
        assert runner.metrics.value("csi_rules_notifications_total", channel="pager",
                                    status="sent") == 1
    (mail,) = smtp.messages
    assert mail.rcpt_tos == ["bob@example.com"]  # week 2 of the rota on 2026-03-02 09:30 UTC
    assert b"needs you: VPN down in Berlin" in mail.content
    (page,) = pagerduty.bodies()
    assert page["dedup_key"] == f"csi-rules/{number_id}/page-vpn"
    store = SqliteStore(tmp_path / "state.db")
    try:
        states = {e.action_type: e.state for e in store.ledger_entries()}
    finally:
        store.close()
    assert states == {"notify": "applied"}


def test_a_failed_page_is_failed_in_the_ledger_not_sent(tmp_path, sn, clock, sn_plugins, smtp,
                                                        pagerduty, env, monkeypatch):
    monkeypatch.setenv("PD_KEY", "too-short")
    new_incident(sn, short_description="VPN down")
    config = load_config(write_config(tmp_path, sn, policies=POLICIES,
                                      channels=channels(smtp, pagerduty)))
    with Runner(config, clock=clock, plugins=sn_plugins, reporter=MemoryReporter()) as runner:
        runner.run_once()
        errors = [e.message for e in runner.store.last_errors()]
    assert any("routing_key" in m for m in errors)
    assert len(smtp.messages) == 1  # the e-mail before it is not held back by the page


def test_validate_refuses_a_channel_no_config_defines(tmp_path, sn, smtp, pagerduty, env):
    from csi_rules.cli import main

    cfg = channels(smtp, pagerduty)
    del cfg["pager"]
    path = write_config(tmp_path, sn, policies=POLICIES, channels=cfg)
    assert main(["validate", "--config", str(path)]) == 2
