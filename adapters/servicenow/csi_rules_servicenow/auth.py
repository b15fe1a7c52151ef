"""Basic auth and OAuth 2 (password and client-credentials grants at `/oauth_token.do`).

OAuth tokens are fetched lazily, renewed shortly before `expires_in` runs out (clock injected),
and after a 401: first with the refresh token, then with the original grant. Tokens are held as
`Secret`s; nothing here logs or raises with a credential in it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from csi_rules import safe_json  # bounded depth/number size/decoding for answers too
from csi_rules.errors import AdapterAuthError
from csi_rules_servicenow.config import Credentials
from csi_rules_servicenow.errors import SYSTEM, ServiceNowRequestError
from csi_rules_servicenow.secrets import Secret

TOKEN_PATH = "/oauth_token.do"
RENEW_MARGIN_SECONDS = 60


class NoAuth(AuthBase):
    """Sends nothing: for the token endpoint itself, which must not carry a stale token."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


class BasicAuth(AuthBase):
    def __init__(self, credentials: Credentials):
        self._credentials = credentials

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        assert self._credentials.password is not None
        return HTTPBasicAuth(self._credentials.username,
                             self._credentials.password.reveal())(request)

    def refresh(self) -> bool:
        return False  # a 401 with basic auth is final

    def __repr__(self) -> str:
        return f"BasicAuth(user={self._credentials.username!r})"


class OAuth(AuthBase):
    """Bearer tokens from the instance's token endpoint; `post` sends a form with retries."""

    def __init__(self, credentials: Credentials, token_url: str,
                 post: Callable[..., requests.Response], clock: Callable[[], float]):
        self._credentials = credentials
        self._token_url = token_url
        self._post = post
        self._clock = clock
        self._lock = threading.Lock()
        self._access: Secret | None = None
        self._refresh: Secret | None = None
        self._expires_at = 0.0
        self.grants: list[str] = []  # grant types used, for tests and diagnostics

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        with self._lock:
            if self._access is None or self._clock() >= self._expires_at - RENEW_MARGIN_SECONDS:
                self._renew()
            assert self._access is not None
            request.headers["Authorization"] = f"Bearer {self._access.reveal()}"
        return request

    def refresh(self) -> bool:
        """After a 401: renew the token; True when a new one was obtained."""
        with self._lock:
            self._access = None
            self._renew()
        return True

    def _renew(self) -> None:
        if self._refresh is not None:
            try:
                self._grant({"grant_type": "refresh_token",
                             "refresh_token": self._refresh.reveal()})
                return
            except (AdapterAuthError, ServiceNowRequestError):
                self._refresh = None  # expired or revoked: fall back to the original grant
        creds = self._credentials
        form: dict[str, str] = {"grant_type": "client_credentials"}
        if creds.type == "oauth_password":
            assert creds.password is not None
            form = {"grant_type": "password", "username": creds.username,
                    "password": creds.password.reveal()}
        self._grant(form)

    def _grant(self, form: dict[str, str]) -> None:
        creds = self._credentials
        assert creds.client_secret is not None
        data = {**form, "client_id": creds.client_id,
                "client_secret": creds.client_secret.reveal()}
        if creds.scope:
            data["scope"] = creds.scope
        self.grants.append(form["grant_type"])
        # `post` raises typed errors for >= 400 (a refused grant is an AdapterAuthError)
        response = self._post(self._token_url, data=data, auth=NoAuth(),
                              headers={"Accept": "application/json"}, refresh_on_401=False)
        try:
            body: Any = safe_json.loads(response.content, "response")
        except ValueError:
            body = None
        if not isinstance(body, dict) or "access_token" not in body:
            raise AdapterAuthError(
                f"ServiceNow OAuth {form['grant_type']} grant: {response.status_code} answer "
                "without an access token", system=SYSTEM, status=response.status_code)
        self._access = Secret(str(body["access_token"]), "oauth token")
        if body.get("refresh_token"):
            self._refresh = Secret(str(body["refresh_token"]), "oauth refresh token")
        self._expires_at = self._clock() + float(body.get("expires_in", 1799))

    def __repr__(self) -> str:
        return f"OAuth({self._credentials.type}, client_id={self._credentials.client_id!r})"


def make_auth(credentials: Credentials, base_url: str, post: Callable[..., requests.Response],
              clock: Callable[[], float]) -> AuthBase:
    if credentials.type == "basic":
        return BasicAuth(credentials)
    return OAuth(credentials, base_url + TOKEN_PATH, post, clock)
