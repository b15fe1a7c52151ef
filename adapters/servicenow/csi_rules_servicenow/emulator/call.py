"""One API call as the dispatch sees it (from the socket or from a batch item), and its answer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

JSON_TYPE = "application/json;charset=UTF-8"
Answer = tuple[int, dict[str, str], Any]


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)  # names in lower case

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


def encode(headers: dict[str, str], payload: Any) -> tuple[dict[str, str], bytes]:
    """The bytes of an answer: bytes as they are, None as nothing, the rest as compact JSON."""
    if isinstance(payload, bytes):
        return headers, payload
    if payload is None:
        return headers, b""
    data = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return {"Content-Type": JSON_TYPE, **headers}, data
