"""What an operator sees of notifications: `--dry-run` shows what each channel would send with
its credentials masked; /metrics counts sends and failures by channel; a failed delivery is in
`csi-rules status` and the audit log, never reported as sent."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import requests

from csi_rules.runtime import MemoryReporter, Runner, load_config
from csi_rules.server import CsiServer
from csi_rules.server.service import server_context
from tests.notify.conftest import ROUTING_KEY
from tests.runtime.conftest import SN_ENV, new_incident, write_config

POLICIES = Path(__file__).parent / "fanout_policies"
SECRETS = {"SMTP_PW": "s3cret", "PD_KEY": ROUTING_KEY, "OG_KEY": "genie-key-0000",
           "HOOK_SECRET": "hmac-secret-0000"}


@pytest.fixture
def env(monkeypatch, slack):
    chat_url = slack.url + "/services/T000/B000/XOXB-CHAT-TOKEN"
    for k, v in {**SN_ENV, **SECRETS, "CHAT_URL": chat_url}.items():
        monkeypatch.setenv(k, v)
    return [*SECRETS.values(), "XOXB-CHAT-TOKEN"]


def fanout_config(tmp_path, sn, smtp, pagerduty, slack, opsgenie, hook, **top):
    return write_config(tmp_path, sn, policies=POLICIES, kinds=("incident",), channels={
        "email": {"transport": "smtp", "settings": {
            "host": "127.0.0.1", "port": smtp.port, "security": "none",
            "from": "csi@example.com", "username": "csi", "password_env": "SMTP_PW"}},
        "pager": {"transport": "pagerduty", "settings": {
            "url": pagerduty.url + "/v2/enqueue", "routing_key_env": "PD_KEY"}},
        "chat": {"transport": "slack", "settings": {"url_env": "CHAT_URL"}},
        "alerts": {"transport": "opsgenie", "settings": {"url": opsgenie.url,
                                                          "api_key_env": "OG_KEY"}},
        "hook": {"transport": "webhook", "settings": {"url": hook.url + "/in",
                                                      "secret_env": "HOOK_SECRET"}}}, **top)


def test_dry_run_shows_what_each_channel_would_send_and_sends_nothing(
        tmp_path, sn, clock, sn_plugins, smtp, pagerduty, slack, opsgenie, hook, env, cli):
    number_id = new_incident(sn, short_description="Outage: payments")
    config = fanout_config(tmp_path, sn, smtp, pagerduty, slack, opsgenie, hook)
    reporter = MemoryReporter()
    with Runner(load_config(config), clock=clock, plugins=sn_plugins, dry_run=True,
                reporter=reporter) as runner:
        runner.run_once()
        rows = {e.params["channel"]: e for e in runner.store.ledger_entries()}
    assert not (smtp.messages or pagerduty.requests or slack.requests or opsgenie.requests
                or hook.requests), "a dry run sends nothing"
    assert {c: r.state for c, r in rows.items()} == dict.fromkeys(
        ("email", "pager", "chat", "alerts", "hook"), "dry_run")

    shown = {c: json.loads(r.detail.split(": ", 1)[1]) for c, r in rows.items()}
    assert rows["pager"].detail.startswith("would send via pager (pagerduty): ")
    number = sn.store.get("incident", number_id)["number"]
    assert shown["email"]["to"] == ["ops@example.com"]
    assert shown["email"]["subject"] == f"{number} outage"
    assert shown["pager"]["body"]["routing_key"] == "***"
    assert shown["pager"]["body"]["payload"]["summary"] == f"{number} Outage: payments"
    assert shown["pager"]["body"]["dedup_key"] == f"csi-rules/{number_id}/fan-out"
    assert shown["chat"]["post"] == "slack" and shown["chat"]["body"]["text"]
    assert shown["alerts"]["body"]["alias"] == f"csi-rules/{number_id}/fan-out"
    assert shown["hook"]["body"]["id"].endswith("#4:notify")

    log = cli("log", "show", "--config", str(config), "--record", number_id)
    assert log.code == 0, log.err
    assert "would send via pager (pagerduty)" in log.out
    everything = log.out + json.dumps([e for e in reporter.events], default=str) + \
        json.dumps({c: r.detail for c, r in rows.items()})
    leaked = [s for s in env if s in everything]
    assert leaked == [], "credentials must never be shown"


def test_a_failed_page_is_counted_in_metrics_and_shown_by_status(
        tmp_path, sn, clock, sn_plugins, smtp, pagerduty, slack, opsgenie, hook, env, cli,
        monkeypatch):
    monkeypatch.setenv("PD_KEY", "not-a-32-char-key")
    new_incident(sn, short_description="Outage: payments")
    config = fanout_config(tmp_path, sn, smtp, pagerduty, slack, opsgenie, hook,
                           server={"port": 0})
    with Runner(load_config(config), clock=clock, plugins=sn_plugins,
                reporter=MemoryReporter()) as runner:
        runner.run_once()
        ctx = server_context(runner.config, clock, os.environ, runner=runner)
        server = CsiServer(ctx)
        server.start()
        try:
            lines = requests.get(server.url + "/metrics", timeout=5).text.splitlines()
        finally:
            server.stop()
            ctx.store.close()
    assert "# TYPE csi_rules_notifications_total counter" in lines
    for channel in ("email", "chat", "alerts", "hook"):
        assert f'csi_rules_notifications_total{{channel="{channel}",status="sent"}} 1' in lines
    assert 'csi_rules_notifications_total{channel="pager",status="failed"} 1' in lines
    assert not any(line.startswith('csi_rules_notifications_total{channel="pager",status="sent"')
                   for line in lines)
    assert len(smtp.messages) == 1 and len(slack.requests) == 1  # the others still went out

    status = cli("status", "--config", str(config), "--format", "json")
    assert status.code == 0, status.err
    report = json.loads(status.out)
    assert report["ledger"].get("failed") == 1 and report["ledger"].get("applied") == 4
    (error,) = [e for e in report["errors"] if e["scope"].startswith("action ")]
    assert "pager: pagerduty: refused (400)" in error["message"]
    assert "routing_key" in error["message"] and "not-a-32-char-key" not in error["message"]
    text = cli("status", "--config", str(config)).out
    assert "pagerduty: refused (400)" in text and "failed 1" in text
