"""Who may call the emulator: basic auth against seeded users, OAuth tokens from `/oauth_token.do`.

Token responses copy the documented shape (r_RESTOAuthExample.md: scope, token_type "Bearer",
expires_in 1799, refresh_token, access_token). Grants: password, client_credentials (the
OAuth client's "application user" acts), refresh_token. The client authenticates with
`client_id`/`client_secret` in the form or as HTTP Basic (RFC 6749 section 2.3.1; what
requests-oauthlib, and so pysnc's password flow, sends). A refused grant answers 401 with
`{"error_description": "access_denied", "error": "server_error"}` (pk: what instances send).

Roles: a seeded user lists `roles`; one that lists none is an admin (the emulator's historical
default, so older seeds keep full rights).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

TOKEN_TTL_SECONDS = 1799
ACCESS_DENIED = {"error_description": "access_denied", "error": "server_error"}


@dataclass(frozen=True)
class User:
    user_name: str
    password: str
    time_zone: str = "UTC"
    roles: tuple[str, ...] = ("admin",)

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", tuple(self.roles))  # JSON seeds give a list

    def has_role(self, *roles: str) -> bool:
        """admin passes every role check, as on the platform."""
        return "admin" in self.roles or any(r in self.roles for r in roles)

    def __repr__(self) -> str:
        return f"User({self.user_name})"


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    client_secret: str
    application_user: str = ""

    def __repr__(self) -> str:
        return f"OAuthClient({self.client_id})"


class Security:
    """Checks `Authorization` headers and issues tokens; `clock()` gives UNIX seconds."""

    def __init__(self, users: list[User], clients: list[OAuthClient], clock: Callable[[], float],
                 token_ttl: int = TOKEN_TTL_SECONDS):
        self.users = {u.user_name: u for u in users}
        self.clients = {c.client_id: c for c in clients}
        self.clock = clock
        self.token_ttl = token_ttl
        self._access: dict[str, tuple[str, float]] = {}
        self._refresh: dict[str, tuple[str, str]] = {}
        self.grants: Counter[str] = Counter()
        self._read_denied: dict[str, set[str]] = {}

    def deny_read(self, table: str, user_name: str = "*") -> None:
        """A table read ACL that `user_name` (or everyone: "*") fails, e.g. sys_audit for itil."""
        self._read_denied.setdefault(table, set()).add(user_name)

    def can_read(self, user_name: str, table: str) -> bool:
        denied = self._read_denied.get(table, set())
        return "*" not in denied and user_name not in denied

    def authenticate(self, header: str | None) -> User | None:
        if not header:
            return None
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() == "basic":
            try:
                name, _, password = base64.b64decode(credentials).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return None
            user = self.users.get(name)
            if user and hmac.compare_digest(user.password.encode(), password.encode()):
                return user
            return None
        if scheme.lower() == "bearer":
            entry = self._access.get(credentials.strip())
            if entry and entry[1] > self.clock():
                return self.users.get(entry[0])
        return None

    def expire_tokens(self) -> None:
        """Test hook: make every issued access token stale (refresh tokens stay valid)."""
        self._access.clear()

    def token(self, form: Mapping[str, str],
              authorization: str | None = None) -> tuple[int, dict[str, Any]]:
        """Answer one `/oauth_token.do` request (form body, optional `Authorization` header)."""
        grant = form.get("grant_type", "")
        self.grants[grant] += 1
        client_id, client_secret = _client_credentials(form, authorization)
        client = self.clients.get(client_id)
        if client is None or not hmac.compare_digest(client.client_secret.encode(),
                                                     client_secret.encode()):
            return 401, ACCESS_DENIED
        user_name = ""
        if grant == "password":
            user = self.users.get(form.get("username", ""))
            if user and hmac.compare_digest(user.password.encode(),
                                            form.get("password", "").encode()):
                user_name = user.user_name
        elif grant == "client_credentials":
            user_name = client.application_user if client.application_user in self.users else ""
        elif grant == "refresh_token":
            entry = self._refresh.get(form.get("refresh_token", ""))
            if entry and entry[1] == client.client_id:
                user_name = entry[0]
        else:
            return 400, {"error_description": f"unsupported grant_type {grant}",
                         "error": "unsupported_grant_type"}
        if not user_name:
            return 401, ACCESS_DENIED
        return 200, self._issue(user_name, client.client_id, grant != "client_credentials")

    def _issue(self, user_name: str, client_id: str, with_refresh: bool) -> dict[str, Any]:
        access = secrets.token_urlsafe(64)
        self._access[access] = (user_name, self.clock() + self.token_ttl)
        body: dict[str, Any] = {"scope": "useraccount", "token_type": "Bearer",
                                "expires_in": self.token_ttl}
        if with_refresh:
            refresh = secrets.token_urlsafe(64)
            self._refresh[refresh] = (user_name, client_id)
            body["refresh_token"] = refresh
        body["access_token"] = access
        return body


def _client_credentials(form: Mapping[str, str], authorization: str | None) -> tuple[str, str]:
    """The client's id and secret: HTTP Basic when sent (RFC 6749 2.3.1), else the form's."""
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() == "basic":
        try:
            pair = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return "", ""
        name, _, secret = pair.partition(":")
        # RFC 6749 2.3.1: both parts are form-urlencoded before base64
        name, secret = unquote_plus(name), unquote_plus(secret)
        if form.get("client_id", name) != name:
            return "", ""  # two different clients in one request: refuse
        return name, secret
    return form.get("client_id", ""), form.get("client_secret", "")
