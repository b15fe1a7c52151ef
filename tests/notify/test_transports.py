"""Each built-in transport against a loopback receiver that enforces the vendor's format."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from csi_rules.errors import UsageError
from csi_rules.notify.transport import Message
from csi_rules.notify.transports.webhook import IDEMPOTENCY_HEADER
from tests.notify.conftest import ROUTING_KEY

MSG = Message(channel="x", subject="INC0010001: SLA breached", text="VPN down, 112% used",
              recipients=("lead@example.com",), idempotency_key="INC1/incident-sla/breach#0:notify",
              dedup_key="csi-rules/INC1/incident-sla", severity="critical",
              record={"id": "INC1", "number": "INC0010001"}, source="incident-sla/breach",
              sent_at="2026-03-02T09:30:00+00:00")


def build(plugins, name, settings, env=None):
    return plugins.transports.get(name).build(settings, env or {})


def test_smtp_delivers_with_auth_to_a_real_server(plugins, smtp):
    t = build(plugins, "smtp", {"host": "127.0.0.1", "port": smtp.port, "security": "none",
                                "from": "csi@example.com", "username": "csi",
                                "password_env": "SMTP_PW"}, {"SMTP_PW": "s3cret"})
    result = t.send(MSG)
    assert result.status == "sent", result.detail
    (mail,) = smtp.messages
    assert mail.rcpt_tos == ["lead@example.com"]
    assert b"Subject: INC0010001: SLA breached" in mail.content
    assert b"VPN down, 112% used" in mail.content


def test_smtp_refuses_cleartext_to_a_remote_host_and_a_missing_secret(plugins):
    with pytest.raises(UsageError, match="loopback"):
        build(plugins, "smtp", {"host": "smtp.example.com", "security": "none",
                                "from": "a@example.com"})
    with pytest.raises(UsageError, match="SMTP_PW"):
        build(plugins, "smtp", {"host": "127.0.0.1", "from": "a@example.com",
                                "username": "u", "password_env": "SMTP_PW"})


def test_smtp_server_down_is_transient(plugins):
    t = build(plugins, "smtp", {"host": "127.0.0.1", "port": 1, "security": "none",
                                "from": "a@example.com"})
    result = t.send(MSG)
    assert (result.status, result.transient) == ("failed", True)


def test_pagerduty_trigger_then_resolve_share_the_dedup_key(plugins, pagerduty):
    t = build(plugins, "pagerduty", {"url": pagerduty.url + "/v2/enqueue",
                                     "routing_key_env": "PD"}, {"PD": ROUTING_KEY})
    assert t.send(MSG).status == "sent"
    from dataclasses import replace
    assert t.send(replace(MSG, event="resolve")).status == "sent"
    trigger, resolve = pagerduty.bodies()
    assert trigger["event_action"] == "trigger" and resolve["event_action"] == "resolve"
    assert trigger["dedup_key"] == resolve["dedup_key"] == MSG.dedup_key
    assert trigger["payload"]["severity"] == "critical"
    assert "payload" not in resolve


def test_pagerduty_error_body_and_rate_limit_are_reported(plugins, pagerduty):
    bad = build(plugins, "pagerduty", {"url": pagerduty.url + "/v2/enqueue",
                                       "routing_key_env": "PD"}, {"PD": "short"})
    result = bad.send(MSG)
    assert result.status == "failed" and not result.transient
    assert "routing_key" in result.detail and "short" not in result.detail
    pagerduty.rate_limit_first = 1
    good = build(plugins, "pagerduty", {"url": pagerduty.url + "/v2/enqueue",
                                        "routing_key_env": "PD"}, {"PD": ROUTING_KEY})
    limited = good.send(MSG)
    assert (limited.status, limited.transient) == ("failed", True)
    assert "429" in limited.detail and "retry after 1s" in limited.detail
    assert good.send(MSG).status == "sent"


def test_opsgenie_create_and_close_by_alias(plugins, opsgenie):
    t = build(plugins, "opsgenie", {"url": opsgenie.url, "api_key_env": "OG"}, {"OG": "k"})
    assert t.send(MSG).status == "sent"
    from dataclasses import replace
    assert t.send(replace(MSG, event="resolve")).status == "sent"
    (p1, h1, b1, _), (p2, _, _, _) = opsgenie.requests
    assert p1 == "/v2/alerts" and h1["authorization"] == "GenieKey k"
    assert b1["alias"] == MSG.dedup_key and b1["priority"] == "P1"
    assert b1["responders"] == [{"type": "user", "username": "lead@example.com"}]
    assert p2.endswith("/close?identifierType=alias")


def test_opsgenie_error_body_is_quoted(plugins, opsgenie):
    from dataclasses import replace
    t = build(plugins, "opsgenie", {"url": opsgenie.url, "api_key_env": "OG"}, {"OG": "k"})
    result = t.send(replace(MSG, subject=""))
    assert result.status == "failed" and "Message can not be empty" in result.detail


def test_slack_and_teams_payload_shapes(plugins, slack, teams):
    s = build(plugins, "slack", {"url_env": "SLACK"}, {"SLACK": slack.url + "/services/T/B/X"})
    m = build(plugins, "teams", {"url_env": "TEAMS"}, {"TEAMS": teams.url + "/workflows/1"})
    assert s.send(MSG).status == "sent"
    assert m.send(MSG).status == "sent"
    assert "SLA breached" in slack.bodies()[0]["text"]
    card = teams.bodies()[0]["attachments"][0]["content"]
    assert card["body"][0]["text"] == MSG.subject


def test_signed_webhook_signature_and_idempotency_header(plugins, hook):
    t = build(plugins, "webhook", {"url": hook.url + "/in", "secret_env": "S"}, {"S": "k3y"})
    assert t.send(MSG).status == "sent"
    (_, headers, body, raw) = hook.requests[0]
    expected = "sha256=" + hmac.new(b"k3y", raw, hashlib.sha256).hexdigest()
    assert headers["x-csi-rules-signature"] == expected
    assert headers[IDEMPOTENCY_HEADER.lower()] == MSG.idempotency_key
    assert body["record"]["number"] == "INC0010001"


def test_plain_http_to_a_remote_host_is_refused(plugins):
    with pytest.raises(UsageError, match="https"):
        build(plugins, "webhook", {"url": "http://hooks.example.com/x", "secret_env": "S"},
              {"S": "k"})


def test_a_duplicate_transport_name_is_an_error():
    from csi_rules import hookimpl
    from csi_rules.errors import PluginError
    from csi_rules.notify.transports.smtp import SMTP
    from csi_rules.plugins import load_plugins

    class Other:
        @hookimpl
        def csi_register_transports(self, register):
            register.add("smtp", SMTP)

    with pytest.raises(PluginError, match="registered twice"):
        load_plugins([Other()], entry_points=False)
