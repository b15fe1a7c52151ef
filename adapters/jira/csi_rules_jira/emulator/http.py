"""Request/reply types shared by the emulator's server and route modules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from csi_rules_jira.emulator.model import User

INVALID_PAYLOAD = "Invalid request payload. Refer to the REST API documentation and try again."

# A body shape: a type (or tuple of types) for a leaf, a dict of key -> shape for an object
# (unknown keys allowed, null allowed for every key), a one-item list for "a list of <shape>".
Shape = Any
TEXT = object()          # a JSON scalar read as a string
INTEGER = object()       # a JSON integer, or a string of digits


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
        return 3 if self.path.startswith("/rest/api/3/") else 2

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

    def json_object(self, shape: Mapping[str, Shape]) -> dict[str, Any]:
        """The body as a JSON object whose keys have the types Jira's beans declare.

        Every route with a body reads it through here, so a body of the wrong type (`true`,
        `[1]`, `{"fields": "x"}`) is always a 400 with Jira's envelope, never a crash.
        """
        body = self.json()
        if not conforms(body, dict(shape)):
            raise HttpError(400, INVALID_PAYLOAD)
        return dict(body)


def conforms(value: Any, shape: Shape) -> bool:
    """Whether `value` has `shape` (see `Shape`), coercing scalars the way Jackson does.

    `TEXT` takes any scalar (Jackson turns `11` into `"11"`), `INTEGER` an integer or a string
    of digits but never a boolean; `{"*": inner}` is a map whose every value has `inner`.
    """
    if shape is TEXT:
        return isinstance(value, (str, int, float))
    if shape is INTEGER:
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and value.strip().lstrip("-").isdigit())
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return False
        if "*" in shape:
            return all(v is None or conforms(v, shape["*"]) for v in value.values())
        return all(value.get(key) is None or conforms(value[key], inner)
                   for key, inner in shape.items())
    if isinstance(shape, list):
        return isinstance(value, list) and all(conforms(item, shape[0]) for item in value)
    return isinstance(value, shape) and not (isinstance(value, bool) and shape is not bool)


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
