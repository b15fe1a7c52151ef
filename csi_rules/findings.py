"""Validation findings: one per problem, each pointing at file:line:col and a policy path."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Finding:
    """A single validation message, sortable by file then position."""

    file: str
    line: int
    col: int
    policy: str
    path: str
    message: str
    severity: Severity = "error"

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}"
        policy = f" policy {self.policy}:" if self.policy else ""
        path = f" {self.path}:" if self.path else ""
        tag = "" if self.severity == "error" else f" {self.severity}:"
        return f"{where}:{policy}{path}{tag} {self.message}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
