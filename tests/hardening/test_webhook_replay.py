"""A signed Jira webhook cannot be replayed by changing or dropping its delivery identifier:
duplicates are recognised by what the signature covers (the body)."""

from __future__ import annotations

import json
import os

import pytest
import requests

from csi_rules.runtime.config import load_config
from csi_rules.server import CsiServer
from csi_rules.server.service import server_context
from csi_rules_jira.secrets import Secret
from csi_rules_jira.webhooks import WebhookReceiver, sign
from tests.runtime.conftest import write_config

SECRET = "jira-hook-secret"  # test-only shared secret
BODY = json.dumps({"webhookEvent": "jira:issue_updated", "timestamp": 1767225600000,
                   "issue": {"id": "10001", "key": "ITSM-1"}}).encode()


def _headers(delivery: str | None, body: bytes = BODY) -> dict[str, str]:
    headers = {"X-Hub-Signature": sign(Secret(SECRET), body), "Content-Type": "application/json"}
    if delivery is not None:
        headers["X-Atlassian-Webhook-Identifier"] = delivery
    return headers


def test_receiver_drops_a_signed_replay_whatever_its_identifier() -> None:
    receiver = WebhookReceiver(Secret(SECRET))
    assert receiver.receive(_headers("d-1"), BODY) is not None
    assert receiver.receive(_headers("d-2"), BODY) is None
    assert receiver.receive(_headers(None), BODY) is None
    other = BODY.replace(b"10001", b"10002")
    assert receiver.receive(_headers("d-1", other), other) is not None


def test_receiver_refuses_a_retry_header_that_is_not_a_number() -> None:
    from csi_rules_jira.errors import WebhookRejected
    headers = {**_headers("d-9"), "X-Atlassian-Webhook-Retry": "1_0"}
    with pytest.raises(WebhookRejected, match="Retry is not a number"):
        WebhookReceiver(Secret(SECRET)).receive(headers, BODY)


@pytest.fixture
def jira_server(tmp_path, sn, clock, monkeypatch):
    monkeypatch.setenv("CSI_TEST_JIRA_HOOK", SECRET)
    monkeypatch.setenv("CSI_TEST_JIRA_TOKEN", "unused")
    settings = {"base_url": "http://127.0.0.1:9", "allow_insecure_loopback": True,
                "auth": {"email": "mia@example.com", "token_env": "CSI_TEST_JIRA_TOKEN"},
                "projects": ["ITSM"]}
    config = load_config(str(write_config(
        tmp_path, sn, more_adapters=({"name": "jira", "kinds": ["incident"],
                                      "settings": settings},),
        server={"port": 0, "webhooks": {"jira": {"adapter": "jira",
                                                 "secretEnv": "CSI_TEST_JIRA_HOOK"}}})))
    ctx = server_context(config, clock, os.environ)
    with CsiServer(ctx) as server:
        yield server
    ctx.store.close()


def test_server_queues_a_signed_body_once_across_identifiers_and_restarts(jira_server) -> None:
    url = jira_server.url + "/webhooks/jira"
    first = requests.post(url, data=BODY, headers=_headers("d-1"), timeout=5)
    assert first.status_code == 202
    # a fresh receiver (as after a restart) still remembers through the state database
    jira_server.ctx.jira_receiver = WebhookReceiver(Secret(SECRET))
    for delivery in ("d-2", None, "d-1"):
        again = requests.post(url, data=BODY, headers=_headers(delivery), timeout=5)
        assert again.status_code == 200 and "duplicate" in again.json(), delivery
    assert [w.record_id for w in jira_server.ctx.store.wakeups(limit=100)
            if w.adapter == "jira"] == ["10001"]
