"""Webhook deliveries: signature checked on raw bytes first, redeliveries dropped, events parsed."""

from __future__ import annotations

import json

import pytest

from csi_rules_jira.errors import WebhookRejected
from csi_rules_jira.secrets import Secret
from csi_rules_jira.webhooks import WebhookReceiver, sign, verify_signature

SECRET = Secret("emulator-webhook-secret")


def _deliveries(emulator, make_adapter):
    from csi_rules.adapter import ActionRequest

    adapter = make_adapter(emulator)
    record = adapter.fetch_record("ITSM-1")
    adapter.apply_action(ActionRequest("jira.transition", {"name": "Start progress"}, record.id,
                                       "w1"), record, dry_run=False)
    adapter.apply_action(ActionRequest("comment", {"text": "hi"}, record.id, "w2"), record,
                         dry_run=False)
    return list(emulator.outbox.deliveries)


def test_emulator_deliveries_verify_and_parse(emulator, make_adapter):
    deliveries = _deliveries(emulator, make_adapter)
    receiver = WebhookReceiver(SECRET)
    events = [receiver.receive(d.headers, d.body) for d in deliveries]
    kinds = [(e.event, e.issue_key) for e in events if e is not None]
    assert ("jira:issue_updated", "ITSM-1") in kinds and ("comment_created", "ITSM-1") in kinds
    status_change = next(e for e in events if e and "status" in e.changed_fields)
    item = next(c for c in status_change.changes if c["fieldId"] == "status")
    assert (item["fromString"], item["toString"]) == ("Waiting for support", "In Progress")


def test_redelivery_with_the_same_identifier_is_dropped(emulator, make_adapter):
    delivery = _deliveries(emulator, make_adapter)[0]
    receiver = WebhookReceiver(SECRET)
    assert receiver.receive(delivery.headers, delivery.body) is not None
    retry = dict(delivery.headers, **{"X-Atlassian-Webhook-Retry": "1"})
    assert receiver.receive(retry, delivery.body) is None


@pytest.mark.parametrize("tamper", ["body", "signature", "missing", "algorithm", "secret"])
def test_bad_signatures_are_rejected_and_nothing_is_processed(emulator, make_adapter, tamper):
    delivery = _deliveries(emulator, make_adapter)[0]
    headers, body = dict(delivery.headers), delivery.body
    if tamper == "body":
        body = body.replace(b"ITSM-1", b"ITSM-2")
    elif tamper == "signature":
        headers["X-Hub-Signature"] = "sha256=" + "0" * 64
    elif tamper == "missing":
        del headers["X-Hub-Signature"]
    elif tamper == "algorithm":
        headers["X-Hub-Signature"] = headers["X-Hub-Signature"].replace("sha256=", "sha1=")
    receiver = WebhookReceiver(Secret("another-secret") if tamper == "secret" else SECRET)
    with pytest.raises(WebhookRejected):
        receiver.receive(headers, body)
    # nothing was remembered: the genuine delivery is still accepted afterwards
    assert WebhookReceiver(SECRET).receive(delivery.headers, delivery.body) is not None
    if tamper != "secret":
        assert receiver.receive(delivery.headers, delivery.body) is not None


def test_signature_is_hmac_sha256_of_the_raw_body():
    body = json.dumps({"webhookEvent": "jira:issue_created"}).encode()
    header = sign(SECRET, body)
    import hashlib
    import hmac

    assert header == "sha256=" + hmac.new(b"emulator-webhook-secret", body,
                                          hashlib.sha256).hexdigest()
    assert verify_signature(SECRET, body, header.upper().replace("SHA256=", "sha256="))
    assert not verify_signature(SECRET, body + b" ", header)
    assert repr(WebhookReceiver(SECRET)) == "WebhookReceiver(signed=True)"


def test_unsigned_receivers_still_need_json_with_an_event():
    receiver = WebhookReceiver(None)
    with pytest.raises(WebhookRejected, match="not JSON"):
        receiver.receive({}, b"<xml/>")
    with pytest.raises(WebhookRejected, match="webhookEvent"):
        receiver.receive({}, b"{}")
