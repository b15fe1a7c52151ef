"""Credentials never reach logs, error messages, action results or repr, whatever goes wrong."""

from __future__ import annotations

import logging

import pytest

from csi_rules.adapter import ActionRequest, RecordQuery
from csi_rules.errors import CsiRulesError
from csi_rules_servicenow.emulator.security import OAuthClient, User
from csi_rules_servicenow.errors import ServiceNowConfigError
from csi_rules_servicenow.plugin import make_adapter

PASSWORD = "pw-etwhpxbhfniqnbbjoqvw"  # random witnesses, unlikely to appear by chance
WRONG = "pw-wrong-qkzjvbnmlaeiru"
SECRET = "cs-zhqwmvkdlsoeiruthgnb"
INCIDENTS = RecordQuery(kinds=("incident",))
INC = "ef43c6d40a0a0b5700c77f9bf387afe3"


def _exercise(emulator, adapter, texts):
    """Drive the adapter through success and failure paths, collecting everything printable."""
    texts += [repr(adapter), str(adapter.settings), repr(adapter.client),
              repr(adapter.client.auth), repr(adapter.settings.credentials)]
    try:
        list(adapter.fetch_records(INCIDENTS))
        record = adapter.fetch_record(INC)
        emulator.faults.add("status", status=503, method="GET", times=2)
        adapter.fetch_record(INC)
        emulator.faults.add("drop", method="PATCH", when="before")
        texts.append(repr(adapter.apply_action(ActionRequest("comment", {"text": "x"}, INC, "k"),
                                               record, dry_run=False)))
        emulator.faults.add("status", status=500, method="GET", times=10)
        adapter.fetch_record(INC)
    except CsiRulesError as exc:
        texts += [str(exc), repr(exc), repr(exc.args)]


@pytest.fixture
def witnesses(emulator):
    emulator.security.users["svc"] = User("svc", PASSWORD)
    emulator.security.clients["cid"] = OAuthClient("cid", SECRET, "svc")
    return emulator


def _assert_clean(texts, caplog, emulator):
    tokens = list(emulator.security._access) + list(emulator.security._refresh)
    blob = "\n".join(texts) + caplog.text
    for witness in [PASSWORD, WRONG, SECRET, *tokens]:
        assert witness not in blob


@pytest.mark.parametrize("password", [PASSWORD, WRONG])
def test_basic_auth_secrets_stay_out_of_logs_errors_and_repr(witnesses, make, caplog, password):
    caplog.set_level(logging.DEBUG)
    adapter = make(witnesses, auth={"type": "basic", "username": "svc", "password_env": "PW"},
                   environ={"PW": password})
    texts: list[str] = []
    _exercise(witnesses, adapter, texts)
    _assert_clean(texts, caplog, witnesses)
    assert caplog.text  # the debug log did record the traffic


@pytest.mark.parametrize("secret", [SECRET, WRONG])
def test_oauth_secrets_and_tokens_stay_out_of_logs_errors_and_repr(witnesses, make, caplog,
                                                                  clock, secret):
    caplog.set_level(logging.DEBUG)
    adapter = make(witnesses, environ={"PW": PASSWORD, "CS": secret},
                   auth={"type": "oauth_password", "client_id": "cid", "client_secret_env": "CS",
                         "username": "svc", "password_env": "PW"})
    texts: list[str] = []
    _exercise(witnesses, adapter, texts)
    clock.advance(1790)
    witnesses.security.expire_tokens()
    try:
        adapter.fetch_record(INC)
    except CsiRulesError as exc:
        texts.append(str(exc))
    _assert_clean(texts, caplog, witnesses)


def test_secret_from_a_file(witnesses, make, tmp_path):
    path = tmp_path / "sn-password"
    path.write_text(PASSWORD + "\n")
    adapter = make(witnesses, auth={"type": "basic", "username": "svc",
                                    "password_file": str(path)}, environ={})
    assert adapter.fetch_record(INC).id == INC
    assert PASSWORD not in repr(adapter.settings.credentials)
    assert f"file {path}" in repr(adapter.settings.credentials.password)


def test_a_literal_secret_in_config_is_refused_without_echoing_it():
    with pytest.raises(ServiceNowConfigError) as caught:
        make_adapter({"url": "https://x.service-now.com",
                      "auth": {"type": "basic", "username": "u", "password": PASSWORD}},
                     environ={})
    assert "password_env" in str(caught.value) and PASSWORD not in str(caught.value)
