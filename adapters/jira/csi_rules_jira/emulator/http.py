"""Request/reply types shared by the emulator's server and route modules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from csi_rules_jira.emulator.model import User


class HttpError(Exception):
    """An error answer; rendered as ErrorCollection (platform) or ErrorResponse (servicedeskapi)."""

    def __init__(self, status: int, *messages: str, errors: Mapping[str, str] | None = None,
                 headers: Mapping[str, str] | None = None):
        super().__init__(status, messages)
        self.status = status
        self.messages = list(messages)
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})

    def body(self, path: str) -> dict[str, Any]:
        if path.startswith("/rest/servicedeskapi"):
            text = "; ".join(self.messages + [f"{k}: {v}" for k, v in self.errors.items()])
            return {"errorMessage": text, "i18nErrorMessage": {
                "i18nKey": f"sd.emulator.error.{self.status}", "parameters": []}}
        return {"errorMessages": self.messages, "errors": self.errors}


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: Mapping[str, str]
    body: bytes
    user: User | None = None
    base_url: str = ""

    @property
    def version(self) -> int:
        return 2 if self.path.startswith("/rest/api/2/") else 3

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def int_arg(self, name: str, default: int) -> int:
        value = self.arg(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise HttpError(400, f"The value '{value}' is invalid for {name}.") from None

    def json(self) -> Any:
        if not self.body:
            raise HttpError(400, "No content to map due to end-of-input")
        try:
            return json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise HttpError(400, "Unexpected character in the request body: not JSON.") from None


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Exchange:
    """One request and its answer, kept when the emulator records (for contract tests)."""

    method: str
    path: str
    query: str
    request_headers: dict[str, str]
    request_body: bytes
    status: int
    response_headers: dict[str, str]
    response_body: bytes
