"""Error bodies become typed errors; credentials never reach logs, errors or reprs."""

from __future__ import annotations

import base64
import logging

import pytest

from csi_rules.adapter import ActionRequest, RecordQuery
from csi_rules.errors import AdapterAuthError, AdapterError, AdapterUnavailable, RecordNotFound
from csi_rules_jira.config import parse_config
from csi_rules_jira.error_mapping import error_from_response, error_messages
from csi_rules_jira.errors import JiraConfigError


def test_error_body_shapes():
    platform = b'{"errorMessages":["Issue does not exist."],"errors":{"summary":"required"}}'
    assert error_messages(platform) == ["Issue does not exist.", "summary: required"]
    jsm = b'{"errorMessage":"Already decided","i18nErrorMessage":{"i18nKey":"k","parameters":[]}}'
    assert error_messages(jsm) == ["Already decided"]
    assert error_messages(b"<html>oops</html>") == []
    assert isinstance(error_from_response("GET", "/x", 404, platform), RecordNotFound)
    assert isinstance(error_from_response("GET", "/x", 403, b""), AdapterAuthError)
    assert isinstance(error_from_response("GET", "/x", 503, b""), AdapterUnavailable)
    err = error_from_response("POST", "/x", 409, jsm)
    assert type(err) is AdapterError and err.status == 409
    assert str(err) == "jira: POST /x: HTTP 409: Already decided"


def test_missing_issue_and_bad_credentials(emulator, make_adapter):
    adapter = make_adapter(emulator)
    with pytest.raises(RecordNotFound, match="Issue does not exist"):
        adapter.fetch_record("OPS-404")
    wrong = make_adapter(emulator, token="not-the-token")
    with pytest.raises(AdapterAuthError, match="HTTP 401"):
        list(wrong.fetch_records(RecordQuery(kinds=())))


def test_config_refuses_literal_secrets_and_reports_every_problem(tmp_path):
    with pytest.raises(JiraConfigError, match="never in the config"):
        parse_config({"base_url": "https://x.example", "projects": ["A"],
                      "auth": {"email": "a@b.c", "token": "s3cret"}}, environ={})
    with pytest.raises(JiraConfigError) as info:
        parse_config({"base_url": "https://x.example", "auth": {}, "page_size": 0}, environ={})
    assert "projects" in str(info.value) and "page_size" in str(info.value)
    with pytest.raises(JiraConfigError, match="not set"):
        parse_config({"base_url": "https://x.example", "projects": ["A"],
                      "auth": {"token_env": "NOPE_NOT_SET"}}, environ={})
    with pytest.raises(JiraConfigError, match="must not contain credentials"):
        parse_config({"base_url": "https://me:pw@x.example", "projects": ["A"],
                      "auth": {"token_env": "T"}}, environ={"T": "x"})
    secret_file = tmp_path / "pat"
    secret_file.write_text("file-pat\n")
    config = parse_config({"base_url": "https://x.example", "projects": ["A"],
                           "auth": {"token_file": str(secret_file)}}, environ={})
    assert config.auth_header.reveal() == "Bearer file-pat"



def _with_url(base_url: str, **extra: object) -> dict[str, object]:
    return {"base_url": base_url, "projects": ["A"], "auth": {"token_env": "T"}, **extra}


@pytest.mark.parametrize("url", ["http://jira.example.invalid", "http://10.0.0.5:8080",
                                 "http://localhost.example.com"])
def test_plain_http_off_loopback_is_refused_even_with_the_flag(url):
    for flag in (False, True):
        with pytest.raises(JiraConfigError, match="must use https") as info:
            parse_config(_with_url(url, allow_insecure_loopback=flag), environ={"T": "x"})
        assert "allow_insecure_loopback" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080", "http://[::1]:8080",
                                 "http://localhost:8080/"])
def test_plain_http_on_loopback_needs_allow_insecure_loopback(url):
    with pytest.raises(JiraConfigError, match="not https; set allow_insecure_loopback: true"):
        parse_config(_with_url(url), environ={"T": "x"})
    with pytest.raises(JiraConfigError, match="not https"):
        parse_config(_with_url(url, allow_insecure_loopback=False), environ={"T": "x"})
    config = parse_config(_with_url(url, allow_insecure_loopback=True), environ={"T": "x"})
    assert config.base_url == url.rstrip("/")


def test_https_needs_no_flag_and_the_flag_must_be_a_boolean():
    assert parse_config(_with_url("https://x.example"), environ={"T": "x"}).base_url \
        == "https://x.example"
    with pytest.raises(JiraConfigError, match="allow_insecure_loopback"):
        parse_config(_with_url("http://127.0.0.1", allow_insecure_loopback="yes"),
                     environ={"T": "x"})


WITNESS = "wItNeSs-7f3kq9-token"


def test_credentials_never_appear_in_logs_errors_or_reprs(emulator, make_adapter, caplog,
                                                          monkeypatch):
    caplog.set_level(logging.DEBUG)
    basic = base64.b64encode(f"mia@example.com:{WITNESS}".encode()).decode()
    texts: list[str] = []
    adapter = make_adapter(emulator, token=WITNESS)            # wrong token: 401s
    texts += [repr(adapter), repr(adapter.config), str(adapter.config), repr(adapter.transport),
              repr(adapter.config.auth_header)]
    for call in (lambda: adapter.fetch_record("OPS-1"),
                 lambda: list(adapter.fetch_records(RecordQuery(kinds=())))):
        with pytest.raises(AdapterError) as info:
            call()
        texts += [str(info.value), repr(info.value), repr(info.value.args)]
    good = make_adapter(emulator)
    record = good.fetch_record("OPS-1")
    emulator.faults.add(r"/serverInfo$", status=503, retry_after=None, times=20)
    down = make_adapter(emulator, token=WITNESS, max_retries=1)
    with pytest.raises(AdapterUnavailable) as info:
        down.fetch_record("OPS-1")
    texts.append(str(info.value))
    unreachable = make_adapter(emulator, token=WITNESS, max_retries=0,
                               base_url="http://127.0.0.1:9")
    with pytest.raises(AdapterUnavailable) as info:
        unreachable.apply_action(ActionRequest("comment", {"text": "x"}, record.id, "k"), record,
                                 dry_run=False)
    texts += [str(info.value), repr(info.value), repr(info.value.__cause__)]
    texts += [r.getMessage() for r in caplog.records] + [caplog.text]
    assert texts and not [t for t in texts if WITNESS in t or basic in t]
