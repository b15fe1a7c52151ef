"""Configuration mistakes are caught before any request, with a message that says what to fix."""

from __future__ import annotations

import pytest

from csi_rules_servicenow.config import parse_settings
from csi_rules_servicenow.errors import ServiceNowConfigError

ENV = {"PW": "x"}
BASIC = {"type": "basic", "username": "svc", "password_env": "PW"}


def settings(**config):
    return parse_settings({"url": "https://acme.service-now.com", "auth": BASIC, **config}, ENV)


def test_defaults():
    s = settings()
    assert (s.url, s.page_size, s.overlap_seconds, s.display_value) == (
        "https://acme.service-now.com", 500, 300, "all")
    assert s.tables.profile == "default" and s.tables.priority("5") == 5


@pytest.mark.parametrize(("url", "loopback", "message"), [
    ("http://acme.service-now.com", False, "is not https"),
    ("http://acme.service-now.com", True, "only on loopback"),
    ("https://user:pw@acme.service-now.com", False, "credentials may not be part"),
    ("https://acme.service-now.com/?x=1", False, "instance root only"),
    ("ftp://acme", False, "does not match"),
])
def test_url_rules(url, loopback, message):
    with pytest.raises(ServiceNowConfigError, match=message):
        parse_settings({"url": url, "allow_insecure_loopback": loopback, "auth": BASIC}, ENV)


@pytest.mark.parametrize("host", ["127.0.0.1:8080", "localhost", "[::1]:9"])
def test_plain_http_is_allowed_on_loopback_when_asked(host):
    s = parse_settings({"url": f"http://{host}/", "allow_insecure_loopback": True,
                        "auth": BASIC}, ENV)
    assert s.url == f"http://{host}"


@pytest.mark.parametrize(("auth", "message"), [
    ({"type": "basic", "username": "svc"}, "give password_env or password_file"),
    ({"type": "basic", "username": "svc", "password_env": "MISSING"}, "MISSING is not set"),
    ({"type": "basic", "password_env": "PW"}, "give username or username_env"),
    ({"type": "oauth_client_credentials", "client_id": "c", "client_secret": "s"},
     "may not be written in the config"),
    ({"type": "kerberos"}, "is not one of"),
    ({"type": "basic", "username": "svc", "password_env": "PW", "pasword": "x"},
     "Additional properties"),
])
def test_auth_problems(auth, message):
    with pytest.raises(ServiceNowConfigError, match=message):
        parse_settings({"url": "https://acme.service-now.com", "auth": auth}, ENV)


def test_unreadable_secret_file(tmp_path):
    with pytest.raises(ServiceNowConfigError, match="cannot read"):
        parse_settings({"url": "https://a.service-now.com", "auth": {
            "type": "basic", "username": "u", "password_file": str(tmp_path / "none")}}, ENV)


def test_filters_may_not_use_nq_and_options_are_checked():
    with pytest.raises(ServiceNowConfigError, match=r"\^NQ is not allowed"):
        settings(filters={"incident": "active=true^NQactive=false"})
    with pytest.raises(ServiceNowConfigError, match="page_size"):
        settings(page_size=20000)
    with pytest.raises(ServiceNowConfigError, match="profile"):
        settings(profile="fuji")


def test_mapping_tables_can_be_overridden():
    s = settings(profile="uci", state_map={"incident": {"Awaiting Vendor": "waiting_vendor"}},
                 priority_map={"P1": 1}, priority_to_impact_urgency={"4": [2, 3]})
    assert s.tables.state("incident", "9", "Awaiting Vendor") == "waiting_vendor"
    assert s.tables.priority("x", "P1") == 1
    assert s.tables.impact_urgency(4) == (2, 3)
    assert s.tables.impact_urgency(5) is None
