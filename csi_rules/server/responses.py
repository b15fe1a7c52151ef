"""Answers handlers return: a status and a JSON body (or plain text), nothing else."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    content_type: str = "application/json"

    def payload(self) -> bytes:
        if self.content_type == "application/json":
            return (json.dumps(self.body, sort_keys=True) + "\n").encode("utf-8")
        return str(self.body).encode("utf-8")


def problem(status: int, reason: str) -> Answer:
    """A 4xx/5xx with the reason in words; the request changed nothing."""
    return Answer(status, {"error": reason})
